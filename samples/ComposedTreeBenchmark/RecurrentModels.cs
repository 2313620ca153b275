using HybridGen;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HybridGen.Samples.ComposedTreeBenchmark;

/// <summary>A text classifier over TorchSharp's native LSTM: token embeddings, a stacked LSTM, a linear head on the last
/// step. The LSTM's settings live in libtorch and TorchSharp's private fields, so its tree is composed at run time
/// (docs/modules.md, "Native recurrent modules").</summary>
public sealed partial class LstmClassifier : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Embedding embedding;
    private readonly TorchSharp.Modules.LSTM lstm;
    private readonly TorchSharp.Modules.Linear head;

    public LstmClassifier(long vocabulary, long width, long hidden, long layers, long classes) : base("lstm-classifier")
    {
        embedding = Embedding(vocabulary, width);
        lstm = LSTM(width, hidden, numLayers: layers, dropout: 0.2);
        head = Linear(hidden, classes);
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor tokens);

    private Tensor ForwardEager(Tensor tokens)
    {
        using var x = embedding.forward(tokens);
        var (output, _, _) = lstm.call(x);
        return head.forward(output[-1]);
    }
}
