using HybridGen;
using TorchSharp;
using static TorchSharp.torch;

namespace Samples;

public static partial class Blocks
{
    // A two-layer perceptron. The generator implements this partial method: it dispatches between the eager
    // body below and the TorchScript twin it emitted for it, whichever it measured to be faster.
    [Hybridize(nameof(MlpEager))]
    public static partial Tensor Mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2);

    static Tensor MlpEager(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2)
        => nn.functional.relu(x.matmul(w1) + b1).matmul(w2) + b2;

    // A gated elementwise block on small tensors, where per-op overhead dominates.
    [Hybridize(nameof(GateEager))]
    public static partial Tensor Gate(Tensor x, Tensor h, double scale);

    static Tensor GateEager(Tensor x, Tensor h, double scale)
    {
        return (x * scale).sigmoid() * h.tanh() + (1.0 - x.sigmoid()) * h;
    }
}
