using HybridGen;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>Methods compiled by the real generator; each gets a twin and runs eager and graph in the tests.</summary>
public static partial class Corpus
{
    [Hybridize(nameof(MlpEager))]
    public static partial Tensor Mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2);
    static Tensor MlpEager(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2)
        => nn.functional.relu(x.matmul(w1) + b1).matmul(w2) + b2;

    [Hybridize(nameof(ScalarsEager))]
    public static partial Tensor Scalars(Tensor x, double a, long n);
    static Tensor ScalarsEager(Tensor x, double a, long n)
    {
        return (x * a - n) / 2.0 + 3 * x - 1.5 / (x * x + 1) + (2.0 - x) * n;
    }

    [Hybridize(nameof(ActivationsEager))]
    public static partial Tensor Activations(Tensor x, Tensor y);
    static Tensor ActivationsEager(Tensor x, Tensor y)
        => tanh(x) * sigmoid(y) + x.relu() - (-y).sigmoid() + nn.functional.tanh(y) * x.sum();

    [Hybridize(nameof(IntScalarEager))]
    public static partial Tensor IntScalar(Tensor x, int k);
    static Tensor IntScalarEager(Tensor x, int k) => x * k + k;

    [Hybridize(nameof(FloatConversionEager))]
    public static partial Tensor FloatConversion(Tensor x, int k);
    static Tensor FloatConversionEager(Tensor x, int k) => x * (double)k + 0.25f;
}
