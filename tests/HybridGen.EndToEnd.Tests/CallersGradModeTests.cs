using System;
using HybridGen;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HybridGen.EndToEnd.Tests;

/// <summary>A twin runs in the caller's grad mode, also where no input requires grad: a view it made under no_grad
/// (a transpose, or one made inside a composite op such as avg_pool1d) would fail a later in-place op with grad on
/// ("A view was created in no_grad mode..."), where eager's view, made in grad mode, does not.</summary>
public static partial class GradModeMethods
{
    [Hybridize(nameof(TransposedEager), Mode = DispatchMode.Graph)] public static partial Tensor Transposed(Tensor x);
    static Tensor TransposedEager(Tensor x) => (x * 2.0).t();

    [Hybridize(nameof(PooledEager), Mode = DispatchMode.Graph)] public static partial Tensor Pooled(Tensor x);
    static Tensor PooledEager(Tensor x) => F.avg_pool1d(x * 2.0, 2);
}

public class CallersGradModeTests
{
    [Fact]
    public void AViewTheTwinMadeCanBeModifiedInPlaceWithGradAsEagersCan()
    {
        using Tensor x = randn(3, 2);
        using Tensor graph = GradModeMethods.Transposed(x);
        using Tensor w = ones(2, 3).requires_grad_();
        graph.add_(w);
        Assert.True(graph.requires_grad);
        using Tensor expected = (x * 2.0).t() + 1.0;
        Twins.AssertClose(expected.detach(), graph.detach());
    }

    [Fact]
    public void AViewMadeInsideACompositeOpToo()
    {
        using Tensor x = randn(2, 3, 8);
        using Tensor graph = GradModeMethods.Pooled(x);
        using Tensor w = ones(2, 3, 4).requires_grad_();
        graph.add_(w); // avg_pool1d ends in a squeeze: a view of its own intermediate
        Assert.True(graph.requires_grad);
        using Tensor expected = F.avg_pool1d(x * 2.0, 2) + 1.0;
        Twins.AssertClose(expected.detach(), graph.detach());
    }
}
