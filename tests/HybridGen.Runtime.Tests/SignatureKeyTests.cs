using HybridGen;
using static TorchSharp.torch;

namespace HybridGen.Runtime.Tests;

/// <summary>What the dispatch key groups: arguments by dtype, device, requires_grad and sizes; state tensors (a
/// module's parameters) by dtype, device and requires_grad only; and the grad mode where a tensor requires grad,
/// since a forward under no_grad then costs less than one that records a graph.</summary>
public class SignatureKeyTests
{
    private static ulong Key(Tensor argument, Tensor state)
    {
        var builder = new SignatureBuilder(false);
        builder.Add(argument);
        builder.AddState(state);
        return builder.Finish().key;
    }

    [Fact]
    public void ArgumentSizesCountStateSizesDoNot()
    {
        using Tensor a = ones(2, 3), b = ones(4, 3), w = ones(3, 3), w2 = ones(5, 5), w64 = ones(new long[] { 3, 3 }, ScalarType.Float64);
        Assert.NotEqual(Key(a, w), Key(b, w));               // another input shape: another signature
        Assert.Equal(Key(a, w), Key(a, w2));                 // a state tensor's shape: the same signature
        Assert.NotEqual(Key(a, w), Key(a, w64));             // its dtype: another signature
        using Tensor trainable = ones(3, 3).requires_grad_();
        Assert.NotEqual(Key(a, w), Key(a, trainable));       // its requires_grad: another signature
    }

    [Fact]
    public void GradModeIsPartOfTheKeyWhereATensorRequiresGrad()
    {
        using Tensor a = ones(2, 3), w = ones(3, 3).requires_grad_();
        ulong withGrad = Key(a, w);
        ulong without;
        using (no_grad()) without = Key(a, w);
        Assert.NotEqual(withGrad, without);
        Assert.Equal(withGrad, Key(a, w));
    }

    // Where no tensor requires grad, nothing is recorded in either mode: one signature, and the mode is not read.
    [Fact]
    public void GradModeDoesNotSplitCallsWhereNoTensorRequiresGrad()
    {
        using Tensor a = ones(2, 3), w = ones(3, 3);
        ulong withGrad = Key(a, w);
        ulong without;
        using (no_grad()) without = Key(a, w);
        Assert.Equal(withGrad, without);
    }
}
