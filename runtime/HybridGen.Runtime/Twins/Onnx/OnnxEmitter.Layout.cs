using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

// Catalog ops that pick, repeat, order or reshape elements, with no single ONNX node of the same meaning: select,
// take, tile, repeat_interleave, unflatten, ravel, swapdims, sort/argsort/topk (TopK), nonzero.
internal sealed partial class OnnxEmitter
{
    /// <summary>The op's ONNX form, or null where this file has none.</summary>
    private OnnxValue? Layout(string name, string callee, List<OnnxValue> a, Dictionary<string, OnnxValue> named)
    {
        OnnxValue Arg(int index, string keyword, OnnxValue? fallback = null) =>
            ArgumentOf(a, named, index, keyword, fallback) ?? throw new NoOnnxFormException($"{callee} without its argument {keyword}");
        switch (name)
        {
            case "flip" or "fliplr" or "flipud":
            {
                OnnxTensor x = TensorArg(a[0], callee);
                int rank = x.Rank ?? throw new NoOnnxFormException($"{name} of a tensor whose rank is not known");
                long[] dims = name == "fliplr" ? new[] { 1L } : name == "flipud" ? new[] { 0L }
                    : a.Count == 2 && a[1] is OnnxList list ? Ints(list) : a.Skip(1).Select(Int).ToArray();
                if (dims.Length == 0) return Copy(x);
                int[] axes = dims.Select(d => Axis(d, rank)).ToArray();
                // A slice from the end backwards: start -1, end before the first element, step -1.
                string node = _graph.Node("Slice", new[] { x.Name, Constant(axes.Select(_ => -1L).ToArray()), Constant(axes.Select(_ => long.MinValue).ToArray()),
                    Constant(axes.Select(d => (long)d).ToArray()), Constant(axes.Select(_ => -1L).ToArray()) });
                return new OnnxTensor(node, x.DType, x.Shape);
            }
            case "expand" or "broadcast_to" or "expand_as":
            {
                // A view in aten, a copy here: it is marked a view of its input, so no in-place op writes through it.
                OnnxTensor x = TensorArg(a[0], callee);
                long[] sizes = name == "expand_as" ? TensorArg(a[1], callee).StaticShape() : a[1] is OnnxList list ? Ints(list) : a.Skip(1).TakeWhile(v => v is OnnxHost { Value: long }).Select(Int).ToArray();
                if (!x.ShapeKnown) throw new NoOnnxFormException($"{name} of a tensor whose shape the signature does not fix");
                long[] shape = x.StaticShape();
                int lead = sizes.Length - shape.Length;
                if (lead < 0) throw new NoOnnxFormException($"{name} to fewer dimensions");
                long[] target = sizes.Select((s, k) => s == -1 && k >= lead ? shape[k - lead] : s).ToArray();
                var result = new OnnxTensor(_graph.Node("Expand", new[] { x.Name, Constant(target) }), x.DType, target.Select(d => (long?)d).ToArray(), viewOf: x);
                return result;
            }
            case "ravel" when a.Count == 1:
                return Flat(TensorArg(a[0], callee));
            case "select" when a.Count == 3:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                int rank = x.Rank ?? throw new NoOnnxFormException("select of a tensor whose rank is not known");
                int axis = Axis(Int(a[1]), rank);
                long index = Int(a[2]);
                if (index < 0)
                    index += x.Shape![axis] ?? throw new NoOnnxFormException("select from the end of a dimension the signature does not fix");
                long?[] shape = x.Shape!.Where((_, k) => k != axis).ToArray();
                var at = new OnnxTensor(ScalarIndex(index), ScalarType.Int64, Array.Empty<long?>());
                // A view in aten (as unbind's pieces): no in-place op writes through it.
                return new OnnxTensor(_graph.Node("Gather", new[] { x.Name, at.Name }, OnnxAttribute.Of("axis", (long)axis)), x.DType, shape, viewOf: x);
            }
            case "take" when a.Count == 2:
            {
                OnnxTensor x = TensorArg(a[0], callee), index = TensorArg(a[1], callee);
                if (!x.ShapeKnown) throw new NoOnnxFormException("take from a tensor whose shape the signature does not fix");
                // Negative indices count from the end of the flattened tensor, as ONNX's Gather counts them.
                OnnxTensor flat = Flat(x);
                return Node("Gather", new[] { flat, Cast(index, ScalarType.Int64) }, x.DType, index.Shape, OnnxAttribute.Of("axis", 0L));
            }
            case "tile" when a.Count == 2:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (!x.ShapeKnown) throw new NoOnnxFormException("tile of a tensor whose shape the signature does not fix");
                long[] reps = Ints(a[1]);
                // Fewer repetitions than dimensions: ones in front; more: the tensor gains leading dimensions.
                while (reps.Length < x.Rank) reps = reps.Prepend(1L).ToArray();
                while (x.Rank < reps.Length) x = Unsqueeze(x, 0);
                long?[] shape = x.Shape!.Select((d, k) => d * reps[k]).ToArray();
                return new OnnxTensor(_graph.Node("Tile", new[] { x.Name, Constant(reps) }), x.DType, shape);
            }
            case "repeat_interleave" when a[1] is OnnxHost { Value: long repeats }:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (!x.ShapeKnown) throw new NoOnnxFormException("repeat_interleave of a tensor whose shape the signature does not fix");
                OnnxValue dim = Arg(2, "dim", OnnxValue.None);
                if (dim is OnnxHost { Value: null })
                {
                    x = Flat(x);
                    dim = new OnnxHost(0L);
                }
                int rank = x.Rank!.Value, axis = Axis(Int(dim), rank);
                // Each element repeated in place: a new dimension after the axis, tiled, then merged into it.
                OnnxTensor inner = Unsqueeze(x, axis + 1);
                long[] tiles = Enumerable.Repeat(1L, rank + 1).ToArray();
                tiles[axis + 1] = repeats;
                long?[] tiledShape = inner.Shape!.Select((d, k) => d * tiles[k]).ToArray();
                var tiled = new OnnxTensor(_graph.Node("Tile", new[] { inner.Name, Constant(tiles) }), x.DType, tiledShape);
                long[] merged = x.StaticShape();
                merged[axis] *= repeats;
                return Reshape(tiled, merged);
            }
            case "unflatten" when a.Count == 3:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (!x.ShapeKnown) throw new NoOnnxFormException("unflatten of a tensor whose shape the signature does not fix");
                int axis = Axis(Int(a[1]), x.Rank!.Value);
                long[] shape = x.StaticShape();
                long[] sizes = Ints(a[2]);
                if (sizes.Count(s => s == -1) == 1)
                {
                    long known = sizes.Where(s => s != -1).Aggregate(1L, (p, s) => p * s);
                    sizes = sizes.Select(s => s == -1 ? shape[axis] / known : s).ToArray();
                }
                long[] result = shape.Take(axis).Concat(sizes).Concat(shape.Skip(axis + 1)).ToArray();
                return Reshape(x, result);
            }
            case "topk":
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return Ordered(x, Int(Arg(1, "k")), Arg(2, "dim", new OnnxHost(-1L)), Truth(Arg(3, "largest", new OnnxHost(true))), name);
            }
            case "sort":
            {
                OnnxTensor x = TensorArg(a[0], callee);
                OnnxValue dim = Arg(1, "dim", new OnnxHost(-1L));
                return Ordered(x, null, dim, Truth(Arg(2, "descending", new OnnxHost(false))), name);
            }
            case "argsort":
            {
                OnnxTensor x = TensorArg(a[0], callee);
                var sorted = (OnnxTuple)Ordered(x, null, Arg(1, "dim", new OnnxHost(-1L)), Truth(Arg(2, "descending", new OnnxHost(false))), name);
                return sorted.Items[1];
            }
            case "nonzero" when a.Count == 1:
            {
                // ONNX's NonZero gives [rank, count]; aten's nonzero [count, rank]. The count depends on the values:
                // the session allocates that output at every call.
                OnnxTensor x = TensorArg(a[0], callee);
                int rank = x.Rank ?? throw new NoOnnxFormException("nonzero of a tensor whose rank is not known");
                OnnxTensor found = Node("NonZero", new[] { x }, ScalarType.Int64, new long?[] { rank, null });
                return Node("Transpose", new[] { found }, ScalarType.Int64, new long?[] { null, rank }, OnnxAttribute.Of("perm", 1L, 0L));
            }
        }
        return null;
    }

    /// <summary>Values and indices along a dimension in order (TopK over all of it for sort and argsort, the first
    /// <paramref name="k"/> for topk). Ties may come out in another order than libtorch's: sort is not stable there
    /// either.</summary>
    private OnnxValue Ordered(OnnxTensor x, long? k, OnnxValue dim, bool largest, string name)
    {
        int rank = x.Rank ?? throw new NoOnnxFormException($"{name} of a tensor whose rank is not known");
        if (x.DType == ScalarType.Bool) throw new NoOnnxFormException($"{name} of a boolean tensor");
        if (rank == 0) return new OnnxTuple(new OnnxValue[] { x, new OnnxTensor(Full(Array.Empty<long>(), 0, ScalarType.Int64), ScalarType.Int64, Array.Empty<long?>()) });
        int axis = Axis(Int(dim), rank);
        long count = k ?? x.Shape![axis] ?? throw new NoOnnxFormException($"{name} along a dimension the signature does not fix");
        long?[] shape = x.Shape!.ToArray();
        shape[axis] = count;
        string[] outputs = _graph.Node("TopK", new[] { x.Name, Constant(new[] { count }) }, 2,
            OnnxAttribute.Of("axis", (long)axis), OnnxAttribute.Of("largest", largest ? 1L : 0L), OnnxAttribute.Of("sorted", 1L));
        return new OnnxTuple(new OnnxValue[] { new OnnxTensor(outputs[0], x.DType, shape), new OnnxTensor(outputs[1], ScalarType.Int64, shape) });
    }
}
