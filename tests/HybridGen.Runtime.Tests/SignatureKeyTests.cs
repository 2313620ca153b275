using HybridGen;
using HybridGen.Twins;
using static TorchSharp.torch;

namespace HybridGen.Runtime.Tests;

/// <summary>What the dispatch key groups: arguments by dtype, device, requires_grad and sizes; state tensors (a
/// module's parameters) by dtype, device and requires_grad only; and the grad mode where a tensor requires grad,
/// since a forward under no_grad then costs less than one that records a graph.</summary>
public class SignatureKeyTests
{
    private static ulong Key(Tensor argument, Tensor state) => Key(1, argument, state);

    // As the dispatcher keys a call: from its twin arguments, the first parameterCount of them the method's parameters.
    private static ulong Key(int parameterCount, params TwinValue[] arguments) => Key(false, parameterCount, arguments);

    private static ulong Key(bool specializeOnScalars, int parameterCount, params TwinValue[] arguments)
    {
        var builder = new SignatureBuilder(specializeOnScalars);
        builder.AddArguments(arguments, parameterCount);
        return builder.Finish().key;
    }

    [Fact]
    public void ListsNoneAndScalarsAreKeyed()
    {
        using Tensor a = ones(2, 3), b = ones(4, 3);
        // A list's length and each tensor's sizes (where it is a parameter) count.
        Assert.NotEqual(Key(1, TwinValue.FromTensors(new[] { a })), Key(1, TwinValue.FromTensors(new[] { a, a })));
        Assert.NotEqual(Key(1, TwinValue.FromTensors(new[] { a, a })), Key(1, TwinValue.FromTensors(new[] { a, b })));
        // An absent optional tensor is not a tensor.
        Assert.NotEqual(Key(1, a, TwinValue.None), Key(1, a, a));
        // Numbers count only where a backend specializes on them (a captured CUDA graph).
        Assert.Equal(Key(1, a, 2L, 0.5, true), Key(1, a, 3L, 0.25, false));
        Assert.NotEqual(Key(true, 1, a, 2L), Key(true, 1, a, 3L));
        Assert.NotEqual(Key(true, 1, a, 0.5), Key(true, 1, a, 0.25));
        Assert.NotEqual(Key(true, 1, a, true), Key(true, 1, a, false));
    }

    // The ONNX route's specialization key is taken in the signature's pass; it must be the key the ONNX twin computes
    // alone (forced calls, builds started after a call), or one model would be built twice under two keys.
    [Fact]
    public void TheSpecializationTakenWithTheSignatureIsTheOneTakenAlone()
    {
        TensorFieldsTests.EnsureCalibrated();
        using Tensor a = ones(2, 3), w = ones(3, 3).requires_grad_(), l1 = ones(4), l2 = ones(2, 2);
        TwinValue[] arguments = { a, w, 3L, 0.5, true, TwinValue.FromTensors(new[] { l1, l2 }), TwinValue.None };
        foreach (bool scalars in new[] { false, true })
        {
            var builder = new SignatureBuilder(scalars);
            builder.AddArguments(arguments, 1);
            Assert.Equal(SignatureBuilder.SpecializationOf(arguments), SignatureBuilder.WithThreads(builder.RawSpecialization));
            Assert.Equal(SignatureBuilder.SpecializationOf(arguments), builder.Specialization);
        }
    }

    // Unlike the signature, the specialization keys every tensor's shape (state too) and every number's value.
    [Fact]
    public void TheSpecializationKeysStateShapesAndNumbers()
    {
        using Tensor a = ones(2, 3), w = ones(3, 3), w2 = ones(5, 5), flat = ones(9);
        ulong Of(params TwinValue[] arguments) => SignatureBuilder.SpecializationOf(arguments);
        Assert.NotEqual(Of(a, w), Of(a, w2));
        Assert.NotEqual(Of(a, w), Of(a, flat));
        Assert.NotEqual(Of(a, 2L), Of(a, 3L));
        Assert.NotEqual(Of(a, 0.5), Of(a, 0.25));
        Assert.NotEqual(Of(a, true), Of(a, false));
        Assert.NotEqual(Of(a, TwinValue.None), Of(a, 0L));
        Assert.Equal(Of(a, w), Of(a, w));
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
