using HybridGen;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Samples.Training;

/// <summary>
/// A two-hidden-layer classifier. Its weights are parameters in fields: the generated twin of Forward takes them
/// as graph inputs at every call, so the optimizer's updates are always seen (nothing is frozen at trace time).
/// </summary>
public sealed partial class Classifier : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter _w1, _b1, _w2, _b2, _w3, _b3;

    public Classifier(long inputs, long hidden, long classes) : base(nameof(Classifier))
    {
        _w1 = Param("w1", new[] { hidden, inputs }, inputs);
        _b1 = Param("b1", new[] { hidden }, inputs);
        _w2 = Param("w2", new[] { hidden, hidden }, hidden);
        _b2 = Param("b2", new[] { hidden }, hidden);
        _w3 = Param("w3", new[] { classes, hidden }, hidden);
        _b3 = Param("b3", new[] { classes }, hidden);
    }

    private TorchSharp.Modules.Parameter Param(string name, long[] shape, long fanIn)
    {
        double bound = 1 / System.Math.Sqrt(fanIn);
        using var init = (rand(shape) * 2.0 - 1.0) * bound;
        var parameter = nn.Parameter(init.clone());
        register_parameter(name, parameter);
        return parameter;
    }

    public override Tensor forward(Tensor input) => Forward(input);

    /// <summary>Logits for a batch of points.</summary>
    [Hybridize(nameof(ForwardEager))]
    public partial Tensor Forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        var h = F.gelu(F.linear(x, _w1, _b1));
        h = F.gelu(F.linear(h, _w2, _b2)) + h;   // a residual connection
        return F.linear(h, _w3, _b3);
    }

    /// <summary>Mean cross-entropy with label smoothing.</summary>
    [Hybridize(nameof(LossEager))]
    public static partial Tensor Loss(Tensor logits, Tensor labels);

    private static Tensor LossEager(Tensor logits, Tensor labels) => F.cross_entropy(logits, labels, label_smoothing: 0.05);
}
