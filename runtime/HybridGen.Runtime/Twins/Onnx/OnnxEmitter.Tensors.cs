using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

// Tensors in the graph being built: constants, casts, TorchSharp's type promotion made explicit (ONNX ops take
// operands of one type), broadcasting of known shapes.
internal sealed partial class OnnxEmitter
{
    private int _constants;

    /// <summary>A constant of the model (an initializer), copied from the tensor <paramref name="make"/> makes, which
    /// is freed at once.</summary>
    private string ConstantOf(Func<Tensor> make)
    {
        using var scope = NewDisposeScope();
        return _graph.Initializer($"c{_constants++}", make());
    }

    /// <summary>An int64 1-D constant (axes, shapes, slice bounds).</summary>
    private string Constant(long[] values) => ConstantOf(() => torch.tensor(values, ScalarType.Int64));

    /// <summary>An int64 0-d constant (a Gather index that removes its dimension).</summary>
    private string ScalarIndex(long index) => ConstantOf(() => torch.tensor(index, ScalarType.Int64));

    /// <summary>A constant of <paramref name="shape"/> filled with <paramref name="value"/>.</summary>
    private string Full(long[] shape, double value, ScalarType dtype) => ConstantOf(() => torch.full(shape, value, ScalarType.Float64).to(dtype));

    /// <summary>A 0-d constant of <paramref name="dtype"/>: a host number taking a tensor's type, as TorchSharp's
    /// scalar arguments do (a float32 tensor times 2.0 stays float32).</summary>
    private OnnxTensor Scalar(double value, ScalarType dtype) => new(ConstantOf(() => dtype switch
    {
        ScalarType.Float32 or ScalarType.Float64 => torch.tensor(value, dtype),
        ScalarType.Bool => torch.tensor(value != 0),
        _ => torch.tensor((long)value, ScalarType.Int64).to(dtype),
    }), dtype, Array.Empty<long?>());

    private OnnxTensor Cast(OnnxTensor value, ScalarType to) => value.DType == to ? value
        : new OnnxTensor(_graph.Node("Cast", new[] { value.Name }, OnnxAttribute.Of("to", (long)OnnxTypes.ElementType(to))), to, value.Shape);

    private OnnxTensor Node(string op, IReadOnlyList<OnnxTensor> inputs, ScalarType dtype, long?[]? shape, params OnnxAttribute[] attributes) =>
        new(_graph.Node(op, inputs.Select(i => i.Name).ToArray(), attributes), dtype, shape);

    private static OnnxTensor TensorArg(OnnxValue value, string what) =>
        value as OnnxTensor ?? throw new NoOnnxFormException($"{what}: a tensor expected, not {Describe(value)}");

    internal static bool IsFloating(ScalarType t) => t is ScalarType.Float32 or ScalarType.Float64 or ScalarType.Float16 or ScalarType.BFloat16;

    private static int Category(ScalarType t) => t == ScalarType.Bool ? 0 : IsFloating(t) ? 2 : 1;

    private static int Order(ScalarType t) => t switch
    {
        ScalarType.Bool => 0, ScalarType.Byte => 1, ScalarType.Int8 => 2, ScalarType.Int16 => 3, ScalarType.Int32 => 4,
        ScalarType.Int64 => 5, ScalarType.Float32 => 7, ScalarType.Float64 => 8,
        _ => throw new NoOnnxFormException($"a {t} tensor"),
    };

    private static ScalarType Promote(ScalarType a, ScalarType b)
    {
        if (a == b) return a;
        if ((a, b) is (ScalarType.Byte, ScalarType.Int8) or (ScalarType.Int8, ScalarType.Byte)) return ScalarType.Int16;
        return Order(a) >= Order(b) ? a : b;
    }

    /// <summary>TorchSharp's (libtorch's) result type of an op over tensors and host numbers: tensors with dimensions
    /// decide, then zero-dimension tensors and host numbers only where they are of a higher category (bool, integer,
    /// floating); a host float with integer tensors gives the default float32.</summary>
    private static ScalarType ResultType(IReadOnlyList<OnnxValue> operands)
    {
        ScalarType? dimensioned = null, zeroDim = null;
        int scalarCategory = -1;
        foreach (OnnxValue operand in operands)
        {
            switch (operand)
            {
                case OnnxTensor { Rank: 0 } t:
                    zeroDim = zeroDim is { } z ? Promote(z, t.DType) : t.DType;
                    break;
                case OnnxTensor t:
                    dimensioned = dimensioned is { } d ? Promote(d, t.DType) : t.DType;
                    break;
                case OnnxHost { Value: bool }:
                    scalarCategory = Math.Max(scalarCategory, 0);
                    break;
                case OnnxHost { Value: long }:
                    scalarCategory = Math.Max(scalarCategory, 1);
                    break;
                case OnnxHost { Value: double }:
                    scalarCategory = Math.Max(scalarCategory, 2);
                    break;
                default:
                    throw new NoOnnxFormException("an operand that is " + Describe(operand));
            }
        }
        ScalarType? result = dimensioned;
        if (zeroDim is { } zd && (result is null || Category(zd) > Category(result.Value))) result = zeroDim;
        if (scalarCategory >= 0 && (result is null || scalarCategory > Category(result.Value)))
            result = scalarCategory switch { 0 => ScalarType.Bool, 1 => ScalarType.Int64, _ => ScalarType.Float32 };
        return result ?? throw new NoOnnxFormException("an op on host numbers only");
    }

    /// <summary>An operand as a tensor of <paramref name="dtype"/> (a host number becomes a constant).</summary>
    private OnnxTensor Operand(OnnxValue value, ScalarType dtype) => value switch
    {
        OnnxTensor t => Cast(t, dtype),
        OnnxHost { Value: long or double or bool } => Scalar(Float(value), dtype),
        _ => throw new NoOnnxFormException("an operand that is " + Describe(value)),
    };

    private static long?[]? ShapeOf(OnnxValue value) => value switch
    {
        OnnxTensor t => t.Shape,
        _ => Array.Empty<long?>(),
    };

    /// <summary>The broadcast of two shapes as far as known.</summary>
    private static long?[]? Broadcast(long?[]? a, long?[]? b)
    {
        if (a is null || b is null) return null;
        int rank = Math.Max(a.Length, b.Length);
        var shape = new long?[rank];
        for (int k = 0; k < rank; k++)
        {
            long? x = k < rank - a.Length ? 1 : a[k - (rank - a.Length)];
            long? y = k < rank - b.Length ? 1 : b[k - (rank - b.Length)];
            shape[k] = x == 1 ? y : y == 1 ? x : x == y ? x : x ?? y;
        }
        return shape;
    }

    /// <summary>An elementwise op over tensors and host numbers, operands cast to the promoted type;
    /// <paramref name="resultType"/> overrides the result's type (comparisons: bool).</summary>
    private OnnxTensor Elementwise(string op, IReadOnlyList<OnnxValue> operands, ScalarType? computeType = null, ScalarType? resultType = null)
    {
        ScalarType type = computeType ?? ResultType(operands);
        long?[]? shape = Array.Empty<long?>();
        foreach (OnnxValue operand in operands) shape = Broadcast(shape, ShapeOf(operand));
        OnnxTensor[] inputs = operands.Select(o => Operand(o, type)).ToArray();
        return Node(op, inputs, resultType ?? type, shape);
    }

    private OnnxTensor Unsqueeze(OnnxTensor value, int axis)
    {
        long?[]? shape = value.Shape is null ? null : value.Shape.Take(axis).Append(1).Concat(value.Shape.Skip(axis)).ToArray();
        return new OnnxTensor(_graph.Node("Unsqueeze", new[] { value.Name, Constant(new long[] { axis }) }), value.DType, shape, viewOf: value);
    }

    private OnnxTensor Transpose(OnnxTensor value, int[] perm) =>
        new(_graph.Node("Transpose", new[] { value.Name }, OnnxAttribute.Of("perm", perm.Select(p => (long)p).ToArray())), value.DType,
            value.Shape is null ? null : perm.Select(p => value.Shape[p]).ToArray(), viewOf: value);

    /// <summary>A list of sizes as an int64 1-D tensor: host numbers and size tensors concatenated.</summary>
    private string Sizes(OnnxValue value, out long?[] known)
    {
        List<OnnxValue> items = value switch
        {
            OnnxList list => list.Items,
            OnnxTuple tuple => tuple.Items.ToList(),
            OnnxHost { Value: long } => new List<OnnxValue> { value },
            _ => throw new NoOnnxFormException("a list of sizes expected, not " + Describe(value)),
        };
        known = items.Select(i => i is OnnxHost { Value: long l } ? l : (long?)null).ToArray();
        if (items.All(i => i is OnnxHost { Value: long })) return Constant(known.Select(k => k!.Value).ToArray());
        var parts = items.Select(i => i is OnnxTensor { IsSize: true } size ? size.Name : Constant(new[] { Int(i) })).ToArray();
        return _graph.Node("Concat", parts, OnnxAttribute.Of("axis", 0L));
    }

    /// <summary><paramref name="value"/> as one dimension (reshape to [-1]).</summary>
    private OnnxTensor Flat(OnnxTensor value) => Reshape(value, new[] { -1L });

    /// <summary><paramref name="value"/> reshaped to sizes the signature fixes (at most one -1).</summary>
    private OnnxTensor Reshape(OnnxTensor value, IEnumerable<long> sizes) =>
        Reshape(value, new OnnxList(sizes.Select(d => (OnnxValue)new OnnxHost(d)).ToList()));

    private OnnxTensor Reshape(OnnxTensor value, OnnxValue sizes)
    {
        string shape = Sizes(sizes, out long?[] known);
        // A -1 entry is the rest of the elements: known where all other sizes and the input's are.
        long?[] result = known.ToArray();
        int rest = Array.IndexOf(result, -1L);
        if (rest >= 0)
        {
            result[rest] = null;
            if (value.ShapeKnown && result.Where((_, k) => k != rest).All(d => d.HasValue))
            {
                long others = result.Where((_, k) => k != rest).Aggregate(1L, (p, d) => p * d!.Value);
                if (others != 0) result[rest] = value.StaticShape().Aggregate(1L, (p, d) => p * d) / others;
            }
        }
        // ONNX's Reshape reads a 0 as "keep that dimension" unless allowzero; aten's view makes it an empty one.
        var attributes = known.Contains(0L) ? new[] { OnnxAttribute.Of("allowzero", 1L) } : Array.Empty<OnnxAttribute>();
        return new OnnxTensor(_graph.Node("Reshape", new[] { value.Name, shape }, attributes), value.DType, result, viewOf: value);
    }

    private OnnxTensor Flatten(OnnxTensor value, long startDim, long endDim)
    {
        int rank = value.Rank ?? throw new NoOnnxFormException("flatten of a tensor whose rank is not known");
        if (rank == 0) return Reshape(value, new[] { 1L });
        int start = Axis(startDim, rank), end = Axis(endDim, rank);
        if (start > end) throw new NoOnnxFormException("flatten with start_dim after end_dim");
        if (start == end) return value;
        var sizes = new List<OnnxValue>();
        for (int d = 0; d < start; d++) sizes.Add(Size(value, d));
        sizes.Add(new OnnxHost(-1L));
        for (int d = end + 1; d < rank; d++) sizes.Add(Size(value, d));
        // At most one -1: dimensions before and after are copied (sizes, computed where the signature does not fix them).
        return Reshape(value, new OnnxList(sizes));
    }

    private OnnxTensor Slice(OnnxTensor value, int axis, long start, long end, long step)
    {
        long?[]? shape = value.Shape?.ToArray();
        if (shape is not null)
        {
            shape[axis] = shape[axis] is { } n && step > 0 ? SliceLength(n, start, end, step) : null;
        }
        string node = _graph.Node("Slice", new[] { value.Name, Constant(new[] { start }), Constant(new[] { end }), Constant(new long[] { axis }), Constant(new[] { step }) });
        return new OnnxTensor(node, value.DType, shape, viewOf: value);
    }

    private static long SliceLength(long n, long start, long end, long step)
    {
        long s = start < 0 ? Math.Max(0, start + n) : Math.Min(start, n);
        long e = end < 0 ? Math.Max(0, end + n) : Math.Min(end, n);
        return e <= s ? 0 : (e - s + step - 1) / step;
    }
}
