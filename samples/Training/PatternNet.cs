using HybridGen;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Samples.Training;

/// <summary>
/// A small CNN written the way TorchSharp's examples write models: submodule fields typed
/// <c>Module&lt;Tensor,Tensor&gt;</c>, a <c>Sequential</c> head, <c>RegisterComponents()</c>. Its forward is
/// hybridized: the twin reads every parameter, the batch-norm statistics and the training flag at each call, so the
/// optimizer's steps, <c>train()</c> and <c>eval()</c> are always seen.
/// </summary>
public sealed partial class PatternNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1 = Conv2d(1, 8, 3, padding: 1);
    private readonly Module<Tensor, Tensor> bn1 = BatchNorm2d(8);
    private readonly Module<Tensor, Tensor> pool = MaxPool2d(2);
    private readonly Module<Tensor, Tensor> conv2 = Conv2d(8, 16, 3, padding: 1);
    private readonly Module<Tensor, Tensor> bn2 = BatchNorm2d(16);
    private readonly Module<Tensor, Tensor> head = Sequential(
        ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("dropout", Dropout(0.1)), ("fc", Linear(16, 4)));

    public PatternNet() : base(nameof(PatternNet)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor images);

    private Tensor ForwardEager(Tensor images)
    {
        var x = pool.forward(bn1.forward(conv1.forward(images)).relu());
        x = bn2.forward(conv2.forward(x)).relu();
        return head.forward(x);
    }
}
