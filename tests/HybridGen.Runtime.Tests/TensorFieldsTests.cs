using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using HybridGen.Native;
using HybridGen.Twins;
using static TorchSharp.torch;

namespace HybridGen.Runtime.Tests;

/// <summary>The dispatch key reads dense CPU tensors' fields in place (TensorFields): what it reads must be what
/// TorchSharp's getters say, tensors it cannot read must be left to the getters, and a key must not depend on the
/// way its tensors were read.</summary>
public unsafe class TensorFieldsTests
{
    internal static void EnsureCalibrated()
    {
        TensorFields.Calibration.Start();
        var clock = Stopwatch.StartNew();
        while (!TensorFields.Calibration.Ready && clock.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(10);
    }

    // The libtorch this project pins must pass the calibration; where it does not, every key silently takes the
    // slow path, which is what this test is here to notice.
    [Fact]
    public void TheFieldsAreFoundOnThisLibtorch()
    {
        EnsureCalibrated();
        Assert.True(TensorFields.Available);
        Assert.True(TensorFields.Calibration.Ready);
    }

    public static IEnumerable<object[]> DenseTensors()
    {
        yield return new object[] { "float32 [2,3]", (Func<Tensor>)(() => ones(2, 3)) };
        yield return new object[] { "0-dim", (Func<Tensor>)(() => tensor(3.5)) };
        yield return new object[] { "int64 [7]", (Func<Tensor>)(() => arange(7)) };
        yield return new object[] { "5 dims", (Func<Tensor>)(() => zeros(new long[] { 1, 2, 3, 4, 5 }, ScalarType.Int32)) };
        yield return new object[] { "empty", (Func<Tensor>)(() => zeros(0, 9)) };
        yield return new object[] { "bool", (Func<Tensor>)(() => ones(4, 1, dtype: ScalarType.Bool)) };
        yield return new object[] { "float64", (Func<Tensor>)(() => ones(3, 3, dtype: ScalarType.Float64)) };
        yield return new object[] { "transpose", (Func<Tensor>)(() => randn(4, 6).t()) };
        yield return new object[] { "slice", (Func<Tensor>)(() => randn(8, 2)[2..5]) };
        yield return new object[] { "expand", (Func<Tensor>)(() => randn(1, 3).expand(5, 3)) };
        yield return new object[] { "leaf with grad", (Func<Tensor>)(() => ones(2, 2).requires_grad_()) };
        yield return new object[] { "result with grad_fn", (Func<Tensor>)(() => ones(2, 2).requires_grad_() * 3) };
        yield return new object[] { "grad turned off again", (Func<Tensor>)(() => ones(2, 2).requires_grad_().requires_grad_(false)) };
        yield return new object[] { "reshaped in place", (Func<Tensor>)(() => zeros(3, 1, 2).squeeze_(1).unsqueeze_(0)) };
    }

    [Theory]
    [MemberData(nameof(DenseTensors))]
    public void WhatIsReadIsWhatTheGettersSay(string name, Func<Tensor> make)
    {
        EnsureCalibrated();
        using Tensor t = make();
        Assert.True(TensorFields.TryRead(t.Handle, out sbyte dtype, out int deviceIndex, out bool requiresGrad, out int dimensions, out long* sizes), name);
        Assert.Equal((sbyte)t.dtype, dtype);
        Assert.Equal(t.device_index, deviceIndex);
        Assert.Equal(t.requires_grad, requiresGrad);
        Assert.Equal(t.shape.Length, dimensions);
        for (int d = 0; d < dimensions; d++) Assert.Equal(t.shape[d], sizes[d]);
    }

    [Fact]
    public void TensorsItCannotReadGoToTheGetters()
    {
        EnsureCalibrated();
        // More than 5 dimensions: the sizes are not kept inline.
        using Tensor six = zeros(new long[] { 1, 2, 1, 2, 1, 2 });
        Assert.False(TensorFields.TryRead(six.Handle, out _, out _, out _, out _, out _));
        // A sparse tensor is another TensorImpl class.
        using Tensor dense = eye(3);
        using Tensor sparse = dense.to_sparse();
        Assert.False(TensorFields.TryRead(sparse.Handle, out _, out _, out _, out _, out _));
        Assert.False(TensorFields.TryRead(0, out _, out _, out _, out _, out _));
    }

    // Both keys (the signature and the ONNX specialization), whether the fields are read in place or through the
    // getters, and the specialization the same taken with the signature or alone.
    [Fact]
    public void KeysAreTheSameReadEitherWay()
    {
        EnsureCalibrated();
        using Tensor a = randn(3, 4), b = randn(4, 3).t(), c = ones(2).requires_grad_(), six = zeros(new long[] { 1, 2, 1, 2, 1, 2 });
        using Tensor w = randn(5, 5), wg = randn(5).requires_grad_();
        TwinValue[] arguments = { a, b, c, six, TwinValue.None, w, wg, 3L, TwinValue.FromTensors(new[] { w, a }) };
        var keys = new List<(ulong signature, ulong specialization, ulong alone)>();
        for (int way = 0; way < 2; way++)
        {
            using IDisposable? getters = way == 1 ? TensorFields.Calibration.GettersOnly() : null;
            var builder = new SignatureBuilder(false);
            builder.AddArguments(arguments, 5);
            keys.Add((builder.Finish().key, builder.Specialization, SignatureBuilder.SpecializationOf(arguments)));
        }
        Assert.Equal(keys[0], keys[1]);
        Assert.Equal(keys[0].specialization, keys[0].alone);
    }

    [Fact]
    public void AnInPlaceReshapeChangesTheKey()
    {
        EnsureCalibrated();
        using Tensor t = zeros(3, 1, 2);
        ulong before = Key(t);
        t.squeeze_(1);
        Assert.NotEqual(before, Key(t));
        t.unsqueeze_(1);
        Assert.Equal(before, Key(t));
    }

    private static ulong Key(Tensor t)
    {
        var builder = new SignatureBuilder(false);
        builder.AddArguments(new TwinValue[] { t }, 1);
        return builder.Finish().key;
    }
}
