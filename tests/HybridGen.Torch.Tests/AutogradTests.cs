using System;
using System.Threading;
using HybridGen.Torch;
using static HybridGen.Torch.torch;
using static HybridGen.Torch.Tests.Check;
using F = HybridGen.Torch.torch.nn.functional;

namespace HybridGen.Torch.Tests;

/// <summary>Gradients of composite functions against central finite differences, in float64.</summary>
public class AutogradTests
{
    private static void GradientMatchesFiniteDifferences(Func<Tensor, Tensor> f, double[] at)
    {
        using Tensor x = tensor(at, requires_grad: true);
        using (Tensor y = f(x)) y.backward();
        using Tensor grad = x.grad!;
        double[] analytic = Values(grad);
        const double h = 1e-6;
        for (int i = 0; i < at.Length; i++)
        {
            double[] plus = (double[])at.Clone(), minus = (double[])at.Clone();
            plus[i] += h;
            minus[i] -= h;
            double numeric;
            using (no_grad())
            using (Tensor xp = tensor(plus), xm = tensor(minus))
            using (Tensor fp = f(xp), fm = f(xm))
                numeric = (fp.item<double>() - fm.item<double>()) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic[i]) < 1e-5 * (1 + Math.Abs(numeric)), $"d/dx[{i}]: finite differences {numeric}, autograd {analytic[i]}");
        }
    }

    [Fact]
    public void ElementwiseChain() =>
        GradientMatchesFiniteDifferences(x => (x.tanh() * x.sigmoid() + x.pow(3) / 3.0 - x.exp() * 0.1).sum(), new[] { -1.2, 0.3, 0.8, 2.0 });

    [Fact]
    public void MatmulSoftmaxLogsumexp() =>
        GradientMatchesFiniteDifferences(x =>
        {
            using Tensor m = x.reshape(2, 2);
            using Tensor w = tensor(new[] { 0.5, -1.0, 2.0, 0.25 }, new long[] { 2, 2 });
            using Tensor s = F.softmax(m.matmul(w), 1);
            using Tensor l = (s * m).logsumexp(0);
            return l.sum();
        }, new[] { 0.1, -0.4, 1.3, 0.7 });

    [Fact]
    public void LayerNormAndCrossEntropy() =>
        GradientMatchesFiniteDifferences(x =>
        {
            using Tensor logits = F.layer_norm(x.reshape(2, 3), new long[] { 3 });
            using Tensor target = tensor(new long[] { 2, 0 });
            return F.cross_entropy(logits, target);
        }, new[] { 0.2, 1.5, -0.3, 0.9, -1.1, 0.4 });

    [Fact]
    public void GradientsAccumulateAndClear()
    {
        using Tensor x = tensor(new[] { 1.0, 2.0 }, requires_grad: true);
        for (int i = 0; i < 2; i++)
            using (Tensor y = (x * x).sum()) y.backward();
        using (Tensor g = x.grad!) Close(new[] { 4.0, 8.0 }, g); // 2x, twice
        x.grad = null;
        Assert.Null(x.grad);
    }

    [Fact]
    public void NoGradDetachAndRequiresGrad()
    {
        using Tensor x = tensor(new[] { 1.0 }, requires_grad: true);
        Assert.True(is_grad_enabled());
        using (no_grad())
        {
            Assert.False(is_grad_enabled());
            using Tensor y = x * 2.0;
            Assert.False(y.requires_grad);
            using (enable_grad())
            using (Tensor z = x * 2.0)
                Assert.True(z.requires_grad);
        }
        Assert.True(is_grad_enabled());
        using Tensor d = x.detach();
        Assert.False(d.requires_grad);
        using Tensor t = ones(1);
        t.requires_grad = true;
        Assert.True(t.requires_grad);
        using Tensor noGrad = ones(1) * 2.0;
        Assert.Throws<TorchException>(() => noGrad.sum().backward()); // nothing requires grad
    }

    [Fact]
    public void GradModeIsPerThread()
    {
        using (no_grad())
        {
            bool other = false;
            var thread = new Thread(() => other = is_grad_enabled());
            thread.Start();
            thread.Join();
            Assert.True(other);
            Assert.False(is_grad_enabled());
        }
    }
}
