using HybridGen;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Benchmarks;

// The workloads: different shapes, op counts and batch sizes, so eager wins on some and graph may on others.
public static partial class Workloads
{
    [Hybridize(nameof(TinyAddEager))] public static partial Tensor TinyAdd(Tensor x, Tensor y);
    static Tensor TinyAddEager(Tensor x, Tensor y) => x + y;

    [Hybridize(nameof(ScalarChainEager))] public static partial Tensor ScalarChain(Tensor x);
    static Tensor ScalarChainEager(Tensor x)
    {
        for (int i = 0; i < 20; i++) x = x * 0.99 + 0.01;
        return x;
    }

    [Hybridize(nameof(ElementwiseEager))] public static partial Tensor Elementwise(Tensor x);
    static Tensor ElementwiseEager(Tensor x) => ((x.tanh() * x.sigmoid() + x * 0.5).relu() - x.exp() * 0.01).abs().sqrt();

    [Hybridize(nameof(MlpEager))] public static partial Tensor Mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2);
    static Tensor MlpEager(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2) => F.linear(F.gelu(F.linear(x, w1, b1)), w2, b2);

    [Hybridize(nameof(GruEager))] public static partial Tensor Gru(Tensor[] steps, Tensor h, Tensor wx, Tensor wh);
    static Tensor GruEager(Tensor[] steps, Tensor h, Tensor wx, Tensor wh)
    {
        foreach (var x in steps)
        {
            var g = (x.matmul(wx) + h.matmul(wh)).chunk(3, 1);
            var z = g[0].sigmoid();
            h = (1.0 - z) * g[2].tanh() + z * h;
        }
        return h;
    }

    [Hybridize(nameof(AttentionEager))] public static partial Tensor Attention(Tensor q, Tensor k, Tensor v);
    static Tensor AttentionEager(Tensor q, Tensor k, Tensor v) => F.softmax(q.matmul(k.transpose(-2, -1)) / 8.0, -1).matmul(v);

    [Hybridize(nameof(LayerNormEager))] public static partial Tensor LayerNorm(Tensor x);
    static Tensor LayerNormEager(Tensor x)
    {
        var centered = x - x.mean(new long[] { -1 }, keepdim: true);
        return centered / ((centered * centered).mean(new long[] { -1 }, keepdim: true) + 1e-5).sqrt();
    }

    // The same layer norm three more times, for first-call latency (each is met fresh by the benchmark).
    [Hybridize(nameof(LayerNormEager))] public static partial Tensor LayerNormFirst(Tensor x);

    [Hybridize(nameof(LayerNormEager))] public static partial Tensor LayerNormEagerFirst(Tensor x);

    [Hybridize(nameof(LayerNormEager))] public static partial Tensor LayerNormSecond(Tensor x);

    // Seven tensor inputs and one cheap op: the dispatcher's per-call cost with a signature of 7 tensors, on a body
    // short enough for that cost to show above the noise.
    [Hybridize(nameof(SevenEager))] public static partial Tensor Seven(Tensor a, Tensor b, Tensor c, Tensor d, Tensor e, Tensor f, Tensor g);
    static Tensor SevenEager(Tensor a, Tensor b, Tensor c, Tensor d, Tensor e, Tensor f, Tensor g) => a.add(b, alpha: 1.0) * (c.dim() + d.dim() + e.dim() + f.dim() + g.dim());
}
