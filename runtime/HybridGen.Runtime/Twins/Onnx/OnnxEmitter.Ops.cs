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
        ["sqrt"] = "Sqrt", ["abs"] = "Abs", ["neg"] = "Neg", ["negative"] = "Neg", ["sin"] = "Sin", ["cos"] = "Cos", ["erf"] = "Erf",
        ["floor"] = "Floor", ["ceil"] = "Ceil", ["reciprocal"] = "Reciprocal", ["sign"] = "Sign", ["tan"] = "Tan",
        ["asin"] = "Asin", ["acos"] = "Acos", ["atan"] = "Atan", ["sinh"] = "Sinh", ["cosh"] = "Cosh",
        ["softsign"] = "Softsign", ["asinh"] = "Asinh", ["acosh"] = "Acosh", ["atanh"] = "Atanh",
        ["arcsin"] = "Asin", ["arccos"] = "Acos", ["arctan"] = "Atan", ["arcsinh"] = "Asinh", ["arccosh"] = "Acosh", ["arctanh"] = "Atanh",
    };

    // Unary ops that compute in floating point: an integer input is promoted to float32 first, as aten does.
    private static readonly HashSet<string> FloatUnaries = new(StringComparer.Ordinal)
    {
        "sigmoid", "tanh", "exp", "log", "sqrt", "sin", "cos", "erf", "reciprocal", "tan", "asin", "acos", "atan", "sinh", "cosh", "rsqrt",
        "asinh", "acosh", "atanh", "arcsin", "arccos", "arctan", "arcsinh", "arccosh", "arctanh",
    };

    private static readonly Dictionary<string, string> Comparisons = new(StringComparer.Ordinal)
    {
        ["eq"] = "Equal", ["lt"] = "Less", ["le"] = "LessOrEqual", ["gt"] = "Greater", ["ge"] = "GreaterOrEqual",
    };

    private OnnxValue Op(string callee, List<OnnxValue> a, Dictionary<string, OnnxValue> named)
    {
        if (!callee.StartsWith("torch.", StringComparison.Ordinal)) throw new NoOnnxFormException($"the call {callee}");
        string name = callee.Substring("torch.".Length);
        bool inPlace = name.EndsWith("_", StringComparison.Ordinal) && name is not ("__and__" or "requires_grad_");
        if (inPlace)
        {
            // x.add_(y): the out-of-place op, then every variable holding x holds the result. Only where nothing
            // else can see x's memory change: not an input (the caller's), not a view, not viewed.
            OnnxTensor target = TensorArg(a[0], callee);
            if (!target.Unshared)
                throw new NoOnnxFormException($"{callee} on a tensor that is an input or shares its memory with another");
            OnnxValue result = Op("torch." + name.TrimEnd('_'), a, named);
            if (result is not OnnxTensor tensor) throw new NoOnnxFormException($"{callee} without a tensor result");
            OnnxTensor kept = Cast(tensor, target.DType); // in place keeps the tensor's type
            if (ReferenceEquals(kept, target)) return target;  // an op with nothing to change (trunc_ of integers)
            _replacements[target] = kept;
            return kept;
        }
        OnnxValue Arg(int index, string keyword, OnnxValue? fallback = null) =>
            ArgumentOf(a, named, index, keyword, fallback) ?? throw new NoOnnxFormException($"{callee} without its argument {keyword}");
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
            case "transpose" or "swapaxes" or "swapdims" when a.Count == 3:
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
            case "to" or "type":
                return To(TensorArg(a[0], callee), a.Skip(1).Concat(named.Where(n => n.Key is "dtype" or "device" or "other").Select(n => n.Value)));
            case "type_as" when a.Count == 2:
                return To(TensorArg(a[0], callee), new[] { a[1] });
            case "requires_grad_":
                // A tensor made to require grad: eager's result is a leaf that records a graph; this route's has none.
                if (a.Count > 1 && Truth(a[1])) throw new NoOnnxFormException("a tensor made to require grad");
                return a[0];
            case "tensor":
                return Literal(a[0], named.TryGetValue("dtype", out OnnxValue? literalType) ? literalType : OnnxValue.None);
            case "zeros" or "ones" or "full" or "zeros_like" or "ones_like" or "full_like":
                return Filled(name, a, named);
            case "square" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return Node("Mul", new[] { x, x }, x.DType, x.Shape);
            }
            case "true_divide" when a.Count == 2:
                return Op("torch.div", a, new Dictionary<string, OnnxValue>());
            case "fmod" when a.Count == 2:
            {
                ScalarType type = ResultType(a);
                return Node("Mod", new[] { Operand(a[0], type), Operand(a[1], type) }, type, Broadcast(ShapeOf(a[0]), ShapeOf(a[1])), OnnxAttribute.Of("fmod", 1L));
            }
            case "remainder" when a.Count == 2:
                return Remainder(a);
            case "floor_divide" when a.Count == 2:
            {
                ScalarType type = ResultType(a);
                if (!IsFloating(type)) throw new NoOnnxFormException("floor_divide of integers (ONNX's Div truncates)");
                OnnxTensor quotient = Elementwise("Div", a, computeType: type);
                return Node("Floor", new[] { quotient }, type, quotient.Shape);
            }
            case "trunc" or "fix" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (!IsFloating(x.DType)) return Copy(x);
                OnnxTensor negative = Node("Less", new[] { x, Scalar(0, x.DType) }, ScalarType.Bool, x.Shape);
                return Node("Where", new[] { negative, Node("Ceil", new[] { x }, x.DType, x.Shape), Node("Floor", new[] { x }, x.DType, x.Shape) }, x.DType, x.Shape);
            }
            case "round" when a.Count == 1 && !named.ContainsKey("decimals"):
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return IsFloating(x.DType) ? Node("Round", new[] { x }, x.DType, x.Shape) : Copy(x); // half to even, as aten
            }
            case "logical_and" or "logical_or" or "logical_xor" when a.Count == 2:
                return Node(name == "logical_and" ? "And" : name == "logical_or" ? "Or" : "Xor",
                    new[] { Cast(TensorArg(a[0], callee), ScalarType.Bool), Cast(TensorArg(a[1], callee), ScalarType.Bool) }, ScalarType.Bool, Broadcast(ShapeOf(a[0]), ShapeOf(a[1])));
            case "logical_not" when a.Count == 1:
            {
                OnnxTensor x = Cast(TensorArg(a[0], callee), ScalarType.Bool);
                return Node("Not", new[] { x }, ScalarType.Bool, x.Shape);
            }
            case "log2" or "log10" or "log1p" or "expm1" or "exp2" when a.Count == 1:
                return LogExp(name, TensorArg(a[0], callee));
            case "relu6" when a.Count == 1:
                return Clamp(TensorArg(a[0], callee), new OnnxHost(0.0), new OnnxHost(6.0));
            case "clamp_min" when a.Count == 2:
                return Clamp(TensorArg(a[0], callee), a[1], OnnxValue.None);
            case "clamp_max" when a.Count == 2:
                return Clamp(TensorArg(a[0], callee), OnnxValue.None, a[1]);
            case "hardsigmoid" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return Node("HardSigmoid", new[] { x }, x.DType, x.Shape, OnnxAttribute.Of("alpha", 1f / 6), OnnxAttribute.Of("beta", 0.5f));
            }
            case "hardswish" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return Node("HardSwish", new[] { x }, x.DType, x.Shape);
            }
            case "selu" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return Node("Selu", new[] { x }, x.DType, x.Shape);
            }
            case "elu" or "celu":
            {
                OnnxTensor x = TensorArg(a[0], callee);
                double alpha = Float(Arg(1, "alpha", new OnnxHost(1.0)));
                if (name == "elu" && (Float(Arg(2, "scale", new OnnxHost(1.0))) != 1 || Float(Arg(3, "input_scale", new OnnxHost(1.0))) != 1))
                    throw new NoOnnxFormException("elu with a scale");
                return Node(name == "elu" ? "Elu" : "Celu", new[] { x }, x.DType, x.Shape, OnnxAttribute.Of("alpha", (float)alpha));
            }
            case "cumsum" when a.Count >= 2:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (Arg(2, "dtype", OnnxValue.None) is OnnxHost { Value: long sumType }) x = Cast(x, (ScalarType)sumType);
                else if (!IsFloating(x.DType)) x = Cast(x, ScalarType.Int64);
                int axis = Axis(Int(a[1]), x.Rank ?? throw new NoOnnxFormException("cumsum of a tensor whose rank is not known"));
                return new OnnxTensor(_graph.Node("CumSum", new[] { x.Name, ScalarIndex(axis) }), x.DType, x.Shape);
            }
            case "logsumexp" when a.Count >= 2:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (!IsFloating(x.DType)) throw new NoOnnxFormException($"logsumexp of a {x.DType} tensor");
                return Reduce("ReduceLogSumExp", x, a[1], Arg(2, "keepdim", new OnnxHost(false)), OnnxValue.None, name);
            }
            case "addmm" when a.Count == 3:
            {
                OnnxTensor product = MatMul(TensorArg(a[1], callee), TensorArg(a[2], callee));
                OnnxValue alpha = named.TryGetValue("alpha", out OnnxValue? al) ? al : new OnnxHost(1L), beta = named.TryGetValue("beta", out OnnxValue? be) ? be : new OnnxHost(1L);
                OnnxValue scaled = Float(alpha) == 1 ? product : Elementwise("Mul", new[] { product, alpha });
                OnnxValue input = Float(beta) == 1 ? a[0] : Elementwise("Mul", new[] { a[0], beta });
                return Elementwise("Add", new[] { input, scaled });
            }
            case "chunk" or "split" or "unbind":
                return Pieces(name, TensorArg(a[0], callee), a, named);
            case "conv1d" or "conv2d":
                return FunctionalConvolution(name == "conv1d" ? 1 : 2, a, named);
            case "max_pool1d" or "max_pool2d" or "avg_pool2d":
                return FunctionalPool(name, a, named);
            case "adaptive_avg_pool2d" when a.Count == 2:
            {
                long[] output = Ints(a[1]);
                return AdaptiveAveragePool(TensorArg(a[0], callee), output.Length == 1 ? new[] { output[0], output[0] } : output);
            }
            case "batch_norm" when a.Count >= 8:
                return BatchNorm(TensorArg(a[0], callee), new Dictionary<string, OnnxValue>
                {
                    ["weight"] = a[1], ["bias"] = a[2], ["running_mean"] = a[3], ["running_var"] = a[4], ["training"] = a[5], ["eps"] = a[7],
                }, (2, 5));
        }
        return Composite(name, callee, a, named) ?? throw new NoOnnxFormException($"the op {callee} with {a.Count} arguments (no ONNX form yet)");
    }

    /// <summary>to(dtype), to(device), to(device, dtype), to(other), type(dtype), type_as(other): a cast (none where the
    /// type is already right); the CPU is the only device this route has.</summary>
    private OnnxTensor To(OnnxTensor x, IEnumerable<OnnxValue> settings)
    {
        ScalarType type = x.DType;
        foreach (OnnxValue setting in settings)
        {
            switch (setting)
            {
                case OnnxHost { Value: long code }: type = (ScalarType)code; break;
                case OnnxTensor other: type = other.DType; break;
                case OnnxHost { Value: string device } when device.StartsWith("device:", StringComparison.Ordinal):
                    if (device != "device:cpu") throw new NoOnnxFormException($"a move to {device.Substring(7)} (the ONNX route runs on the CPU)");
                    break;
                case OnnxHost { Value: bool or null }: break;                                 // non_blocking, copy
                default: throw new NoOnnxFormException("to() with " + Describe(setting));
            }
        }
        if (type is ScalarType.Float16 or ScalarType.BFloat16) throw new NoOnnxFormException($"a cast to {type}");
        Order(type);                                                                         // a dtype this route carries
        return type == x.DType ? x : Cast(x, type);
    }

    /// <summary>chunk(chunks, dim), split(size or sizes, dim), unbind(dim): a list of views, by the dimension's size
    /// (the signature fixes it).</summary>
    private OnnxList Pieces(string name, OnnxTensor x, List<OnnxValue> a, Dictionary<string, OnnxValue> named)
    {
        int rank = x.Rank ?? throw new NoOnnxFormException($"{name} of a tensor whose rank is not known");
        OnnxValue Arg(int index, string keyword, OnnxValue fallback) => ArgumentOf(a, named, index, keyword, fallback)!;
        int axis = Axis(Int(Arg(name == "unbind" ? 1 : 2, "dim", new OnnxHost(0L))), rank);
        long n = x.Shape![axis] ?? throw new NoOnnxFormException($"{name} along a dimension the signature does not fix");
        var pieces = new List<OnnxValue>();
        if (name == "unbind")
        {
            for (long i = 0; i < n; i++)
            {
                string node = _graph.Node("Gather", new[] { x.Name, ScalarIndex(i) }, OnnxAttribute.Of("axis", (long)axis));
                pieces.Add(new OnnxTensor(node, x.DType, x.Shape.Where((_, k) => k != axis).ToArray(), viewOf: x));
            }
            return new OnnxList(pieces);
        }
        long[] sizes;
        if (name == "chunk")
        {
            long chunks = Int(a[1]);
            if (chunks <= 0) throw new NoOnnxFormException("chunk into no pieces (eager throws)");
            long size = (n + chunks - 1) / chunks;
            sizes = size == 0 ? new long[] { 0 } : Enumerable.Range(0, (int)((n + size - 1) / size)).Select(k => Math.Min(size, n - k * size)).ToArray();
        }
        else if (a[1] is OnnxList list) sizes = list.Items.Select(Int).ToArray();
        else
        {
            long size = Int(a[1]);
            if (size <= 0) throw new NoOnnxFormException("split into pieces of no size (eager throws)");
            sizes = Enumerable.Range(0, (int)Math.Max(1, (n + size - 1) / size)).Select(k => Math.Min(size, n - k * size)).ToArray();
        }
        if (sizes.Sum() != n) throw new NoOnnxFormException($"{name} sizes that do not add up to the dimension (eager throws)");
        long start = 0;
        foreach (long size in sizes)
        {
            pieces.Add(Slice(x, axis, start, start + size, 1));
            start += size;
        }
        return new OnnxList(pieces);
    }

    /// <summary>torch.tensor(new[] {...}, dtype): a constant.</summary>
    private OnnxTensor Literal(OnnxValue data, OnnxValue dtype)
    {
        if (data is not OnnxList list || !list.Items.All(i => i is OnnxHost { Value: long or double or bool }))
            throw new NoOnnxFormException("torch.tensor of something that is not a flat list of numbers");
        ScalarType type = dtype is OnnxHost { Value: long code } ? (ScalarType)code : ScalarType.Float32;
        Order(type);
        double[] values = list.Items.Select(Float).ToArray();
        return new OnnxTensor(ConstantOf(() => TorchSharp.torch.tensor(values, ScalarType.Float64).to(type)), type, new long?[] { values.Length });
    }

    /// <summary>zeros, ones, full and their _like forms: a constant of the shape (the signature fixes it).</summary>
    private OnnxTensor Filled(string name, List<OnnxValue> a, Dictionary<string, OnnxValue> named)
    {
        bool like = name.EndsWith("_like", StringComparison.Ordinal);
        OnnxTensor? pattern = like ? TensorArg(a[0], name) : null;
        // zeros(2, 3) and ones(2, 1, 3) name each size; zeros([2, 3]) and full([2, 3], v) give a list.
        bool sizesNamed = !like && !name.StartsWith("full", StringComparison.Ordinal) && a.Count > 1 && a.All(v => v is OnnxHost { Value: long });
        long[] shape = like ? pattern!.StaticShape() : sizesNamed ? a.Select(Int).ToArray() : Ints(a[0]);
        double value = name.StartsWith("zeros", StringComparison.Ordinal) ? 0 : name.StartsWith("ones", StringComparison.Ordinal) ? 1 : Float(a[1]);
        ScalarType type = named.TryGetValue("dtype", out OnnxValue? d) && d is OnnxHost { Value: long code } ? (ScalarType)code
            : pattern?.DType ?? (name.StartsWith("full", StringComparison.Ordinal) && a[1] is OnnxHost { Value: long } ? ScalarType.Int64
                : name.StartsWith("full", StringComparison.Ordinal) && a[1] is OnnxHost { Value: bool } ? ScalarType.Bool : ScalarType.Float32);
        if (named.TryGetValue("device", out OnnxValue? device) && device is OnnxHost { Value: string where } && where != "device:cpu")
            throw new NoOnnxFormException($"a tensor made on {where.Substring(7)}");
        Order(type);
        return new OnnxTensor(Full(shape, value, type), type, shape.Select(s => (long?)s).ToArray());
    }

    /// <summary>aten's remainder: the sign of the divisor (Python's %), from ONNX's fmod (the dividend's sign).</summary>
    private OnnxTensor Remainder(List<OnnxValue> a)
    {
        ScalarType type = ResultType(a);
        OnnxTensor x = Operand(a[0], type), y = Operand(a[1], type);
        long?[]? shape = Broadcast(ShapeOf(a[0]), ShapeOf(a[1]));
        if (!IsFloating(type)) return Node("Mod", new[] { x, y }, type, shape);              // fmod 0: the divisor's sign
        OnnxTensor r = Node("Mod", new[] { x, y }, type, shape, OnnxAttribute.Of("fmod", 1L));
        OnnxTensor zero = Scalar(0, type);
        OnnxTensor nonzero = Node("Not", new[] { Node("Equal", new[] { r, zero }, ScalarType.Bool, shape) }, ScalarType.Bool, shape);
        OnnxTensor signsDiffer = Node("Xor", new[] { Node("Less", new[] { r, zero }, ScalarType.Bool, shape), Node("Less", new[] { y, zero }, ScalarType.Bool, y.Shape) }, ScalarType.Bool, shape);
        OnnxTensor fix = Node("And", new[] { nonzero, signsDiffer }, ScalarType.Bool, shape);
        return Node("Where", new[] { fix, Node("Add", new[] { r, y }, type, shape), r }, type, shape);
    }

    private OnnxTensor LogExp(string name, OnnxTensor x)
    {
        if (!IsFloating(x.DType)) x = Cast(x, ScalarType.Float32);
        ScalarType t = x.DType;
        return name switch
        {
            "log2" => Node("Div", new[] { Node("Log", new[] { x }, t, x.Shape), Scalar(Math.Log(2), t) }, t, x.Shape),
            "log10" => Node("Div", new[] { Node("Log", new[] { x }, t, x.Shape), Scalar(Math.Log(10), t) }, t, x.Shape),
            "log1p" => Node("Log", new[] { Node("Add", new[] { x, Scalar(1, t) }, t, x.Shape) }, t, x.Shape),
            "expm1" => Node("Sub", new[] { Node("Exp", new[] { x }, t, x.Shape), Scalar(1, t) }, t, x.Shape),
            _ => Node("Pow", new[] { Scalar(2, t), x }, t, x.Shape),                          // exp2
        };
    }

    /// <summary>torch.conv1d/conv2d(input, weight, bias, stride, padding, dilation, groups); padding a list or "same"/"valid".</summary>
    private OnnxTensor FunctionalConvolution(int dims, List<OnnxValue> a, Dictionary<string, OnnxValue> named)
    {
        OnnxValue Arg(int index, string keyword, OnnxValue fallback) => ArgumentOf(a, named, index, keyword, fallback)!;
        OnnxTensor weight = TensorArg(a[1], "convolution");
        long[] kernel = weight.StaticShape().Skip(2).ToArray();
        long[] Expand(OnnxValue v, long fallback) => v is OnnxHost { Value: null } ? Enumerable.Repeat(fallback, dims).ToArray()
            : Ints(v) is { Length: 1 } one && dims > 1 ? Enumerable.Repeat(one[0], dims).ToArray() : Ints(v);
        OnnxValue padding = Arg(4, "padding", OnnxValue.None);
        long paddingType = padding is OnnxHost { Value: "same" } ? 1 : padding is OnnxHost { Value: "valid" } ? 0 : -1;
        var settings = new Dictionary<string, OnnxValue>
        {
            ["weight"] = weight, ["bias"] = Arg(2, "bias", OnnxValue.None), ["padding_mode"] = new OnnxHost(0L),
            ["padding_type"] = new OnnxHost(paddingType),
            ["stride"] = new OnnxList(Expand(Arg(3, "stride", OnnxValue.None), 1).Select(v => (OnnxValue)new OnnxHost(v)).ToList()),
            ["padding"] = new OnnxList((paddingType < 0 ? Expand(padding, 0) : new long[dims]).Select(v => (OnnxValue)new OnnxHost(v)).ToList()),
            ["dilation"] = new OnnxList(Expand(Arg(5, "dilation", OnnxValue.None), 1).Select(v => (OnnxValue)new OnnxHost(v)).ToList()),
            ["kernel_size"] = new OnnxList(kernel.Select(v => (OnnxValue)new OnnxHost(v)).ToList()),
            ["groups"] = Arg(6, "groups", new OnnxHost(1L)),
        };
        return Convolution(TensorArg(a[0], "convolution"), settings, dims);
    }

    /// <summary>torch.max_pool1d/max_pool2d/avg_pool2d(input, kernel_size, stride, padding, dilation | ceil_mode...).</summary>
    private OnnxTensor FunctionalPool(string name, List<OnnxValue> a, Dictionary<string, OnnxValue> named)
    {
        OnnxValue Arg(int index, string keyword, OnnxValue fallback) => ArgumentOf(a, named, index, keyword, fallback)!;
        int dims = name == "max_pool1d" ? 1 : 2;
        long[] Expand(OnnxValue v, long[] fallback) => v is OnnxHost { Value: null } || v is OnnxList { Items.Count: 0 } ? fallback
            : Ints(v) is { Length: 1 } one && dims > 1 ? Enumerable.Repeat(one[0], dims).ToArray() : Ints(v);
        long[] kernel = Expand(a[1], Array.Empty<long>());
        OnnxList List(long[] values) => new(values.Select(v => (OnnxValue)new OnnxHost(v)).ToList());
        bool max = name.StartsWith("max", StringComparison.Ordinal);
        var v = new Dictionary<string, OnnxValue>
        {
            ["kernel_size"] = List(kernel),
            ["stride"] = List(Expand(Arg(2, "stride", OnnxValue.None), kernel)),
            ["padding"] = List(Expand(Arg(3, "padding", OnnxValue.None), new long[dims])),
            ["ceil_mode"] = Arg(max ? 5 : 4, "ceil_mode", new OnnxHost(false)),
        };
        if (max) v["dilation"] = List(Expand(Arg(4, "dilation", OnnxValue.None), Enumerable.Repeat(1L, dims).ToArray()));
        else
        {
            v["count_include_pad"] = Arg(5, "count_include_pad", new OnnxHost(true));
            v["divisor_override"] = Arg(6, "divisor_override", OnnxValue.None);
        }
        OnnxTensor x = TensorArg(a[0], name);
        if (dims == 2) return Pool(x, v, max ? "MaxPool2d" : "AvgPool2d");
        // 1-d: as 2-d over a height of 1.
        if (x.Rank is not (2 or 3)) throw new NoOnnxFormException($"a {name} input of rank {x.Rank?.ToString() ?? "unknown"}");
        OnnxTensor wide = Unsqueeze(x, x.Rank!.Value - 1);
        foreach (string key in new[] { "kernel_size", "stride", "padding", "dilation" })
            v[key] = new OnnxList(new List<OnnxValue> { new OnnxHost(key is "padding" ? 0L : 1L) }.Concat(((OnnxList)v[key]).Items).ToList());
        OnnxTensor pooled = Pool(wide, v, "MaxPool2d");
        long?[]? shape = pooled.Shape?.Where((_, k) => k != pooled.Shape.Length - 2).ToArray();
        return new OnnxTensor(_graph.Node("Squeeze", new[] { pooled.Name, Constant(new long[] { pooled.Rank!.Value - 2 }) }), pooled.DType, shape);
    }

    /// <summary>A new tensor of <paramref name="x"/>'s values, where aten returns a copy that leaves nothing to
    /// compute: the result must not be <paramref name="x"/> itself, or an in-place op on one would change the other.</summary>
    private OnnxTensor Copy(OnnxTensor x) => Node("Identity", new[] { x }, x.DType, x.Shape);

    /// <summary>An op's argument: positional at <paramref name="index"/>, else by <paramref name="keyword"/>, else
    /// <paramref name="fallback"/> (the schema's default; null where it has none).</summary>
    private static OnnxValue? ArgumentOf(List<OnnxValue> a, Dictionary<string, OnnxValue> named, int index, string keyword, OnnxValue? fallback) =>
        index < a.Count ? a[index] : named.TryGetValue(keyword, out OnnxValue? v) ? v : fallback;

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
        else if (op is "ReduceSum" or "ReduceProd" && !IsFloating(x.DType)) x = Cast(x, ScalarType.Int64); // aten sums and multiplies integers as int64
        else if (op == "ReduceMean" && !IsFloating(x.DType)) throw new NoOnnxFormException($"mean of a {x.DType} tensor");
        bool keep = Truth(keepdim);
        int rank = x.Rank ?? throw new NoOnnxFormException($"{name} of a tensor whose rank is not known");
        int[] axes = Axes(dims, rank);
        long?[] shape = x.Shape!.Select((d, k) => axes.Contains(k) ? (keep ? 1 : (long?)-1) : d).Where(d => d != -1).ToArray();
        var keepAttribute = OnnxAttribute.Of("keepdims", keep ? 1L : 0L);
        if (rank == 0) return x;
        // ReduceSum takes its axes as an input from opset 13, the others from opset 18 (an attribute at 17).
        if (op == "ReduceSum") return new OnnxTensor(_graph.Node(op, new[] { x.Name, Constant(axes.Select(v => (long)v).ToArray()) }, keepAttribute), x.DType, shape);
        return Node(op, new[] { x }, x.DType, shape, OnnxAttribute.Of("axes", axes.Select(v => (long)v).ToArray()), keepAttribute);
    }

    /// <summary>The axes a reduction's dims name: None or an empty list for all of them, one dimension, or a list.</summary>
    private static int[] Axes(OnnxValue dims, int rank) => dims switch
    {
        OnnxHost { Value: null } => Enumerable.Range(0, rank).ToArray(),
        OnnxList list when list.Items.Count == 0 => Enumerable.Range(0, rank).ToArray(),
        OnnxList list => list.Items.Select(d => Axis(Int(d), rank)).ToArray(),
        _ => new[] { Axis(Int(dims), rank) },
    };

    private OnnxTensor ArgMax(string op, OnnxTensor x, OnnxValue dim, OnnxValue keepdim)
    {
        bool keep = Truth(keepdim);
        if (dim is OnnxHost { Value: null })
        {
            // Over all elements: of the flattened tensor.
            OnnxTensor flat = Flat(x);
            OnnxTensor index = Node(op, new[] { flat }, ScalarType.Int64, Array.Empty<long?>(), OnnxAttribute.Of("axis", 0L), OnnxAttribute.Of("keepdims", 0L),
                OnnxAttribute.Of("select_last_index", 0L));
            return keep && x.Rank is { } r ? Reshape(index, Enumerable.Repeat(1L, r)) : index;
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
        string scale = weight is OnnxTensor w ? w.Name : Full(sizes, 1, x.DType);
        var inputs = new List<string> { x.Name, scale };
        if (bias is OnnxTensor b) inputs.Add(b.Name);
        string node = _graph.Node("LayerNormalization", inputs, OnnxAttribute.Of("axis", (long)-count), OnnxAttribute.Of("epsilon", (float)eps));
        return new OnnxTensor(node, x.DType, x.Shape);
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

}
