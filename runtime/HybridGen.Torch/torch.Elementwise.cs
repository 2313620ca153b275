using HybridGen.Torch.Native;

namespace HybridGen.Torch;

// Elementwise functions: torch.exp(x), torch.pow(x, 2), torch.where(c, x, y), ...
public static partial class torch
{
    [AtenOp("aten::abs")] public static Tensor abs(Tensor input) => AtenOps.abs.Call(input);
    [AtenOp("aten::neg")] public static Tensor neg(Tensor input) => AtenOps.neg.Call(input);
    [AtenOp("aten::sqrt")] public static Tensor sqrt(Tensor input) => AtenOps.sqrt.Call(input);
    [AtenOp("aten::rsqrt")] public static Tensor rsqrt(Tensor input) => AtenOps.rsqrt.Call(input);
    [AtenOp("aten::exp")] public static Tensor exp(Tensor input) => AtenOps.exp.Call(input);
    [AtenOp("aten::log")] public static Tensor log(Tensor input) => AtenOps.log.Call(input);
    [AtenOp("aten::log1p")] public static Tensor log1p(Tensor input) => AtenOps.log1p.Call(input);
    [AtenOp("aten::sin")] public static Tensor sin(Tensor input) => AtenOps.sin.Call(input);
    [AtenOp("aten::cos")] public static Tensor cos(Tensor input) => AtenOps.cos.Call(input);
    [AtenOp("aten::tanh")] public static Tensor tanh(Tensor input) => AtenOps.tanh.Call(input);
    [AtenOp("aten::sigmoid")] public static Tensor sigmoid(Tensor input) => AtenOps.sigmoid.Call(input);
    [AtenOp("aten::relu")] public static Tensor relu(Tensor input) => AtenOps.relu.Call(input);
    [AtenOp("aten::floor")] public static Tensor floor(Tensor input) => AtenOps.floor.Call(input);
    [AtenOp("aten::ceil")] public static Tensor ceil(Tensor input) => AtenOps.ceil.Call(input);
    [AtenOp("aten::round")] public static Tensor round(Tensor input) => AtenOps.round.Call(input);
    [AtenOp("aten::reciprocal")] public static Tensor reciprocal(Tensor input) => AtenOps.reciprocal.Call(input);
    [AtenOp("aten::logical_not")] public static Tensor logical_not(Tensor input) => AtenOps.logical_not.Call(input);
    [AtenOp("aten::minimum")] public static Tensor minimum(Tensor input, Tensor other) => AtenOps.minimum.Call(input, other);
    [AtenOp("aten::maximum")] public static Tensor maximum(Tensor input, Tensor other) => AtenOps.maximum.Call(input, other);
    [AtenOp("aten::logical_and")] public static Tensor logical_and(Tensor input, Tensor other) => AtenOps.logical_and.Call(input, other);
    [AtenOp("aten::logical_or")] public static Tensor logical_or(Tensor input, Tensor other) => AtenOps.logical_or.Call(input, other);
    [AtenOp("aten::eq.Tensor")] public static Tensor eq(Tensor input, Tensor other) => AtenOps.eq_Tensor.Call(input, other);
    [AtenOp("aten::ne.Tensor")] public static Tensor ne(Tensor input, Tensor other) => AtenOps.ne_Tensor.Call(input, other);
    [AtenOp("aten::lt.Tensor")] public static Tensor lt(Tensor input, Tensor other) => AtenOps.lt_Tensor.Call(input, other);
    [AtenOp("aten::le.Tensor")] public static Tensor le(Tensor input, Tensor other) => AtenOps.le_Tensor.Call(input, other);
    [AtenOp("aten::gt.Tensor")] public static Tensor gt(Tensor input, Tensor other) => AtenOps.gt_Tensor.Call(input, other);
    [AtenOp("aten::ge.Tensor")] public static Tensor ge(Tensor input, Tensor other) => AtenOps.ge_Tensor.Call(input, other);

    [AtenOp("aten::add.Tensor(input, other, alpha=alpha)")] public static Tensor add(Tensor input, Tensor other, double alpha = 1) => AtenOps.add_Tensor.Call(input, other, alpha);
    [AtenOp("aten::sub.Tensor(input, other, alpha=alpha)")] public static Tensor sub(Tensor input, Tensor other, double alpha = 1) => AtenOps.sub_Tensor.Call(input, other, alpha);
    [AtenOp("aten::mul.Tensor")] public static Tensor mul(Tensor input, Tensor other) => AtenOps.mul_Tensor.Call(input, other);
    [AtenOp("aten::div.Tensor")] public static Tensor div(Tensor input, Tensor other) => AtenOps.div_Tensor.Call(input, other);
    [AtenOp("aten::pow.Tensor_Tensor")] public static Tensor pow(Tensor input, Tensor exponent) => AtenOps.pow_Tensor_Tensor.Call(input, exponent);
    [AtenOp("aten::pow.Tensor_Scalar")] public static Tensor pow(Tensor input, double exponent) => AtenOps.pow_Tensor_Scalar.Call(input, exponent);
    [AtenOp("aten::pow.Scalar")] public static Tensor pow(double input, Tensor exponent) => AtenOps.pow_Scalar.Call(input, exponent);
    [AtenOp("aten::remainder.Tensor")] public static Tensor remainder(Tensor input, Tensor other) => AtenOps.remainder_Tensor.Call(input, other);
    [AtenOp("aten::remainder.Scalar")] public static Tensor remainder(Tensor input, double other) => AtenOps.remainder_Scalar.Call(input, other);
    [AtenOp("aten::clamp")] public static Tensor clamp(Tensor input, double? min = null, double? max = null) => AtenOps.clamp.Call(input, Arg.Optional(min), Arg.Optional(max));

    /// <summary>Values of <paramref name="input"/> where <paramref name="condition"/> holds, else of <paramref name="other"/>.</summary>
    [AtenOp("aten::where.self")] public static Tensor where(Tensor condition, Tensor input, Tensor other) => AtenOps.where_self.Call(condition, input, other);
}
