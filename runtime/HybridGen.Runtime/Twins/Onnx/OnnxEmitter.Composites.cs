using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

// Catalog ops ONNX has no single node for, composed from several as aten computes them: statistics (std, var and
// their _mean forms, prod, amax/amin), elementwise compositions (lerp, logit, xlogy, nan_to_num, sinc...), tensors
// the signature fixes (eye, arange, new_zeros: constants), and layout ops (roll, movedim, triu/tril).
internal sealed partial class OnnxEmitter
{
    /// <summary>The op's ONNX form, or null where this file has none (Op then says so).</summary>
    /// <summary><paramref name="value"/> times <paramref name="factor"/> (itself where that is 1): the scaled terms of
    /// addcmul, addcdiv, addmv, addr, baddbmm and addbmm.</summary>
    private OnnxTensor Times(OnnxTensor value, double factor, ScalarType type) =>
        factor == 1 ? value : Node("Mul", new[] { value, Scalar(factor, type) }, type, value.Shape);

    private OnnxValue? Composite(string name, string callee, List<OnnxValue> a, Dictionary<string, OnnxValue> named)
    {
        if (Layout(name, callee, a, named) is { } laidOut) return laidOut;
        if (Indexing(name, callee, a, named) is { } indexed) return indexed;
        OnnxValue Arg(int index, string keyword, OnnxValue? fallback = null) =>
            ArgumentOf(a, named, index, keyword, fallback) ?? throw new NoOnnxFormException($"{callee} without its argument {keyword}");
        switch (name)
        {
            case "addcmul":
            {
                ScalarType type = ResultType(new[] { a[0], a[1], a[2] });
                OnnxTensor product = Elementwise("Mul", new[] { a[1], a[2] }, computeType: type);
                OnnxValue value = Arg(3, "value", new OnnxHost(1L));
                return Elementwise("Add", new OnnxValue[] { a[0], Times(product, Float(value), type) }, computeType: type);
            }
            case "outer" when a.Count == 2:
            {
                OnnxTensor left = TensorArg(a[0], callee), right = TensorArg(a[1], callee);
                if (left.Rank != 1 || right.Rank != 1) throw new NoOnnxFormException("outer of tensors that are not vectors");
                return Elementwise("Mul", new OnnxValue[] { Unsqueeze(left, 1), Unsqueeze(right, 0) });
            }
            case "vdot" when a.Count == 2:
            {
                OnnxTensor product = Elementwise("Mul", a);
                return Reduce("ReduceSum", product, OnnxValue.None, new OnnxHost(false), OnnxValue.None, name);
            }
            case "trace" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (x.Rank != 2) throw new NoOnnxFormException("trace of a tensor that is not a matrix");
                OnnxTensor diagonal = Node("Mul", new[] { x, Node("EyeLike", new[] { x }, x.DType, x.Shape) }, x.DType, x.Shape);
                return Reduce("ReduceSum", diagonal, OnnxValue.None, new OnnxHost(false), OnnxValue.None, name);
            }
            case "addmv" or "addr":
            {
                // beta * input + alpha * (mat @ vec) or alpha * outer(vec1, vec2); beta 0 ignores the input (its NaNs too).
                OnnxTensor product = name == "addmv"
                    ? (OnnxTensor)Op("torch.matmul", new List<OnnxValue> { a[1], a[2] }, new Dictionary<string, OnnxValue>())
                    : (OnnxTensor)Composite("outer", callee, new List<OnnxValue> { a[1], a[2] }, new Dictionary<string, OnnxValue>())!;
                double beta = Float(Arg(3, "beta", new OnnxHost(1L))), alpha = Float(Arg(4, "alpha", new OnnxHost(1L)));
                ScalarType type = ResultType(new[] { a[0], product });
                OnnxTensor scaled = Times(Cast(product, type), alpha, type);
                if (beta == 0)
                {
                    long?[]? shape = Broadcast(ShapeOf(a[0]), scaled.Shape);
                    if (shape is null || shape.Any(d => d is null)) throw new NoOnnxFormException($"{name} with beta 0 over shapes the signature does not fix");
                    var target = new OnnxTensor(Constant(shape.Select(d => d!.Value).ToArray()), ScalarType.Int64, new long?[] { shape.Length });
                    return Node("Expand", new[] { scaled, target }, type, shape);
                }
                return Elementwise("Add", new OnnxValue[] { Times(Operand(a[0], type), beta, type), scaled }, computeType: type);
            }
            case "prelu" when a.Count == 2:
            {
                OnnxTensor x = TensorArg(a[0], callee), weight = TensorArg(a[1], callee);
                // aten's weight has one slope or one per channel (dimension 1); ONNX broadcasts it from the right.
                if (weight.Shape is [> 1] && x.Rank is > 2)
                    weight = Reshape(weight, new[] { -1L }.Concat(Enumerable.Repeat(1L, x.Rank.Value - 2)));
                return Node("PRelu", new[] { x, Cast(weight, x.DType) }, x.DType, x.Shape);
            }
            case "softplus":
            {
                // aten: x where beta * x > threshold, else log1p(exp(beta * x)) / beta.
                OnnxTensor x = Floating(TensorArg(a[0], callee));
                double beta = Float(Arg(1, "beta", new OnnxHost(1L))), threshold = Float(Arg(2, "threshold", new OnnxHost(20L)));
                OnnxTensor scaled = Node("Mul", new[] { x, Scalar(beta, x.DType) }, x.DType, x.Shape);
                OnnxTensor soft = Node("Div", new[] { Node("Softplus", new[] { scaled }, x.DType, x.Shape), Scalar(beta, x.DType) }, x.DType, x.Shape);
                OnnxTensor linear = Node("Greater", new[] { scaled, Scalar(threshold, x.DType) }, ScalarType.Bool, x.Shape);
                return Node("Where", new[] { linear, x, soft }, x.DType, x.Shape);
            }
            case "dot" when a.Count == 2:
                return Composite("vdot", callee, a, named);
            case "dist":
            {
                // The p-norm of the difference (2 by default), over every element.
                OnnxTensor difference = Elementwise("Sub", new[] { a[0], a[1] });
                return Norm("norm", difference, new List<OnnxValue> { difference, Arg(2, "p", new OnnxHost(2L)) }, new Dictionary<string, OnnxValue>());
            }
            case "any" or "all":
            {
                // Over booleans: the largest (any) or smallest (all) as 0/1; the result is bool, as aten's.
                OnnxTensor x = Cast(Cast(TensorArg(a[0], callee), ScalarType.Bool), ScalarType.Int32);
                OnnxTensor reduced = Reduce(name == "any" ? "ReduceMax" : "ReduceMin", x, Arg(1, "dim", OnnxValue.None), Arg(2, "keepdim", new OnnxHost(false)), OnnxValue.None, name);
                return Cast(reduced, ScalarType.Bool);
            }
            case "count_nonzero":
            {
                OnnxTensor x = TensorArg(a[0], callee);
                OnnxTensor nonzero = Cast(Node("Not", new[] { Node("Equal", new[] { x, Scalar(0, x.DType) }, ScalarType.Bool, x.Shape) }, ScalarType.Bool, x.Shape), ScalarType.Int64);
                return Reduce("ReduceSum", nonzero, Arg(1, "dims", OnnxValue.None), new OnnxHost(false), OnnxValue.None, name);
            }
            case "aminmax":
            {
                OnnxTensor x = TensorArg(a[0], callee);
                OnnxValue dim = Arg(1, "dim", OnnxValue.None), keep = Arg(2, "keepdim", new OnnxHost(false));
                return new OnnxTuple(new OnnxValue[]
                {
                    Reduce("ReduceMin", x, dim, keep, OnnxValue.None, name), Reduce("ReduceMax", x, dim, keep, OnnxValue.None, name),
                });
            }
            case "atan2" or "arctan2" when a.Count == 2:
                return Atan2(a);
            case "isclose":
            {
                // |a - b| <= atol + rtol * |b|, equal values (infinities too) close, NaN close to NaN only with equal_nan.
                ScalarType type = ResultType(new[] { a[0], a[1] });
                OnnxTensor x = Operand(a[0], type), y = Operand(a[1], type);
                long?[]? shape = Broadcast(x.Shape, y.Shape);
                if (!IsFloating(type)) return Node("Equal", new[] { x, y }, ScalarType.Bool, shape);
                double rtol = Float(Arg(2, "rtol", new OnnxHost(1e-5))), atol = Float(Arg(3, "atol", new OnnxHost(1e-8)));
                bool equalNan = Truth(Arg(4, "equal_nan", new OnnxHost(false)));
                OnnxTensor gap = Node("Abs", new[] { Node("Sub", new[] { x, y }, type, shape) }, type, shape);
                OnnxTensor allowed = Node("Add", new[] { Scalar(atol, type), Node("Mul", new[] { Scalar(rtol, type), Node("Abs", new[] { y }, type, y.Shape) }, type, y.Shape) }, type, y.Shape);
                // A finite gap within the tolerance (an infinite one is never close), or equal values (infinities too).
                OnnxTensor within = Node("And", new[] { Node("LessOrEqual", new[] { gap, allowed }, ScalarType.Bool, shape),
                    Node("Not", new[] { Node("IsInf", new[] { gap }, ScalarType.Bool, shape) }, ScalarType.Bool, shape) }, ScalarType.Bool, shape);
                OnnxTensor close = Node("Or", new[] { Node("Equal", new[] { x, y }, ScalarType.Bool, shape), within }, ScalarType.Bool, shape);
                if (!equalNan) return close;
                OnnxTensor bothNan = Node("And", new[] { Node("IsNaN", new[] { x }, ScalarType.Bool, x.Shape), Node("IsNaN", new[] { y }, ScalarType.Bool, y.Shape) }, ScalarType.Bool, shape);
                return Node("Or", new[] { close, bothNan }, ScalarType.Bool, shape);
            }
            case "baddbmm" or "addbmm":
            {
                // baddbmm: beta * input + alpha * (batch1 @ batch2) per batch; addbmm sums the products over the batch.
                OnnxValue input = a[0], first = a[1], second = a[2];
                OnnxTensor product = (OnnxTensor)Op("torch.matmul", new List<OnnxValue> { first, second }, new Dictionary<string, OnnxValue>());
                if (name == "addbmm") product = Reduce("ReduceSum", product, new OnnxHost(0L), new OnnxHost(false), OnnxValue.None, name);
                double beta = Float(Arg(3, "beta", new OnnxHost(1L))), alpha = Float(Arg(4, "alpha", new OnnxHost(1L)));
                ScalarType type = ResultType(new[] { input, product });
                OnnxTensor scaled = Times(Cast(product, type), alpha, type);
                if (beta == 0) return scaled;
                return Elementwise("Add", new OnnxValue[] { Times(Operand(input, type), beta, type), scaled }, computeType: type);
            }
            case "norm" or "linalg_norm":
                return Norm(name, TensorArg(a[0], callee), a, named);
            case "round" when a.Count == 2 || named.ContainsKey("decimals"):
                return RoundDecimals(TensorArg(a[0], callee), Int(Arg(1, "decimals")));
            case "amax" or "amin":
                return Reduce(name == "amax" ? "ReduceMax" : "ReduceMin", TensorArg(a[0], callee), Arg(1, "dim", new OnnxList(new List<OnnxValue>())),
                    Arg(2, "keepdim", new OnnxHost(false)), OnnxValue.None, name);
            case "prod":
            {
                OnnxValue type = named.TryGetValue("dtype", out OnnxValue? t) ? t : OnnxValue.None;
                return a.Count >= 2
                    ? Reduce("ReduceProd", TensorArg(a[0], callee), a[1], Arg(2, "keepdim", new OnnxHost(false)), type, name)
                    : Reduce("ReduceProd", TensorArg(a[0], callee), OnnxValue.None, new OnnxHost(false), type, name);
            }
            case "std" or "var" or "std_mean" or "var_mean":
                return Moments(name, TensorArg(a[0], callee), a, named);
            case "triu" or "tril":
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (x.Rank is not >= 2) throw new NoOnnxFormException($"{name} of a tensor of rank below 2");
                var k = new OnnxTensor(ScalarIndex(Int(Arg(1, "diagonal", new OnnxHost(0L)))), ScalarType.Int64, Array.Empty<long?>());
                return Node("Trilu", new[] { x, k }, x.DType, x.Shape, OnnxAttribute.Of("upper", name == "triu" ? 1L : 0L));
            }
            case "eye":
            {
                long rows = Int(a[0]), columns = a.Count > 1 && a[1] is OnnxHost { Value: long c } ? c : rows;
                ScalarType type = DTypeOf(named, ScalarType.Float32);
                return new OnnxTensor(ConstantOf(() => torch.eye(rows, columns, type)), type, new long?[] { rows, columns });
            }
            case "arange":
            {
                // The signature fixes every bound: a constant, computed as aten computes it.
                double[] bounds = a.Select(Float).ToArray();
                bool integral = a.All(v => v is OnnxHost { Value: long });
                ScalarType type = DTypeOf(named, integral ? ScalarType.Int64 : ScalarType.Float32);
                (double start, double stop, double step) = bounds.Length switch
                {
                    1 => (0, bounds[0], 1),
                    2 => (bounds[0], bounds[1], 1),
                    3 => (bounds[0], bounds[1], bounds[2]),
                    _ => throw new NoOnnxFormException($"arange with {bounds.Length} bounds"),
                };
                Func<Tensor> make = integral
                    ? () => torch.arange((long)start, (long)stop, (long)step, type)
                    : () => torch.arange(start, stop, step, type);
                using (var scope = NewDisposeScope())
                {
                    long length = make().shape[0];
                    return new OnnxTensor(ConstantOf(make), type, new long?[] { length });
                }
            }
            case "new_zeros" or "new_ones":
            {
                OnnxTensor self = TensorArg(a[0], callee);
                long[] shape = a.Count == 2 && a[1] is OnnxList sizes ? Ints(sizes) : a.Skip(1).Select(Int).ToArray();
                ScalarType type = DTypeOf(named, self.DType);
                return new OnnxTensor(Full(shape, name == "new_ones" ? 1 : 0, type), type, shape.Select(d => (long?)d).ToArray());
            }
            case "threshold" when a.Count == 3:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                // aten: x <= threshold ? value : x, so NaN stays NaN.
                OnnxTensor below = Node("LessOrEqual", new[] { x, Operand(a[1], x.DType) }, ScalarType.Bool, x.Shape);
                return Node("Where", new[] { below, Operand(a[2], x.DType), x }, x.DType, x.Shape);
            }
            case "sgn" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                return x.DType == ScalarType.Bool ? Copy(x) : Node("Sign", new[] { x }, x.DType, x.Shape);
            }
            case "sinc" when a.Count == 1:
            {
                OnnxTensor x = Floating(TensorArg(a[0], callee));
                OnnxTensor pix = Node("Mul", new[] { x, Scalar(Math.PI, x.DType) }, x.DType, x.Shape);
                OnnxTensor ratio = Node("Div", new[] { Node("Sin", new[] { pix }, x.DType, x.Shape), pix }, x.DType, x.Shape);
                OnnxTensor zero = Node("Equal", new[] { x, Scalar(0, x.DType) }, ScalarType.Bool, x.Shape);
                return Node("Where", new[] { zero, Scalar(1, x.DType), ratio }, x.DType, x.Shape);
            }
            case "rad2deg" or "deg2rad" when a.Count == 1:
            {
                OnnxTensor x = Floating(TensorArg(a[0], callee));
                return Node("Mul", new[] { x, Scalar(name == "rad2deg" ? 180.0 / Math.PI : Math.PI / 180.0, x.DType) }, x.DType, x.Shape);
            }
            case "frac" when a.Count == 1:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                if (!IsFloating(x.DType)) throw new NoOnnxFormException($"frac of a {x.DType} tensor");
                OnnxTensor whole = (OnnxTensor)Op("torch.trunc", new List<OnnxValue> { x }, new Dictionary<string, OnnxValue>());
                return Node("Sub", new[] { x, whole }, x.DType, x.Shape);
            }
            case "erfc" when a.Count == 1:
            {
                OnnxTensor x = Floating(TensorArg(a[0], callee));
                return Node("Sub", new[] { Scalar(1, x.DType), Node("Erf", new[] { x }, x.DType, x.Shape) }, x.DType, x.Shape);
            }
            case "float_power" when a.Count == 2:
                return Node("Pow", new[] { Operand(a[0], ScalarType.Float64), Operand(a[1], ScalarType.Float64) }, ScalarType.Float64, Broadcast(ShapeOf(a[0]), ShapeOf(a[1])));
            case "lerp" when a.Count == 3:
                return Lerp(a);
            case "logit":
            {
                OnnxTensor x = Floating(TensorArg(a[0], callee));
                if (Arg(1, "eps", OnnxValue.None) is OnnxHost { Value: not null } eps)
                {
                    double e = Float(eps);
                    x = Node("Clip", new[] { x, Scalar(e, x.DType), Scalar(1 - e, x.DType) }, x.DType, x.Shape);
                }
                OnnxTensor odds = Node("Div", new[] { x, Node("Sub", new[] { Scalar(1, x.DType), x }, x.DType, x.Shape) }, x.DType, x.Shape);
                return Node("Log", new[] { odds }, x.DType, x.Shape);
            }
            case "nan_to_num":
                return NanToNum(TensorArg(a[0], callee), Arg(1, "nan", OnnxValue.None), Arg(2, "posinf", OnnxValue.None), Arg(3, "neginf", OnnxValue.None));
            case "xlogy" when a.Count == 2:
            {
                ScalarType type = ResultType(a);
                if (!IsFloating(type)) type = ScalarType.Float32;
                OnnxTensor x = Operand(a[0], type), y = Operand(a[1], type);
                long?[]? shape = Broadcast(x.Shape, y.Shape);
                OnnxTensor product = Node("Mul", new[] { x, Node("Log", new[] { y }, type, y.Shape) }, type, shape);
                OnnxTensor zero = Node("Equal", new[] { x, Scalar(0, type) }, ScalarType.Bool, x.Shape);
                OnnxTensor value = Node("Where", new[] { zero, Scalar(0, type), product }, type, shape);
                OnnxTensor nan = Node("IsNaN", new[] { y }, ScalarType.Bool, y.Shape);
                return Node("Where", new[] { nan, Scalar(double.NaN, type), value }, type, shape);
            }
            case "addcdiv":
            {
                OnnxValue value = Arg(3, "value", new OnnxHost(1L));
                var operands = new[] { a[0], a[1], a[2] };
                ScalarType type = ResultType(operands);
                if (!IsFloating(type)) throw new NoOnnxFormException("addcdiv of integer tensors");
                OnnxTensor quotient = Elementwise("Div", new[] { a[1], a[2] }, computeType: type);
                return Elementwise("Add", new OnnxValue[] { a[0], Times(quotient, Float(value), type) }, computeType: type);
            }
            case "bitwise_and" or "bitwise_or" or "bitwise_xor" or "bitwise_not":
            {
                // Booleans only: ONNX's bitwise ops on integers arrive at opset 18, and this route emits opset 17.
                if (a.Any(v => v is OnnxTensor { DType: not ScalarType.Bool } || v is OnnxHost { Value: not bool }))
                    throw new NoOnnxFormException($"{name} of integers (ONNX's bitwise ops need opset 18; this route emits 17)");
                return name == "bitwise_not"
                    ? Node("Not", new[] { TensorArg(a[0], callee) }, ScalarType.Bool, ShapeOf(a[0]))
                    : Elementwise(name switch { "bitwise_and" => "And", "bitwise_or" => "Or", _ => "Xor" }, a.Take(2).ToArray(), resultType: ScalarType.Bool);
            }
            case "movedim" or "moveaxis" when a.Count == 3 && a[1] is OnnxHost && a[2] is OnnxHost:
            {
                OnnxTensor x = TensorArg(a[0], callee);
                int rank = x.Rank ?? throw new NoOnnxFormException($"{name} of a tensor whose rank is not known");
                int source = Axis(Int(a[1]), rank), destination = Axis(Int(a[2]), rank);
                List<int> order = Enumerable.Range(0, rank).Where(d => d != source).ToList();
                order.Insert(destination, source);
                return Transpose(x, order.ToArray());
            }
            case "roll":
                return Roll(TensorArg(a[0], callee), Arg(1, "shifts"), Arg(2, "dims", new OnnxList(new List<OnnxValue>())));
        }
        return null;
    }

    /// <summary>The dtype a creation op names, or <paramref name="fallback"/>.</summary>
    private static ScalarType DTypeOf(Dictionary<string, OnnxValue> named, ScalarType fallback) =>
        named.TryGetValue("dtype", out OnnxValue? t) && t is OnnxHost { Value: long code } ? (ScalarType)code : fallback;

    /// <summary>An integer tensor as float32 (aten's default dtype), as floating unaries promote.</summary>
    private OnnxTensor Floating(OnnxTensor x) => IsFloating(x.DType) ? x : Cast(x, ScalarType.Float32);

    /// <summary>round(x, decimals), as aten's kernel: scaled by 10^|decimals| in the tensor's type, rounded half to
    /// even, scaled back.</summary>
    private OnnxTensor RoundDecimals(OnnxTensor x, long decimals)
    {
        if (!IsFloating(x.DType)) return Copy(x);
        OnnxTensor power = Scalar(Math.Pow(10, Math.Abs(decimals)), x.DType);
        bool negative = decimals < 0;
        OnnxTensor scaled = Node(negative ? "Div" : "Mul", new[] { x, power }, x.DType, x.Shape);
        OnnxTensor rounded = Node("Round", new[] { scaled }, x.DType, x.Shape);
        return Node(negative ? "Mul" : "Div", new[] { rounded, power }, x.DType, x.Shape);
    }

    /// <summary>var and std (and their _mean forms): over all dimensions, or the given ones; the sum of squared
    /// deviations from the mean over N - 1 (unbiased, the default) or N.</summary>
    private OnnxValue Moments(string name, OnnxTensor x, List<OnnxValue> a, Dictionary<string, OnnxValue> named)
    {
        if (!IsFloating(x.DType)) throw new NoOnnxFormException($"{name} of a {x.DType} tensor");
        int rank = x.Rank ?? throw new NoOnnxFormException($"{name} of a tensor whose rank is not known");
        if (!x.ShapeKnown) throw new NoOnnxFormException($"{name} of a tensor whose shape the signature does not fix");
        // (x), (x, unbiased), or (x, dims, unbiased, keepdim).
        bool overAll = a.Count == 1 || a.Count == 2 && a[1] is OnnxHost { Value: bool };
        OnnxValue dims = overAll ? OnnxValue.None : a[1];
        bool unbiased = Truth(overAll ? (a.Count == 2 ? a[1] : named.TryGetValue("unbiased", out OnnxValue? u) ? u : new OnnxHost(true))
            : ArgumentOf(a, named, 2, "unbiased", new OnnxHost(true))!);
        OnnxValue keepdim = overAll ? new OnnxHost(false) : ArgumentOf(a, named, 3, "keepdim", new OnnxHost(false))!;
        int[] axes = Axes(dims, rank);
        long count = axes.Aggregate(1L, (n, d) => n * x.Shape![d]!.Value);
        OnnxTensor centre = Reduce("ReduceMean", x, dims, new OnnxHost(true), OnnxValue.None, name);
        OnnxTensor deviation = Node("Sub", new[] { x, centre }, x.DType, x.Shape);
        OnnxTensor squares = Node("Mul", new[] { deviation, deviation }, x.DType, x.Shape);
        OnnxTensor sum = Reduce("ReduceSum", squares, dims, keepdim, OnnxValue.None, name);
        OnnxTensor variance = Node("Div", new[] { sum, Scalar(count - (unbiased ? 1 : 0), x.DType) }, x.DType, sum.Shape);
        OnnxTensor result = name.StartsWith("std", StringComparison.Ordinal) ? Node("Sqrt", new[] { variance }, x.DType, variance.Shape) : variance;
        if (!name.EndsWith("_mean", StringComparison.Ordinal)) return result;
        return new OnnxTuple(new OnnxValue[] { result, Reduce("ReduceMean", x, dims, keepdim, OnnxValue.None, name) });
    }

    /// <summary>Vector norms: torch.norm(x, p, dim, keepdim) and linalg.norm(x, ord, dims, keepdim) where ord is
    /// None, "fro" or a number over one dimension or a vector: the sum of |x|^p to the 1/p (2: L2, 1: L1, infinity:
    /// the largest |x|, 0: the count of non-zeros). Matrix norms with a number (the spectral norm) have no form here.</summary>
    private OnnxTensor Norm(string name, OnnxTensor x, List<OnnxValue> a, Dictionary<string, OnnxValue> named)
    {
        x = Floating(x);
        int rank = x.Rank ?? throw new NoOnnxFormException($"{name} of a tensor whose rank is not known");
        OnnxValue p = ArgumentOf(a, named, 1, name == "norm" ? "p" : "ord", OnnxValue.None)!;
        OnnxValue dims = ArgumentOf(a, named, 2, name == "norm" ? "dim" : "dims", OnnxValue.None)!;
        OnnxValue keepdim = ArgumentOf(a, named, 3, "keepdim", new OnnxHost(false))!;
        int[] axes = Axes(dims, rank);
        double order = p switch
        {
            OnnxHost { Value: null } => 2,
            OnnxHost { Value: "fro" } => 2,
            OnnxHost { Value: long or double } => Float(p),
            _ => throw new NoOnnxFormException($"{name} of order {Describe(p)}"),
        };
        if (name == "linalg_norm" && p is OnnxHost { Value: long or double } && (dims is OnnxHost { Value: null } ? rank : axes.Length) == 2)
            throw new NoOnnxFormException("a matrix norm of a numeric order (ONNX has no singular values)");
        OnnxTensor magnitude = Node("Abs", new[] { x }, x.DType, x.Shape);
        if (double.IsPositiveInfinity(order)) return Reduce("ReduceMax", magnitude, dims, keepdim, OnnxValue.None, name);
        if (double.IsNegativeInfinity(order)) return Reduce("ReduceMin", magnitude, dims, keepdim, OnnxValue.None, name);
        if (order == 0)
        {
            OnnxTensor nonzero = Cast(Node("Not", new[] { Node("Equal", new[] { x, Scalar(0, x.DType) }, ScalarType.Bool, x.Shape) }, ScalarType.Bool, x.Shape), x.DType);
            return Reduce("ReduceSum", nonzero, dims, keepdim, OnnxValue.None, name);
        }
        if (order == 1) return Reduce("ReduceSum", magnitude, dims, keepdim, OnnxValue.None, name);
        if (order == 2)
        {
            OnnxTensor squares = Node("Mul", new[] { x, x }, x.DType, x.Shape);
            OnnxTensor total = Reduce("ReduceSum", squares, dims, keepdim, OnnxValue.None, name);
            return Node("Sqrt", new[] { total }, x.DType, total.Shape);
        }
        OnnxTensor powers = Node("Pow", new[] { magnitude, Scalar(order, x.DType) }, x.DType, x.Shape);
        OnnxTensor sum = Reduce("ReduceSum", powers, dims, keepdim, OnnxValue.None, name);
        return Node("Pow", new[] { sum, Scalar(1 / order, x.DType) }, x.DType, sum.Shape);
    }

    /// <summary>atan2(y, x): atan(y / x), moved to the right half-plane's other side where x is negative, and
    /// ±pi/2 (or 0) where x is zero, as C's atan2 for finite values.</summary>
    private OnnxTensor Atan2(List<OnnxValue> a)
    {
        ScalarType type = ResultType(a);
        if (!IsFloating(type)) type = ScalarType.Float32;
        OnnxTensor y = Operand(a[0], type), x = Operand(a[1], type);
        long?[]? shape = Broadcast(y.Shape, x.Shape);
        OnnxTensor zero = Scalar(0, type);
        OnnxTensor angle = Node("Atan", new[] { Node("Div", new[] { y, x }, type, shape) }, type, shape);
        OnnxTensor yNegative = Node("Or", new[] { Node("Less", new[] { y, zero }, ScalarType.Bool, y.Shape), SignBit(y) }, ScalarType.Bool, y.Shape);
        OnnxTensor turn = Node("Where", new[] { yNegative, Scalar(-Math.PI, type), Scalar(Math.PI, type) }, type, y.Shape);
        OnnxTensor xNegative = Node("Or", new[] { Node("Less", new[] { x, zero }, ScalarType.Bool, x.Shape), SignBit(x) }, ScalarType.Bool, x.Shape);
        OnnxTensor left = Node("Add", new[] { angle, turn }, type, shape);
        OnnxTensor result = Node("Where", new[] { xNegative, left, angle }, type, shape);
        // x == 0: atan(y / 0) is ±pi/2 already (y / ±0 is ±infinity) except y == 0, where C's atan2 gives ±0 or ±pi.
        OnnxTensor bothZero = Node("And", new[] { Node("Equal", new[] { y, zero }, ScalarType.Bool, y.Shape), Node("Equal", new[] { x, zero }, ScalarType.Bool, x.Shape) }, ScalarType.Bool, shape);
        OnnxTensor origin = Node("Where", new[] { xNegative, turn, Node("Mul", new[] { y, Scalar(1, type) }, type, y.Shape) }, type, shape);
        return Node("Where", new[] { bothZero, origin, result }, type, shape);
    }

    /// <summary>lerp(start, end, weight) as aten's kernel: start + w * (end - start) where |w| &lt; 0.5, else
    /// end - (end - start) * (1 - w), which is exact at w = 1.</summary>
    private OnnxTensor Lerp(List<OnnxValue> a)
    {
        ScalarType type = ResultType(a);
        if (!IsFloating(type)) throw new NoOnnxFormException("lerp of integer tensors");
        OnnxTensor start = Operand(a[0], type), end = Operand(a[1], type), weight = Operand(a[2], type);
        long?[]? shape = Broadcast(Broadcast(start.Shape, end.Shape), weight.Shape);
        OnnxTensor difference = Node("Sub", new[] { end, start }, type, Broadcast(start.Shape, end.Shape));
        OnnxTensor low = Node("Add", new[] { start, Node("Mul", new[] { weight, difference }, type, shape) }, type, shape);
        OnnxTensor high = Node("Sub", new[] { end, Node("Mul", new[] { difference, Node("Sub", new[] { Scalar(1, type), weight }, type, weight.Shape) }, type, shape) }, type, shape);
        OnnxTensor small = Node("Less", new[] { Node("Abs", new[] { weight }, type, weight.Shape), Scalar(0.5, type) }, ScalarType.Bool, weight.Shape);
        return Node("Where", new[] { small, low, high }, type, shape);
    }

    /// <summary>nan_to_num: NaN to <paramref name="nan"/> (0), +inf and -inf to the given values or the dtype's
    /// largest and lowest finite numbers.</summary>
    private OnnxTensor NanToNum(OnnxTensor x, OnnxValue nan, OnnxValue posinf, OnnxValue neginf)
    {
        if (!IsFloating(x.DType)) return Copy(x);
        double largest = x.DType == ScalarType.Float64 ? double.MaxValue : float.MaxValue;
        double Value(OnnxValue v, double fallback) => v is OnnxHost { Value: null } ? fallback : Float(v);
        OnnxTensor result = Node("Where", new[] { Node("IsNaN", new[] { x }, ScalarType.Bool, x.Shape), Scalar(Value(nan, 0), x.DType), x }, x.DType, x.Shape);
        OnnxTensor positive = Node("IsInf", new[] { x }, ScalarType.Bool, x.Shape, OnnxAttribute.Of("detect_negative", 0L), OnnxAttribute.Of("detect_positive", 1L));
        result = Node("Where", new[] { positive, Scalar(Value(posinf, largest), x.DType), result }, x.DType, x.Shape);
        OnnxTensor negative = Node("IsInf", new[] { x }, ScalarType.Bool, x.Shape, OnnxAttribute.Of("detect_negative", 1L), OnnxAttribute.Of("detect_positive", 0L));
        return Node("Where", new[] { negative, Scalar(Value(neginf, -largest), x.DType), result }, x.DType, x.Shape);
    }

    /// <summary>roll: per dimension, the last shift elements moved to the front (slices and a concat); with no
    /// dimensions, over the flattened tensor, then back to its shape.</summary>
    private OnnxTensor Roll(OnnxTensor x, OnnxValue shifts, OnnxValue dims)
    {
        if (!x.ShapeKnown) throw new NoOnnxFormException("roll of a tensor whose shape the signature does not fix");
        long[] by = shifts is OnnxList s ? Ints(s) : new[] { Int(shifts) };
        long[] over = dims is OnnxList d ? Ints(d) : new[] { Int(dims) };
        if (over.Length == 0)
        {
            if (by.Length != 1) throw new NoOnnxFormException("roll with several shifts and no dimensions");
            long?[] shape = x.Shape!;
            OnnxTensor flat = Flat(x);
            OnnxTensor rolled = RollAxis(flat, 0, by[0]);
            return Reshape(rolled, shape.Select(v => v!.Value));
        }
        if (by.Length != over.Length) throw new NoOnnxFormException("roll with as many shifts as dimensions expected");
        int rank = x.Rank!.Value;
        for (int k = 0; k < over.Length; k++) x = RollAxis(x, Axis(over[k], rank), by[k]);
        return x;
    }

    private OnnxTensor RollAxis(OnnxTensor x, int axis, long shift)
    {
        long n = x.Shape![axis]!.Value;
        if (n == 0) return Copy(x);
        long s = ((shift % n) + n) % n;
        if (s == 0) return Copy(x);
        OnnxTensor tail = Slice(x, axis, n - s, n, 1), head = Slice(x, axis, 0, n - s, 1);
        return Node("Concat", new[] { tail, head }, x.DType, x.Shape, OnnxAttribute.Of("axis", (long)axis));
    }
}
