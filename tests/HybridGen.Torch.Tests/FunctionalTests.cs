using System;
using System.Linq;
using HybridGen.Torch;
using static HybridGen.Torch.torch;
using static HybridGen.Torch.Tests.Check;
using F = HybridGen.Torch.torch.nn.functional;

namespace HybridGen.Torch.Tests;

public class FunctionalTests
{
    private static readonly double[] Inputs = { -2.0, -0.5, 0.0, 0.7, 3.0 };

    private static double Erf(double x)
    {
        // Abramowitz-Stegun 7.1.26 is too coarse; integrate erf's series instead (converges fast for |x| <= 3).
        double sum = 0, term = x;
        for (int n = 0; n < 80; n++)
        {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.Sqrt(Math.PI) * sum;
    }

    [Fact]
    public void Activations()
    {
        using Tensor x = tensor(Inputs);
        using (Tensor r = F.gelu(x)) Close(Map(Inputs, v => 0.5 * v * (1 + Erf(v / Math.Sqrt(2)))), r, 1e-9);
        using (Tensor r = F.gelu(x, "tanh")) Close(Map(Inputs, v => 0.5 * v * (1 + Math.Tanh(Math.Sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v)))), r, 1e-9);
        using (Tensor r = F.silu(x)) Close(Map(Inputs, v => v / (1 + Math.Exp(-v))), r, 1e-9);
        using (Tensor r = F.leaky_relu(x, 0.1)) Close(Map(Inputs, v => v > 0 ? v : 0.1 * v), r, 1e-9);
        using (Tensor r = F.elu(x)) Close(Map(Inputs, v => v > 0 ? v : Math.Exp(v) - 1), r, 1e-9);
        using (Tensor r = F.relu(x)) Close(Map(Inputs, v => Math.Max(0, v)), r);
        Assert.Throws<TorchException>(() => F.gelu(x, "cubic"));
    }

    [Fact]
    public void SoftmaxAndLogSoftmax()
    {
        using Tensor x = tensor(new[] { 1.0, 2.0, 3.0, 1.0, 1.0, 1.0 }, new long[] { 2, 3 });
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        double[] expected = { Math.Exp(1) / z, Math.Exp(2) / z, Math.Exp(3) / z, 1.0 / 3, 1.0 / 3, 1.0 / 3 };
        using (Tensor r = F.softmax(x, 1)) Close(expected, r, 1e-12);
        using (Tensor r = F.log_softmax(x, -1)) Close(Map(expected, Math.Log), r, 1e-12);
        using (Tensor r = F.softmax(x, 0)) Close(new[] { 0.5, 1 / (1 + Math.Exp(-1)), 1 / (1 + Math.Exp(-2)), 0.5, 1 / (1 + Math.Exp(1)), 1 / (1 + Math.Exp(2)) }, r, 1e-12);
    }

    [Fact]
    public void NormalizationLayersMatchTheirFormulas()
    {
        double[] row = { 1, 2, 4, 9 };
        double mean = row.Average(), variance = row.Select(v => (v - mean) * (v - mean)).Average();
        double[] normalized = Map(row, v => (v - mean) / Math.Sqrt(variance + 1e-5));
        using Tensor x = tensor(row, new long[] { 1, 4 });
        using (Tensor r = F.layer_norm(x, new long[] { 4 })) Close(normalized, r, 1e-9);
        using Tensor w = tensor(new[] { 2.0, 2, 2, 2 }), b = tensor(new[] { 1.0, 1, 1, 1 });
        using (Tensor r = F.layer_norm(x, new long[] { 4 }, w, b)) Close(Map(normalized, v => 2 * v + 1), r, 1e-9);
        using Tensor g = tensor(row, new long[] { 1, 2, 2 });
        using (Tensor r = F.group_norm(g, 1)) Close(normalized, r, 1e-9);

        using Tensor rm = tensor(new[] { 1.0, 2.0 }), rv = tensor(new[] { 4.0, 9.0 });
        using Tensor batch = tensor(new[] { 3.0, 5.0, 1.0, 8.0 }, new long[] { 2, 2 });
        using (Tensor r = F.batch_norm(batch, rm, rv)) Close(new[] { 2 / Math.Sqrt(4 + 1e-5), 3 / Math.Sqrt(9 + 1e-5), 0 / Math.Sqrt(4 + 1e-5), 6 / Math.Sqrt(9 + 1e-5) }, r, 1e-9);
        using (Tensor r = F.batch_norm(batch, rm, rv, training: true, momentum: 0.5)) Close(new[] { 1, -1, -1, 1.0 }, r, 1e-3);
        Close(new[] { 0.5 * 1 + 0.5 * 2, 0.5 * 2 + 0.5 * 6.5 }, rm, 1e-9); // running mean updated in training
    }

    [Fact]
    public void DropoutScalesKeptValuesAndIsIdentityInEval()
    {
        manual_seed(5);
        using Tensor x = ones(10000);
        using (Tensor r = F.dropout(x, 0.25))
        {
            double[] v = Values(r);
            Assert.All(v, e => Assert.True(e == 0 || Math.Abs(e - 1 / 0.75) < 1e-6));
            Assert.InRange(v.Count(e => e == 0) / 10000.0, 0.23, 0.27);
        }
        using (Tensor r = F.dropout(x, 0.25, training: false)) Assert.All(Values(r), e => Assert.Equal(1, e));
    }

    [Fact]
    public void LinearAndConvolutions()
    {
        using Tensor x = tensor(new[] { 1.0, 2.0 }, new long[] { 1, 2 });
        using Tensor w = tensor(new[] { 1.0, 0, 0, 1, 1, 1 }, new long[] { 3, 2 });
        using Tensor b = tensor(new[] { 0.5, 0.5, 0.5 });
        using (Tensor r = F.linear(x, w, b)) Close(new[] { 1.5, 2.5, 3.5 }, r);
        using (Tensor r = F.linear(x, w)) Close(new[] { 1.0, 2, 3 }, r);

        using Tensor signal = tensor(new[] { 1.0, 2, 3, 4, 5 }, new long[] { 1, 1, 5 });
        using Tensor kernel = tensor(new[] { 1.0, 0, -1 }, new long[] { 1, 1, 3 });
        using (Tensor r = F.conv1d(signal, kernel)) Close(new[] { -2.0, -2, -2 }, r);
        using (Tensor r = F.conv1d(signal, kernel, padding: 1)) Close(new[] { -2.0, -2, -2, -2, 4 }, r);

        using Tensor image = arange(16).reshape(1, 1, 4, 4).to(ScalarType.Float64);
        using Tensor box = ones(new long[] { 1, 1, 2, 2 }, ScalarType.Float64);
        using (Tensor r = F.conv2d(image, box, stride: 2))
        {
            Shape(r, 1, 1, 2, 2);
            Close(new double[] { 0 + 1 + 4 + 5, 2 + 3 + 6 + 7, 8 + 9 + 12 + 13, 10 + 11 + 14 + 15 }, r);
        }
        using (Tensor r = F.max_pool2d(image, 2)) Close(new double[] { 5, 7, 13, 15 }, r);
        using (Tensor r = F.max_pool2d(image, 3, 1)) Close(new double[] { 10, 11, 14, 15 }, r);
        using (Tensor r = F.avg_pool2d(image, 2)) Close(new[] { 2.5, 4.5, 10.5, 12.5 }, r);
        using (Tensor r = F.avg_pool2d(image, 2, 2)) Close(new[] { 2.5, 4.5, 10.5, 12.5 }, r);
        using (Tensor r = F.adaptive_avg_pool2d(image, new long[] { 1, 1 })) Close(7.5, r);
    }

    [Fact]
    public void EmbeddingOneHotPad()
    {
        using Tensor table = tensor(new[] { 0.0, 0, 1, 1, 2, 2 }, new long[] { 3, 2 });
        using Tensor ids = tensor(new long[] { 2, 0, 2 });
        using (Tensor r = F.embedding(ids, table)) { Shape(r, 3, 2); Close(new double[] { 2, 2, 0, 0, 2, 2 }, r); }
        using (Tensor r = F.one_hot(ids, 4)) Assert.Equal(new long[] { 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1, 0 }, r.data<long>().ToArray());
        using Tensor x = tensor(new[] { 1.0, 2, 3 }, new long[] { 1, 3 });
        using (Tensor r = F.pad(x, new long[] { 1, 2 })) Close(new double[] { 0, 1, 2, 3, 0, 0 }, r);
        using (Tensor r = F.pad(x, new long[] { 1, 1 }, value: 9)) Close(new double[] { 9, 1, 2, 3, 9 }, r);
        using (Tensor r = F.pad(x.unsqueeze(0), new long[] { 2, 1 }, "reflect")) Close(new double[] { 3, 2, 1, 2, 3, 2 }, r);
        using (Tensor r = F.pad(x.unsqueeze(0), new long[] { 1, 1 }, "replicate")) Close(new double[] { 1, 1, 2, 3, 3 }, r);
    }

    [Fact]
    public void LossesMatchTheirFormulas()
    {
        double[] logits = { 2.0, 1.0, 0.1, 0.5, 2.5, 0.3 };
        using Tensor input = tensor(logits, new long[] { 2, 3 });
        using Tensor target = tensor(new long[] { 0, 1 });
        double Lse(int r) => Math.Log(Enumerable.Range(0, 3).Sum(c => Math.Exp(logits[r * 3 + c])));
        double ce0 = Lse(0) - logits[0], ce1 = Lse(1) - logits[4];
        using (Tensor r = F.cross_entropy(input, target)) Close((ce0 + ce1) / 2, r, 1e-12);
        using (Tensor r = F.cross_entropy(input, target, reduction: nn.Reduction.Sum)) Close(ce0 + ce1, r, 1e-12);
        using (Tensor r = F.cross_entropy(input, target, reduction: nn.Reduction.None)) Close(new[] { ce0, ce1 }, r, 1e-12);
        using Tensor ignored = tensor(new long[] { 0, -100 });
        using (Tensor r = F.cross_entropy(input, ignored)) Close(ce0, r, 1e-12);
        using (Tensor lsm = F.log_softmax(input, 1))
        using (Tensor r = F.nll_loss(lsm, target)) Close((ce0 + ce1) / 2, r, 1e-12);

        using Tensor a = tensor(new[] { 1.0, 2, 3 }), b = tensor(new[] { 1.5, 2, 5 });
        using (Tensor r = F.mse_loss(a, b)) Close((0.25 + 0 + 4) / 3, r, 1e-12);
        using (Tensor r = F.mse_loss(a, b, nn.Reduction.Sum)) Close(4.25, r, 1e-12);

        using Tensor z = tensor(new[] { -1.0, 0.5 }), y = tensor(new[] { 0.0, 1.0 });
        double Bce(double x, double t) => Math.Max(x, 0) - x * t + Math.Log(1 + Math.Exp(-Math.Abs(x)));
        using (Tensor r = F.binary_cross_entropy_with_logits(z, y)) Close((Bce(-1, 0) + Bce(0.5, 1)) / 2, r, 1e-12);
    }
}
