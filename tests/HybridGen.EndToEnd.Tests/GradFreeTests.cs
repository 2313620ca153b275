using System;
using System.Linq;
using HybridGen;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>Grad-free calls end to end: where no input requires grad, a generated twin that makes no views runs under
/// no_grad and its results behave as eager's; one that makes views runs in the caller's mode, since a view made
/// under no_grad could not later be modified in place with grad on (eager's can).</summary>
public static partial class GradFreeMethods
{
    [Hybridize(nameof(ScaledEager), Mode = DispatchMode.Graph)] public static partial Tensor Scaled(Tensor x);
    static Tensor ScaledEager(Tensor x) => (x * 2.0 + 1.0).tanh();

    [Hybridize(nameof(TransposedEager), Mode = DispatchMode.Graph)] public static partial Tensor Transposed(Tensor x);
    static Tensor TransposedEager(Tensor x) => (x * 2.0).t();
}

public class GradFreeTests
{
    [Fact]
    public void AViewFreeTwinIsMarkedGradFreeAndItsResultBehavesAsEagers()
    {
        Assert.False(Twins.Of<ValueTuple<Tensor>>(typeof(GradFreeMethods), "Scaled").Info.DependsOnGradMode);
        using Tensor x = randn(3, 2);
        using Tensor graph = GradFreeMethods.Scaled(x);
        using Tensor eager = (x * 2.0 + 1.0).tanh();
        Twins.AssertClose(eager, graph);
        Assert.False(graph.requires_grad);
        Assert.True(is_grad_enabled());
        // The result enters autograd later as eager's would.
        using Tensor w = ones(3, 2).requires_grad_();
        using Tensor loss = (graph * w).sum();
        loss.backward();
        Twins.AssertClose(eager, w.grad!);
    }

    [Fact]
    public void ATwinThatMakesAViewRunsInTheCallersModeSoItsViewCanBeModifiedInPlaceWithGrad()
    {
        Assert.True(Twins.Of<ValueTuple<Tensor>>(typeof(GradFreeMethods), "Transposed").Info.DependsOnGradMode);
        using Tensor x = randn(3, 2);
        using Tensor graph = GradFreeMethods.Transposed(x);
        using Tensor w = ones(2, 3).requires_grad_();
        // Eager's view allows this; a view made under no_grad would throw "A view was created in no_grad mode...".
        graph.add_(w);
        Assert.True(graph.requires_grad);
        using Tensor expected = (x * 2.0).t() + 1.0;
        Twins.AssertClose(expected.detach(), graph.detach());
    }
}
