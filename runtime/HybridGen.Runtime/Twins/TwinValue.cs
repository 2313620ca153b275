using System;
using System.Collections.Generic;
using HybridGen.Native;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Twins;

/// <summary>What a value is: TorchScript's types that a twin takes or returns.</summary>
public enum TwinValueKind : byte
{
    None,
    Tensor,
    Int,
    Float,
    Bool,
    TensorList,
}

/// <summary>
/// An argument to or result of a graph twin: a tensor, an int, a float, a bool, a list of tensors, or None. The
/// generated code writes a call's arguments as these (tensors and numbers convert implicitly) and reads results
/// from them; it allocates nothing for tensors and numbers.
/// </summary>
public readonly struct TwinValue
{
    private readonly object? _ref;
    private readonly long _int;
    private readonly double _float;

    private TwinValue(TwinValueKind kind, object? reference, long i = 0, double d = 0)
    {
        Kind = kind;
        _ref = reference;
        _int = i;
        _float = d;
    }

    public TwinValueKind Kind { get; }

    public Tensor? Tensor => _ref as Tensor;

    /// <summary>The tensors of a list value.</summary>
    public Tensor[] Tensors => _ref as Tensor[] ?? throw new InvalidCastException($"the value is {Kind}, not a list of tensors");

    public long ToInt64() => Kind == TwinValueKind.Int ? _int : throw new InvalidCastException($"the value is {Kind}, not an int");

    public double ToDouble() => Kind == TwinValueKind.Float ? _float : Kind == TwinValueKind.Int ? _int : throw new InvalidCastException($"the value is {Kind}, not a float");

    public bool ToBoolean() => Kind == TwinValueKind.Bool ? _int != 0 : throw new InvalidCastException($"the value is {Kind}, not a bool");

    public static implicit operator TwinValue(Tensor tensor) => new(TwinValueKind.Tensor, tensor ?? throw new ArgumentNullException(nameof(tensor)));

    public static implicit operator TwinValue(long value) => new(TwinValueKind.Int, null, value);

    public static implicit operator TwinValue(double value) => new(TwinValueKind.Float, null, 0, value);

    public static implicit operator TwinValue(bool value) => new(TwinValueKind.Bool, null, value ? 1 : 0);

    /// <summary>A List[Tensor] argument (copied, so a later change to the caller's list cannot reach the call).</summary>
    public static TwinValue FromTensors(IReadOnlyList<Tensor> tensors)
    {
        if (tensors is null) throw new ArgumentNullException(nameof(tensors));
        var copy = new Tensor[tensors.Count];
        for (int k = 0; k < copy.Length; k++) copy[k] = tensors[k] ?? throw new ArgumentNullException(nameof(tensors), $"element {k} is null");
        return new TwinValue(TwinValueKind.TensorList, copy);
    }

    internal static TwinValue OwnedTensors(Tensor[] tensors) => new(TwinValueKind.TensorList, tensors);

    public static TwinValue None => default;

    /// <summary>A tensor, or None for null (a module's absent bias).</summary>
    public static TwinValue Optional(Tensor? tensor) => tensor is null ? None : (TwinValue)tensor;

    /// <summary>A number, or None for null (batch norm's momentum, pooling's divisor_override).</summary>
    public static TwinValue Optional(double? value) => value.HasValue ? (TwinValue)value.Value : None;

    public static TwinValue Optional(long? value) => value.HasValue ? (TwinValue)value.Value : None;

    /// <summary>"float32[64,256] cpu grad", read with the getters the dispatch key uses: a method's first call
    /// describes its signature, and TorchSharp's shape, device and enum-name paths cost milliseconds of first-use
    /// work there (a callback stub, a device object, enum reflection).</summary>
    private static string DescribeTensor(nint handle)
    {
        var text = new System.Text.StringBuilder(DTypeName(LibTorchSharp.DType(handle))).Append('[');
        long dimensions = LibTorchSharp.Dimensions(handle);
        for (long d = 0; d < dimensions; d++) text.Append(d == 0 ? "" : ",").Append(LibTorchSharp.Size(handle, d));
        text.Append("] ");
        int deviceType = LibTorchSharp.DeviceType(handle);
        if (deviceType == 0) text.Append("cpu");
        else if (deviceType == 1) text.Append("cuda:").Append(LibTorchSharp.DeviceIndex(handle));
        else text.Append(new Device((DeviceType)deviceType, LibTorchSharp.DeviceIndex(handle)).ToString()); // TorchSharp's name (mps, xpu...)
        if (LibTorchSharp.RequiresGrad(handle)) text.Append(" grad");
        return text.ToString();
    }

    private static string DTypeName(sbyte dtype) => (ScalarType)dtype switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.Float16 => "float16",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32",
        ScalarType.Int16 => "int16",
        ScalarType.Int8 => "int8",
        ScalarType.Byte => "byte",
        ScalarType.Bool => "bool",
        var other => other.ToString().ToLowerInvariant(),
    };

    /// <summary>A short description for reports: "float32[64,256] cpu grad", "int", "List[Tensor](3)".</summary>
    public string Describe() => Kind switch
    {
        TwinValueKind.Tensor when Tensor is { IsInvalid: false } t => DescribeTensor(t.Handle),
        TwinValueKind.Tensor => "tensor",
        TwinValueKind.Int => "int",
        TwinValueKind.Float => "float",
        TwinValueKind.Bool => "bool",
        TwinValueKind.TensorList => $"List[Tensor]({Tensors.Length})",
        _ => "None",
    };
}
