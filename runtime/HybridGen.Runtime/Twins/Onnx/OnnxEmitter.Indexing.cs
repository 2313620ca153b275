using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

// Catalog ops that read or write elements by index (gather, index_select, take_along_dim, scatter, scatter_add,
// index_add/copy/fill, max/min along a dimension) and a few more elementwise ones (isnan, hypot, logaddexp, fmax,
// heaviside, copysign, signbit...), as aten defines them.
internal sealed partial class OnnxEmitter
{
    /// <summary>The op's ONNX form, or null where this file has none.</summary>
    private OnnxValue? Indexing(string name, string callee, List<OnnxValue> a, Dictionary<string, OnnxValue> named)
    {
        OnnxValue Arg(int index, string keyword, OnnxValue? fallback = null) =>
            ArgumentOf(a, named, index, keyword, fallback) ?? throw new NoOnnxFormException($"{callee} without its argument {keyword}");
        switch (name)
        {
            case "gather" when a.Count >= 3:
            {
                OnnxTensor x = TensorArg(a[0], callee), index = TensorArg(a[2], callee);
                int axis = Axis(Int(a[1]), x.Rank ?? throw new NoOnnxFormException("gather of a tensor whose rank is not known"));
                return Node("GatherElements", new[] { x, Cast(index, ScalarType.Int64) }, x.DType, index.Shape, OnnxAttribute.Of("axis", (long)axis));
            }
            case "take_along_dim":
            {
                OnnxTensor x = TensorArg(a[0], callee), index = TensorArg(a[1], callee);
                OnnxValue dim = Arg(2, "dim", OnnxValue.None);
                if (dim is OnnxHost { Value: null })
                {
                    x = Flat(x);
                    dim = new OnnxHost(0L);
                }
                if (index.Rank != x.Rank) throw new NoOnnxFormException("take_along_dim with indices of another rank");
                int axis = Axis(Int(dim), x.Rank!.Value);
                // aten broadcasts index and input against each other off the axis; ONNX's GatherElements does not.
                if (!x.ShapeKnown || !index.ShapeKnown || !x.StaticShape().Where((_, k) => k != axis).SequenceEqual(index.StaticShape().Where((_, k) => k != axis)))
                    throw new NoOnnxFormException("take_along_dim with indices that broadcast against the input");
                return Node("GatherElements", new[] { x, Cast(index, ScalarType.Int64) }, x.DType, index.Shape, OnnxAttribute.Of("axis", (long)axis));
            }
            case "index_select" when a.Count == 3:
            {
                OnnxTensor x = TensorArg(a[0], callee), index = TensorArg(a[2], callee);
                int axis = Axis(Int(a[1]), x.Rank ?? throw new NoOnnxFormException("index_select of a tensor whose rank is not known"));
                // A 0-d index keeps the dimension, with size 1.
                if (index.Rank == 0) index = Flat(index);
                long?[]? shape = x.Shape?.ToArray();
                if (shape is not null) shape[axis] = index.Shape is [var n] ? n : null;
                return Node("Gather", new[] { x, Cast(index, ScalarType.Int64) }, x.DType, shape, OnnxAttribute.Of("axis", (long)axis));
            }
            case "scatter" or "scatter_add" when a.Count == 4 && a[3] is OnnxTensor:
            {
                OnnxTensor x = TensorArg(a[0], callee), index = TensorArg(a[2], callee), source = Cast(TensorArg(a[3], callee), x.DType);
                if (!index.ShapeKnown || !source.ShapeKnown || !index.StaticShape().SequenceEqual(source.StaticShape()))
                    throw new NoOnnxFormException($"{name} with a source of another shape than the index (ONNX takes one of the same)");
                int axis = Axis(Int(a[1]), x.Rank ?? throw new NoOnnxFormException($"{name} of a tensor whose rank is not known"));
                var attributes = new List<OnnxAttribute> { OnnxAttribute.Of("axis", (long)axis) };
                if (name == "scatter_add") attributes.Add(OnnxAttribute.Of("reduction", "add"));
                return Node("ScatterElements", new[] { x, Cast(index, ScalarType.Int64), source }, x.DType, x.Shape, attributes.ToArray());
            }
            case "index_add" or "index_copy" when a.Count >= 4:
            {
                // Along dim, the rows index names take source's rows (index_copy) or add alpha times them (index_add):
                // ScatterND over the dimension moved to the front.
                OnnxTensor x = TensorArg(a[0], callee), index = TensorArg(a[2], callee), source = Cast(TensorArg(a[3], callee), x.DType);
                int rank = x.Rank ?? throw new NoOnnxFormException($"{name} of a tensor whose rank is not known");
                int axis = Axis(Int(a[1]), rank);
                if (name == "index_add" && Arg(4, "alpha", new OnnxHost(1L)) is var alpha && Float(alpha) != 1)
                    source = Node("Mul", new[] { source, Scalar(Float(alpha), x.DType) }, x.DType, source.Shape);
                int[] front = new[] { axis }.Concat(Enumerable.Range(0, rank).Where(d => d != axis)).ToArray();
                int[] back = Enumerable.Range(0, rank).Select(d => Array.IndexOf(front, d)).ToArray();
                OnnxTensor moved = Transpose(x, front), movedSource = Transpose(source, front);
                OnnxTensor indices = Unsqueeze(Cast(index, ScalarType.Int64), 1);
                OnnxTensor scattered = Node("ScatterND", new[] { moved, indices, movedSource }, x.DType, moved.Shape,
                    name == "index_add" ? new[] { OnnxAttribute.Of("reduction", "add") } : Array.Empty<OnnxAttribute>());
                return Transpose(scattered, back);
            }
            case "max" or "min" when a.Count >= 2 && a[1] is OnnxHost { Value: long }:
            {
                // max(x, dim, keepdim): (values, indices).
                OnnxTensor x = TensorArg(a[0], callee);
                OnnxValue keep = Arg(2, "keepdim", new OnnxHost(false));
                OnnxTensor values = Reduce(name == "max" ? "ReduceMax" : "ReduceMin", x, a[1], keep, OnnxValue.None, name);
                OnnxTensor indices = ArgMax(name == "max" ? "ArgMax" : "ArgMin", x, a[1], keep);
                return new OnnxTuple(new OnnxValue[] { values, indices });
            }
            case "msort" when a.Count == 1:
                return ((OnnxTuple)Ordered(TensorArg(a[0], callee), null, new OnnxHost(0L), false, name)).Items[0];
            case "ger" when a.Count == 2:
                return Composite("outer", callee, a, named);
            case "inner" or "mv" when a.Count == 2:
            {
                OnnxTensor left = TensorArg(a[0], callee), right = TensorArg(a[1], callee);
                if (name == "inner" && (left.Rank != 1 || right.Rank != 1)) throw new NoOnnxFormException("inner of tensors that are not vectors");
                return Op("torch.matmul", a, named);
            }
            case "nansum" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (IsFloating(x.DType))
                    x = Node("Where", new[] { Node("IsNaN", new[] { x }, ScalarType.Bool, x.Shape), Scalar(0, x.DType), x }, x.DType, x.Shape);
                return Reduce("ReduceSum", x, OnnxValue.None, new OnnxHost(false), OnnxValue.None, name);
            }
            case "isnan" or "isinf" or "isfinite" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (!IsFloating(x.DType)) return new OnnxTensor(Full(x.StaticShape(), name == "isfinite" ? 1 : 0, ScalarType.Bool), ScalarType.Bool, x.Shape);
                if (name == "isnan") return Node("IsNaN", new[] { x }, ScalarType.Bool, x.Shape);
                OnnxTensor infinite = Node("IsInf", new[] { x }, ScalarType.Bool, x.Shape);
                if (name == "isinf") return infinite;
                OnnxTensor either = Node("Or", new[] { infinite, Node("IsNaN", new[] { x }, ScalarType.Bool, x.Shape) }, ScalarType.Bool, x.Shape);
                return Node("Not", new[] { either }, ScalarType.Bool, x.Shape);
            }
            case "log_sigmoid" when a.Count == 1:
            {
                // -softplus(-x), as aten computes it without overflow.
                OnnxTensor x = Floating(TensorArg(a[0], callee));
                OnnxTensor negated = Node("Neg", new[] { x }, x.DType, x.Shape);
                return Node("Neg", new[] { Node("Softplus", new[] { negated }, x.DType, x.Shape) }, x.DType, x.Shape);
            }
            case "logaddexp" when a.Count == 2:
            {
                // max + log1p(exp(-|a - b|)), aten's stable form (log(exp(a) + exp(b)) overflows).
                ScalarType type = ResultType(a);
                if (!IsFloating(type)) type = ScalarType.Float32;
                OnnxTensor x = Operand(a[0], type), y = Operand(a[1], type);
                long?[]? shape = Broadcast(x.Shape, y.Shape);
                OnnxTensor larger = Node("Max", new[] { x, y }, type, shape);
                OnnxTensor gap = Node("Neg", new[] { Node("Abs", new[] { Node("Sub", new[] { x, y }, type, shape) }, type, shape) }, type, shape);
                OnnxTensor tail = Node("Log", new[] { Node("Add", new[] { Scalar(1, type), Node("Exp", new[] { gap }, type, shape) }, type, shape) }, type, shape);
                OnnxTensor sum = Node("Add", new[] { larger, tail }, type, shape);
                // Equal infinities: the gap is NaN (inf - inf); aten gives the infinity.
                OnnxTensor sameInfinity = Node("And", new[] { Node("IsInf", new[] { x }, ScalarType.Bool, x.Shape), Node("Equal", new[] { x, y }, ScalarType.Bool, shape) }, ScalarType.Bool, shape);
                return Node("Where", new[] { sameInfinity, x, sum }, type, shape);
            }
            case "hypot" when a.Count == 2:
            {
                ScalarType type = ResultType(a);
                if (!IsFloating(type)) throw new NoOnnxFormException("hypot of integer tensors");
                OnnxTensor x = Operand(a[0], type), y = Operand(a[1], type);
                long?[]? shape = Broadcast(x.Shape, y.Shape);
                OnnxTensor sum = Node("Add", new[] { Node("Mul", new[] { x, x }, type, x.Shape), Node("Mul", new[] { y, y }, type, y.Shape) }, type, shape);
                return Node("Sqrt", new[] { sum }, type, shape);
            }
            case "fmax" or "fmin" when a.Count == 2:
            {
                // As max/min, but a NaN gives way to the other operand.
                ScalarType type = ResultType(a);
                OnnxTensor x = Operand(a[0], type), y = Operand(a[1], type);
                long?[]? shape = Broadcast(x.Shape, y.Shape);
                OnnxTensor result = Node(name == "fmax" ? "Max" : "Min", new[] { x, y }, type, shape);
                if (!IsFloating(type)) return result;
                result = Node("Where", new[] { Node("IsNaN", new[] { x }, ScalarType.Bool, x.Shape), y, result }, type, shape);
                return Node("Where", new[] { Node("IsNaN", new[] { y }, ScalarType.Bool, y.Shape), x, result }, type, shape);
            }
            case "heaviside" when a.Count == 2:
            {
                ScalarType type = ResultType(a);
                OnnxTensor x = Operand(a[0], type), values = Operand(a[1], type);
                long?[]? shape = Broadcast(x.Shape, values.Shape);
                OnnxTensor step = Cast(Node("Greater", new[] { x, Scalar(0, type) }, ScalarType.Bool, x.Shape), type);
                OnnxTensor zero = Node("Equal", new[] { x, Scalar(0, type) }, ScalarType.Bool, x.Shape);
                return Node("Where", new[] { zero, values, step }, type, shape);
            }
            case "signbit" when a.Count == 1:
                return SignBit(TensorArg(a[0], callee));
            case "copysign" when a.Count == 2:
            {
                ScalarType type = ResultType(a);
                if (!IsFloating(type)) type = ScalarType.Float32;
                OnnxTensor x = Operand(a[0], type), y = Operand(a[1], type);
                long?[]? shape = Broadcast(x.Shape, y.Shape);
                OnnxTensor magnitude = Node("Abs", new[] { x }, type, x.Shape);
                return Node("Where", new[] { SignBit(y), Node("Neg", new[] { magnitude }, type, x.Shape), magnitude }, type, shape);
            }
            case "ldexp" when a.Count == 2:
            {
                ScalarType type = ResultType(a);
                if (!IsFloating(type)) type = ScalarType.Float32;
                OnnxTensor x = Operand(a[0], type), exponent = Operand(a[1], type);
                OnnxTensor scale = Node("Pow", new[] { Scalar(2, type), exponent }, type, exponent.Shape);
                return Node("Mul", new[] { x, scale }, type, Broadcast(x.Shape, exponent.Shape));
            }
        }
        return null;
    }

    /// <summary>Whether each element's sign bit is set: below zero, or a negative zero (1 / -0.0 is -infinity).</summary>
    private OnnxTensor SignBit(OnnxTensor x)
    {
        if (!IsFloating(x.DType))
            return x.DType == ScalarType.Bool ? new OnnxTensor(Full(x.StaticShape(), 0, ScalarType.Bool), ScalarType.Bool, x.Shape)
                : Node("Less", new[] { x, Scalar(0, x.DType) }, ScalarType.Bool, x.Shape);
        OnnxTensor negative = Node("Less", new[] { x, Scalar(0, x.DType) }, ScalarType.Bool, x.Shape);
        OnnxTensor inverse = Node("Div", new[] { Scalar(1, x.DType), x }, x.DType, x.Shape);
        OnnxTensor negativeZero = Node("And", new[]
        {
            Node("Equal", new[] { x, Scalar(0, x.DType) }, ScalarType.Bool, x.Shape),
            Node("Less", new[] { inverse, Scalar(0, x.DType) }, ScalarType.Bool, x.Shape),
        }, ScalarType.Bool, x.Shape);
        return Node("Or", new[] { negative, negativeZero }, ScalarType.Bool, x.Shape);
    }
}
