using HybridGen;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace GpuBenchmark;

// The same workloads as pytorch_baseline.py, written as a user would in C#.
public static partial class Workloads
{
    [Hybridize(nameof(MlpEager))] public static partial Tensor Mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor w3, Tensor b3);
    static Tensor MlpEager(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2, Tensor w3, Tensor b3) =>
        F.linear(F.relu(F.linear(F.relu(F.linear(x, w1, b1)), w2, b2)), w3, b3);

    [Hybridize(nameof(GeluLayerNormEager))] public static partial Tensor GeluLayerNorm(Tensor x, Tensor gamma, Tensor beta);
    static Tensor GeluLayerNormEager(Tensor x, Tensor gamma, Tensor beta)
    {
        var y = x;
        for (int i = 0; i < 4; i++) y = F.layer_norm(F.gelu(y) + x, new long[] { 1024 }, gamma, beta);
        return y;
    }

    [Hybridize(nameof(GruLoopEager))] public static partial Tensor GruLoop(Tensor[] steps, Tensor h, Tensor wx, Tensor wh, Tensor b);
    static Tensor GruLoopEager(Tensor[] steps, Tensor h, Tensor wx, Tensor wh, Tensor b)
    {
        foreach (var x in steps)
        {
            var gx = (x.matmul(wx) + b).chunk(3, 1);
            var gh = h.matmul(wh).chunk(3, 1);
            var r = (gx[0] + gh[0]).sigmoid();
            var z = (gx[1] + gh[1]).sigmoid();
            var n = (gx[2] + r * gh[2]).tanh();
            h = (1.0 - z) * n + z * h;
        }
        return h;
    }

    /// <summary>A pre-norm transformer encoder block: 8-head self-attention and a GELU MLP, d = 512, seq 64.</summary>
    [Hybridize(nameof(EncoderBlockEager))]
    public static partial Tensor EncoderBlock(Tensor x, Tensor wqkv, Tensor wo, Tensor w1, Tensor w2, Tensor gamma1, Tensor gamma2);
    static Tensor EncoderBlockEager(Tensor x, Tensor wqkv, Tensor wo, Tensor w1, Tensor w2, Tensor gamma1, Tensor gamma2)
    {
        long batch = x.shape[0], seq = x.shape[1], d = x.shape[2];
        const long heads = 8;
        long hd = d / heads;
        var h = F.layer_norm(x, new long[] { d }, gamma1);
        var qkv = h.matmul(wqkv).reshape(batch, seq, 3, heads, hd).permute(2, 0, 3, 1, 4);
        var q = qkv[0];
        var k = qkv[1];
        var v = qkv[2];
        var attention = F.softmax(q.matmul(k.transpose(-2, -1)) / System.Math.Sqrt(hd), -1).matmul(v);
        x = x + attention.transpose(1, 2).reshape(batch, seq, d).matmul(wo);
        var m = F.layer_norm(x, new long[] { d }, gamma2);
        return x + F.gelu(m.matmul(w1)).matmul(w2);
    }
}
