using System;
using System.Collections.Generic;
using System.Linq;
using HybridGen.Graph;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

// The op catalog's calls (named as TorchScript names them: torch.add for aten::add) as ONNX nodes, with
// TorchSharp's semantics made explicit: type promotion by casts, keepdim, softmax's dim, GELU's two forms.
internal sealed partial class OnnxEmitter
{
    private static readonly Dictionary<string, string> Unaries = new(StringComparer.Ordinal)
    {
        ["relu"] = "Relu", ["sigmoid"] = "Sigmoid", ["tanh"] = "Tanh", ["exp"] = "Exp", ["log"] = "Log",
        ["sqrt"] = "Sqrt", ["abs"] = "Abs", ["neg"] = "Neg", ["sin"] = "Sin", ["cos"] = "Cos", ["erf"] = "Erf",
        ["floor"] = "Floor", ["ceil"] = "Ceil", ["reciprocal"] = "Reciprocal", ["sign"] = "Sign", ["tan"] = "Tan",
        ["asin"] = "Asin", ["acos"] = "Acos", ["atan"] = "Atan", ["sinh"] = "Sinh", ["cosh"] = "Cosh",
        ["softsign"] = "Softsign",
    };

    // Unary ops that compute in floating point: an integer input is promoted to float32 first, as aten does.
    private static readonly HashSet<string> FloatUnaries = new(StringComparer.Ordinal)
    {
        "sigmoid", "tanh", "exp", "log", "sqrt", "sin", "cos", "erf", "reciprocal", "tan", "asin", "acos", "atan", "sinh", "cosh", "rsqrt",
    };

    private static readonly Dictionary<string, string> Comparisons = new(StringComparer.Ordinal)
    {
        ["eq"] = "Equal", ["lt"] = "Less", ["le"] = "LessOrEqual", ["gt"] = "Greater", ["ge"] = "GreaterOrEqual",
    };

    private OnnxValue Op(string callee, List<OnnxValue> a, Dictionary<string, OnnxValue> named)
    {
        if (!callee.StartsWith("torch.", StringComparison.Ordinal)) throw new NoOnnxFormException($"the call {callee}");
        string name = callee.Substring("torch.".Length);
        bool inPlace = name.EndsWith("_", StringComparison.Ordinal) && name != "__and__";
        if (inPlace)
        {
            // x.add_(y): the out-of-place op, then every variable holding x holds the result. Only where nothing
            // else can see x's memory change: not an input (the caller's), not a view, not viewed.
            OnnxTensor target = TensorArg(a[0], callee);
            if (target.IsInput || target.Root != target || target.Views > 0)
                throw new NoOnnxFormException($"{callee} on a tensor that is an input or shares its memory with another");
            OnnxValue result = Op("torch." + name.TrimEnd('_'), a, named);
            if (result is not OnnxTensor tensor) throw new NoOnnxFormException($"{callee} without a tensor result");
            OnnxTensor kept = Cast(tensor, target.DType); // in place keeps the tensor's type
            _replacements[target] = kept;
            return kept;
        }
        OnnxValue Arg(int index, string keyword, OnnxValue? fallback = null) =>
            index < a.Count ? a[index] : named.TryGetValue(keyword, out OnnxValue? v) ? v
            : fallback ?? throw new NoOnnxFormException($"{callee} without its argument {keyword}");
        if (Unaries.TryGetValue(name, out string? unary) && a.Count == 1)
        {
            OnnxTensor x = TensorArg(a[0], callee);
            if (FloatUnaries.Contains(name) && !IsFloating(x.DType)) x = Cast(x, ScalarType.Float32);
            return Node(unary, new[] { x }, x.DType, x.Shape);
        }
        if (Comparisons.TryGetValue(name, out string? comparison) && a.Count == 2)
            return Elementwise(comparison, a, resultType: ScalarType.Bool);
        switch (name)
        {
            case "add" or "sub":
            {
                OnnxValue other = a[1];
                if (named.TryGetValue("alpha", out OnnxValue? alpha) || a.Count > 2 && (alpha = a[2]) is not null)
                    if (!(alpha is OnnxHost { Value: long or double } && Float(alpha) == 1))
                        other = Elementwise("Mul", new[] { other, alpha });
                return Elementwise(name == "add" ? "Add" : "Sub", new[] { a[0], other });
            }
            case "mul":
                return Elementwise("Mul", a.Take(2).ToArray());
            case "div" when a.Count == 2 && !named.ContainsKey("rounding_mode"):
            {
                // True division: integers divide as float32 (aten's default dtype).
                ScalarType type = ResultType(a);
                if (!IsFloating(type)) type = ScalarType.Float32;
                return Elementwise("Div", a, computeType: type);
            }
            case "pow" when a.Count == 2:
            {
                ScalarType type = ResultType(a);
                return Node("Pow", new[] { Operand(a[0], type), Operand(a[1], type) }, type, Broadcast(ShapeOf(a[0]), ShapeOf(a[1])));
            }
            case "ne" when a.Count == 2:
                return Node("Not", new[] { Elementwise("Equal", a, resultType: ScalarType.Bool) }, ScalarType.Bool, Broadcast(ShapeOf(a[0]), ShapeOf(a[1])));
            case "maximum" or "minimum" when a.Count == 2:
                return Elementwise(name == "maximum" ? "Max" : "Min", a);
            case "max" or "min" when a.Count == 2 && a[1] is OnnxTensor:
                return Elementwise(name == "max" ? "Max" : "Min", a);
            case "where" when a.Count == 3:
            {
                ScalarType type = ResultType(new[] { a[1], a[2] });
                OnnxTensor condition = Cast(TensorArg(a[0], callee), ScalarType.Bool);
                return Node("Where", new[] { condition, Operand(a[1], type), Operand(a[2], type) }, type,
                    Broadcast(condition.Shape, Broadcast(ShapeOf(a[1]), ShapeOf(a[2]))));
            }
            case "masked_fill" when a.Count == 3:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                OnnxTensor mask = Cast(TensorArg(a[1], callee), ScalarType.Bool);
                return Node("Where", new[] { mask, Operand(a[2], x.DType), x }, x.DType, x.Shape);
            }
            case "rsqrt" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (!IsFloating(x.DType)) x = Cast(x, ScalarType.Float32);
                return Node("Reciprocal", new[] { Node("Sqrt", new[] { x }, x.DType, x.Shape) }, x.DType, x.Shape);
            }
            case "silu" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return Node("Mul", new[] { x, Node("Sigmoid", new[] { x }, x.DType, x.Shape) }, x.DType, x.Shape);
            }
            case "gelu":
                return Gelu(TensorArg(a[0], callee), Arg(1, "approximate", new OnnxHost("none")) is OnnxHost { Value: "tanh" });
            case "leaky_relu":
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return Node("LeakyRelu", new[] { x }, x.DType, x.Shape, OnnxAttribute.Of("alpha", (float)Float(Arg(1, "negative_slope", new OnnxHost(0.01)))));
            }
            case "softplus" when Float(Arg(1, "beta", new OnnxHost(1L))) == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return Node("Softplus", new[] { x }, x.DType, x.Shape);
            }
            case "clamp" or "clip":
                return Clamp(TensorArg(a[0], callee), Arg(1, "min", OnnxValue.None), Arg(2, "max", OnnxValue.None));
            case "softmax" or "log_softmax":
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (Arg(2, "dtype", OnnxValue.None) is OnnxHost { Value: long dtype }) x = Cast(x, (ScalarType)dtype);
                else if (!IsFloating(x.DType)) throw new NoOnnxFormException($"{name} of a {x.DType} tensor");
                int axis = Axis(Int(Arg(1, "dim")), x.Rank ?? throw new NoOnnxFormException($"{name} of a tensor whose rank is not known"));
                return Node(name == "softmax" ? "Softmax" : "LogSoftmax", new[] { x }, x.DType, x.Shape, OnnxAttribute.Of("axis", (long)axis));
            }
            case "matmul" or "mm" or "bmm":
                return MatMul(TensorArg(a[0], callee), TensorArg(a[1], callee));
            case "linear":
                return Linear(TensorArg(a[0], callee), TensorArg(a[1], callee), Arg(2, "bias", OnnxValue.None));
            case "sum" or "mean":
                return Reduce(name == "sum" ? "ReduceSum" : "ReduceMean", TensorArg(a[0], callee),
                    Arg(1, "dim", OnnxValue.None), Arg(2, "keepdim", new OnnxHost(false)), Arg(3, "dtype", named.TryGetValue("dtype", out var t) ? t : OnnxValue.None), name);
            case "max" or "min" when a.Count == 1:
                return Reduce(name == "max" ? "ReduceMax" : "ReduceMin", TensorArg(a[0], callee), OnnxValue.None, new OnnxHost(false), OnnxValue.None, name);
            case "argmax" or "argmin":
                return ArgMax(name == "argmax" ? "ArgMax" : "ArgMin", TensorArg(a[0], callee), Arg(1, "dim", OnnxValue.None), Arg(2, "keepdim", new OnnxHost(false)));
            case "view" or "reshape" when a.Count == 2:
                return Reshape(TensorArg(a[0], callee), a[1]);
            case "flatten":
                return Flatten(TensorArg(a[0], callee), Int(Arg(1, "start_dim", new OnnxHost(0L))), Int(Arg(2, "end_dim", new OnnxHost(-1L))));
            case "transpose" or "swapaxes" when a.Count == 3:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                int rank = x.Rank ?? throw new NoOnnxFormException("transpose of a tensor whose rank is not known");
                if (rank < 2) return x;
                int[] perm = Enumerable.Range(0, rank).ToArray();
                int d0 = Axis(Int(a[1]), rank), d1 = Axis(Int(a[2]), rank);
                (perm[d0], perm[d1]) = (perm[d1], perm[d0]);
                return Transpose(x, perm);
            }
            case "t" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return x.Rank is < 2 ? x : Transpose(x, new[] { 1, 0 });
            }
            case "permute" when a.Count == 2:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                int rank = x.Rank ?? throw new NoOnnxFormException("permute of a tensor whose rank is not known");
                return Transpose(x, ((OnnxList)a[1]).Items.Select(d => Axis(Int(d), rank)).ToArray());
            }
            case "unsqueeze" when a.Count == 2:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return Unsqueeze(x, Axis(Int(a[1]), (x.Rank ?? throw new NoOnnxFormException("unsqueeze of a tensor whose rank is not known")) + 1));
            }
            case "squeeze":
                return Squeeze(TensorArg(a[0], callee), a.Count > 1 ? a[1] : null);
            case "cat" or "concat" or "stack":
            {
                OnnxTensor[] items = ((a[0] as OnnxList)?.Items ?? throw new NoOnnxFormException($"{name} of something that is not a list"))
                    .Select(i => TensorArg(i, callee)).ToArray();
                if (items.Length == 0) throw new NoOnnxFormException($"{name} of no tensors");
                ScalarType type = ResultType(items);
                int rank = items[0].Rank ?? throw new NoOnnxFormException($"{name} of tensors whose rank is not known");
                long dim = Int(Arg(1, "dim", new OnnxHost(0L)));
                if (name == "stack")
                {
                    int at = Axis(dim, rank + 1);
                    items = items.Select(i => Unsqueeze(Cast(i, type), at)).ToArray();
                    rank++;
                    dim = at;
                }
                int axis = Axis(dim, rank);
                long?[]? shape = items[0].Shape?.ToArray();
                if (shape is not null)
                    shape[axis] = items.All(i => i.Shape is not null && i.Shape[axis].HasValue) ? items.Sum(i => i.Shape![axis]!.Value) : null;
                return Node("Concat", items.Select(i => Cast(i, type)).ToArray(), type, shape, OnnxAttribute.Of("axis", (long)axis));
            }
            case "narrow" when a.Count == 4:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                int axis = Axis(Int(a[1]), x.Rank ?? throw new NoOnnxFormException("narrow of a tensor whose rank is not known"));
                long start = Int(a[2]);
                if (start < 0) start += x.Shape![axis] ?? throw new NoOnnxFormException("narrow from the end of a dimension the signature does not fix");
                return Slice(x, axis, start, start + Int(a[3]), 1);
            }
            case "contiguous" or "alias" or "detach" or "clone":
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return new OnnxTensor(_graph.Node("Identity", new[] { x.Name }), x.DType, x.Shape, viewOf: name is "alias" or "detach" or "contiguous" ? x : null);
            }
            case "dropout" or "feature_dropout" or "alpha_dropout":
                return Dropout(TensorArg(a[0], callee), Float(Arg(1, "p")), Truth(Arg(2, "train")));
            case "layer_norm":
                return LayerNorm(TensorArg(a[0], callee), Arg(1, "normalized_shape"), Arg(2, "weight", OnnxValue.None), Arg(3, "bias", OnnxValue.None),
                    Float(Arg(4, "eps", new OnnxHost(1e-5))));
            case "embedding":
                return Embedding(TensorArg(a[0], callee), TensorArg(a[1], callee));
        }
        throw new NoOnnxFormException($"the op {callee} with {a.Count} arguments (no ONNX form yet)");
    }

    // In-place ops' results: the tensor an in-place op replaced → its new value (Frame variables are rebound to it).
    private readonly Dictionary<OnnxTensor, OnnxTensor> _replacements = new();

    private OnnxTensor Gelu(OnnxTensor x, bool tanh)
    {
        if (!IsFloating(x.DType)) throw new NoOnnxFormException($"gelu of a {x.DType} tensor");
        OnnxTensor half = Node("Mul", new[] { x, Scalar(0.5, x.DType) }, x.DType, x.Shape);
        OnnxTensor inner;
        if (tanh)
        {
            // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), aten's tanh form.
            OnnxTensor cube = Node("Mul", new[] { Node("Mul", new[] { x, x }, x.DType, x.Shape), x }, x.DType, x.Shape);
            OnnxTensor sum = Node("Add", new[] { x, Node("Mul", new[] { cube, Scalar(0.044715, x.DType) }, x.DType, x.Shape) }, x.DType, x.Shape);
            inner = Node("Tanh", new[] { Node("Mul", new[] { sum, Scalar(Math.Sqrt(2 / Math.PI), x.DType) }, x.DType, x.Shape) }, x.DType, x.Shape);
        }
        else
        {
            // 0.5 x (1 + erf(x / sqrt(2))): the pattern ONNX Runtime fuses into its Gelu kernel.
            inner = Node("Erf", new[] { Node("Div", new[] { x, Scalar(Math.Sqrt(2), x.DType) }, x.DType, x.Shape) }, x.DType, x.Shape);
        }
        return Node("Mul", new[] { half, Node("Add", new[] { inner, Scalar(1, x.DType) }, x.DType, x.Shape) }, x.DType, x.Shape);
    }

    private OnnxTensor Clamp(OnnxTensor x, OnnxValue min, OnnxValue max)
    {
        // aten's clamp: min(max(x, min), max) in that order (max wins where min > max).
        OnnxTensor result = x;
        if (min is not OnnxHost { Value: null }) result = Elementwise("Max", new OnnxValue[] { result, min }, computeType: x.DType);
        if (max is not OnnxHost { Value: null }) result = Elementwise("Min", new OnnxValue[] { result, max }, computeType: x.DType);
        return result;
    }

    private OnnxTensor MatMul(OnnxTensor a, OnnxTensor b)
    {
        ScalarType type = Promote(a.DType, b.DType);
        long?[]? shape = null;
        if (a.Shape is { Length: >= 1 } sa && b.Shape is { Length: >= 1 } sb)
        {
            if (sa.Length == 1 && sb.Length == 1) shape = Array.Empty<long?>();
            else if (sa.Length == 1) shape = sb.Take(sb.Length - 2).Append(sb[sb.Length - 1]).ToArray();
            else if (sb.Length == 1) shape = sa.Take(sa.Length - 1).ToArray();
            else
            {
                long?[] batch = Broadcast(sa.Take(sa.Length - 2).ToArray(), sb.Take(sb.Length - 2).ToArray())!;
                shape = batch.Append(sa[sa.Length - 2]).Append(sb[sb.Length - 1]).ToArray();
            }
        }
        return Node("MatMul", new[] { Cast(a, type), Cast(b, type) }, type, shape);
    }

    /// <summary>x Wᵀ + b: Gemm where x is a matrix (transB, no copy of W), else MatMul by the transpose.</summary>
    private OnnxTensor Linear(OnnxTensor x, OnnxTensor weight, OnnxValue bias)
    {
        OnnxTensor? b = bias as OnnxTensor;
        long?[]? shape = x.Shape is null ? null : x.Shape.Take(x.Shape.Length - 1).Append(weight.Shape?[0]).ToArray();
        if (x.Rank == 2 && weight.Rank == 2)
        {
            var inputs = b is null ? new[] { x, weight } : new[] { x, weight, b };
            return Node("Gemm", inputs, x.DType, shape, OnnxAttribute.Of("transB", 1L));
        }
        OnnxTensor product = Node("MatMul", new[] { x, Transpose(weight, new[] { 1, 0 }) }, x.DType, shape);
        return b is null ? product : Node("Add", new[] { product, b }, x.DType, shape);
    }

    private OnnxTensor Reduce(string op, OnnxTensor x, OnnxValue dims, OnnxValue keepdim, OnnxValue dtype, string name)
    {
        if (dtype is OnnxHost { Value: long type }) x = Cast(x, (ScalarType)type);
        else if (op == "ReduceSum" && !IsFloating(x.DType)) x = Cast(x, ScalarType.Int64); // aten sums integers as int64
        else if (op == "ReduceMean" && !IsFloating(x.DType)) throw new NoOnnxFormException($"mean of a {x.DType} tensor");
        bool keep = Truth(keepdim);
        int rank = x.Rank ?? throw new NoOnnxFormException($"{name} of a tensor whose rank is not known");
        int[] axes = dims switch
        {
            OnnxHost { Value: null } => Enumerable.Range(0, rank).ToArray(),
            OnnxList list when list.Items.Count == 0 => Enumerable.Range(0, rank).ToArray(),
            OnnxList list => list.Items.Select(d => Axis(Int(d), rank)).ToArray(),
            _ => new[] { Axis(Int(dims), rank) },
        };
        long?[] shape = x.Shape!.Select((d, k) => axes.Contains(k) ? (keep ? 1 : (long?)-1) : d).Where(d => d != -1).ToArray();
        var keepAttribute = OnnxAttribute.Of("keepdims", keep ? 1L : 0L);
        if (rank == 0) return x;
        // ReduceSum takes its axes as an input from opset 13, the others from opset 18 (an attribute at 17).
        if (op == "ReduceSum") return new OnnxTensor(_graph.Node(op, new[] { x.Name, Constant(axes.Select(v => (long)v).ToArray()) }, keepAttribute), x.DType, shape);
        return Node(op, new[] { x }, x.DType, shape, OnnxAttribute.Of("axes", axes.Select(v => (long)v).ToArray()), keepAttribute);
    }

    private OnnxTensor ArgMax(string op, OnnxTensor x, OnnxValue dim, OnnxValue keepdim)
    {
        bool keep = Truth(keepdim);
        if (dim is OnnxHost { Value: null })
        {
            // Over all elements: of the flattened tensor.
            OnnxTensor flat = Reshape(x, new OnnxList(new List<OnnxValue> { new OnnxHost(-1L) }));
            OnnxTensor index = Node(op, new[] { flat }, ScalarType.Int64, Array.Empty<long?>(), OnnxAttribute.Of("axis", 0L), OnnxAttribute.Of("keepdims", 0L),
                OnnxAttribute.Of("select_last_index", 0L));
            return keep && x.Rank is { } r ? Reshape(index, new OnnxList(Enumerable.Repeat<OnnxValue>(new OnnxHost(1L), r).ToList())) : index;
        }
        int rank = x.Rank ?? throw new NoOnnxFormException("argmax of a tensor whose rank is not known");
        int axis = Axis(Int(dim), rank);
        long?[] shape = x.Shape!.Select((d, k) => k == axis ? (keep ? 1 : (long?)-1) : d).Where(d => d != -1).ToArray();
        return Node(op, new[] { x }, ScalarType.Int64, shape, OnnxAttribute.Of("axis", (long)axis), OnnxAttribute.Of("keepdims", keep ? 1L : 0L));
    }

    private OnnxTensor Squeeze(OnnxTensor x, OnnxValue? dim)
    {
        int rank = x.Rank ?? throw new NoOnnxFormException("squeeze of a tensor whose rank is not known");
        if (!x.ShapeKnown) throw new NoOnnxFormException("squeeze of a tensor whose shape the signature does not fix");
        int[] axes = dim is null ? Enumerable.Range(0, rank).Where(k => x.Shape![k] == 1).ToArray()
            : new[] { Axis(Int(dim), rank) }.Where(k => x.Shape![k] == 1).ToArray(); // aten leaves a dimension that is not 1
        if (axes.Length == 0) return x;
        long?[] shape = x.Shape!.Where((_, k) => !axes.Contains(k)).ToArray();
        return new OnnxTensor(_graph.Node("Squeeze", new[] { x.Name, Constant(axes.Select(v => (long)v).ToArray()) }), x.DType, shape, viewOf: x);
    }

    private OnnxTensor Dropout(OnnxTensor x, double p, bool training)
    {
        // Random in training mode: no graph gives eager's numbers; off (or p = 0) it is the identity.
        if (training && p > 0) throw new NoOnnxFormException("dropout in training mode (random: the call runs another route)");
        return new OnnxTensor(_graph.Node("Identity", new[] { x.Name }), x.DType, x.Shape, viewOf: x);
    }

    private OnnxTensor LayerNorm(OnnxTensor x, OnnxValue normalizedShape, OnnxValue weight, OnnxValue bias, double eps)
    {
        int count = normalizedShape is OnnxList list ? list.Items.Count : 1;
        long[] sizes = normalizedShape is OnnxList l ? l.Items.Select(Int).ToArray() : new[] { Int(normalizedShape) };
        string scale = weight is OnnxTensor w ? w.Name : Ones(sizes, x.DType);
        var inputs = new List<string> { x.Name, scale };
        if (bias is OnnxTensor b) inputs.Add(b.Name);
        string node = _graph.Node("LayerNormalization", inputs, OnnxAttribute.Of("axis", (long)-count), OnnxAttribute.Of("epsilon", (float)eps));
        return new OnnxTensor(node, x.DType, x.Shape);
    }

    private string Ones(long[] shape, ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        return _graph.Initializer($"c{_constants++}", TorchSharp.torch.ones(shape, dtype));
    }

    private OnnxTensor Embedding(OnnxTensor weight, OnnxTensor indices)
    {
        long?[]? shape = indices.Shape is null || weight.Shape is null ? null : indices.Shape.Concat(weight.Shape.Skip(1)).ToArray();
        return Node("Gather", new[] { weight, Cast(indices, ScalarType.Int64) }, weight.DType, shape, OnnxAttribute.Of("axis", 0L));
    }

    /// <summary>TorchSharp's TensorIndex subscript: numbers select (the dimension goes), slices narrow, None adds a
    /// dimension, ... skips to the dimensions the rest index, a 1-D integer tensor gathers.</summary>
    private OnnxValue TensorIndex(OnnxTensor tensor, EquatableArray<GraphIndexPart> parts, Frame frame)
    {
        int rank = tensor.Rank ?? throw new NoOnnxFormException("an index into a tensor whose rank is not known");
        OnnxTensor value = tensor;
        int axis = 0;
        int consuming = parts.Count(p => p is GraphIndexAt or GraphIndexSlice);
        foreach (GraphIndexPart part in parts)
        {
            switch (part)
            {
                case GraphIndexEllipsis:
                    axis = value.Rank!.Value - (consuming - CountConsumed(parts, part));
                    break;
                case GraphIndexNewAxis:
                    value = Unsqueeze(value, axis);
                    axis++;
                    break;
                case GraphIndexSlice slice:
                {
                    long start = slice.Start is null ? 0 : Int(Eval(slice.Start, frame));
                    long end = slice.Stop is null ? long.MaxValue : Int(Eval(slice.Stop, frame));
                    long step = slice.Step is null ? 1 : Int(Eval(slice.Step, frame));
                    if (step <= 0) throw new NoOnnxFormException("a slice step that is not positive");
                    if (axis >= value.Rank) throw new NoOnnxFormException("more indices than dimensions");
                    value = Slice(value, axis, start, end, step);
                    axis++;
                    break;
                }
                case GraphIndexAt at:
                {
                    OnnxValue index = Eval(at.Index, frame);
                    if (axis >= value.Rank) throw new NoOnnxFormException("more indices than dimensions");
                    if (index is OnnxTensor { DType: ScalarType.Int64 or ScalarType.Int32, Rank: 1 } gather && consuming == 1)
                    {
                        long?[] shape = value.Shape!.ToArray();
                        shape[axis] = gather.Shape![0];
                        value = Node("Gather", new[] { value, gather }, value.DType, shape, OnnxAttribute.Of("axis", (long)axis));
                        axis++;
                        break;
                    }
                    if (index is OnnxTensor) throw new NoOnnxFormException("advanced indexing by a tensor (other than one 1-D index)");
                    long i = Int(index);
                    if (value.Shape![axis] is { } n && (i >= n || i < -n)) throw new NoOnnxFormException("an index out of range");
                    string node = _graph.Node("Gather", new[] { value.Name, ScalarIndex(i) }, OnnxAttribute.Of("axis", (long)axis));
                    value = new OnnxTensor(node, value.DType, value.Shape.Where((_, k) => k != axis).ToArray(), viewOf: value);
                    break;
                }
            }
        }
        return value;
    }

    private static int CountConsumed(EquatableArray<GraphIndexPart> parts, GraphIndexPart until)
    {
        int count = 0;
        foreach (GraphIndexPart part in parts)
        {
            if (ReferenceEquals(part, until)) break;
            if (part is GraphIndexAt or GraphIndexSlice) count++;
        }
        return count;
    }

    private string ScalarIndex(long index)
    {
        using var scope = NewDisposeScope();
        return _graph.Initializer($"c{_constants++}", TorchSharp.torch.tensor(index, ScalarType.Int64));
    }
}
