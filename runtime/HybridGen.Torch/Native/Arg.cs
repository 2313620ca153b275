using System;
using System.Collections.Generic;
using System.Text;

namespace HybridGen.Torch.Native;

/// <summary>
/// One argument of a boxed ATen call, as the binding methods write them: <c>s_op.Call(this, other, 1.0)</c>.
/// It keeps the managed object it came from (a tensor, an array, a string) so <see cref="AtenOp"/> can pin or copy
/// it and keep it alive until the native call returns.
/// </summary>
internal readonly struct Arg
{
    public readonly NativeKind Kind;
    public readonly long Int;
    public readonly double Double;
    public readonly object? Ref;
    public readonly int Extra;

    private Arg(NativeKind kind, long i = 0, double d = 0, object? reference = null, int extra = 0)
    {
        Kind = kind;
        Int = i;
        Double = d;
        Ref = reference;
        Extra = extra;
    }

    public static readonly Arg None = default;

    public static implicit operator Arg(Tensor tensor) =>
        new(NativeKind.Tensor, reference: tensor ?? throw new ArgumentNullException(nameof(tensor)));
    public static implicit operator Arg(long value) => new(NativeKind.Int, i: value);
    public static implicit operator Arg(double value) => new(NativeKind.Double, d: value);
    public static implicit operator Arg(bool value) => new(NativeKind.Bool, i: value ? 1 : 0);
    public static implicit operator Arg(torch.ScalarType value) => new(NativeKind.Int, i: (long)value);
    public static implicit operator Arg(long[] values) =>
        new(NativeKind.IntList, reference: values ?? throw new ArgumentNullException(nameof(values)));
    public static implicit operator Arg(Tensor[] tensors) => TensorList(tensors);
    public static implicit operator Arg(string text) =>
        new(NativeKind.String, reference: text ?? throw new ArgumentNullException(nameof(text)));
    public static implicit operator Arg(torch.Device device) => new(NativeKind.Device, i: (long)device.type, extra: device.index);

    /// <summary>A Tensor? argument: null is None.</summary>
    public static Arg Optional(Tensor? tensor) => tensor is null ? None : tensor;
    public static Arg Optional(torch.ScalarType? dtype) => dtype is { } d ? d : None;
    public static Arg Optional(double? value) => value is { } v ? v : None;
    public static Arg Optional(long? value) => value is { } v ? v : None;
    public static Arg Optional(bool? value) => value is { } v ? v : None;
    public static Arg Optional(long[]? values) => values is null ? None : values;
    public static Arg Optional(torch.Device? device) => device is { } d ? d : None;
    public static Arg Optional(torch.Generator? generator) =>
        generator is null ? None : new Arg(NativeKind.Generator, reference: generator);

    public static Arg TensorList(IReadOnlyList<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Tensor[] copy = new Tensor[tensors.Count];
        for (int k = 0; k < copy.Length; k++) copy[k] = tensors[k] ?? throw new ArgumentNullException(nameof(tensors), $"element {k} is null");
        return new Arg(NativeKind.TensorList, reference: copy);
    }

    /// <summary>A Tensor?[] argument (advanced indexing): null entries are None.</summary>
    public static Arg OptionalTensorList(Tensor?[] tensors) => new(NativeKind.TensorList, reference: tensors, extra: 1);

    /// <summary>How many longs, handles and bytes this argument needs in the call's scratch buffers.</summary>
    internal (int longs, int handles, int bytes) ScratchSize() => Kind switch
    {
        NativeKind.IntList => (((long[])Ref!).Length, 0, 0),
        NativeKind.TensorList => (0, ((Tensor?[])Ref!).Length, 0),
        NativeKind.String => (0, 0, Encoding.UTF8.GetByteCount((string)Ref!)),
        _ => (0, 0, 0),
    };
}
