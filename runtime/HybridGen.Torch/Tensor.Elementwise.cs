using HybridGen.Torch.Native;

namespace HybridGen.Torch;

// Elementwise methods: x.exp(), x.pow(2), x.clamp(min: 0), x.eq(y), ...
public partial class Tensor
{
    [AtenOp("aten::abs")] public Tensor abs() => AtenOps.abs.Call(this);
    [AtenOp("aten::neg")] public Tensor neg() => AtenOps.neg.Call(this);
    [AtenOp("aten::sqrt")] public Tensor sqrt() => AtenOps.sqrt.Call(this);
    [AtenOp("aten::rsqrt")] public Tensor rsqrt() => AtenOps.rsqrt.Call(this);
    [AtenOp("aten::exp")] public Tensor exp() => AtenOps.exp.Call(this);
    [AtenOp("aten::log")] public Tensor log() => AtenOps.log.Call(this);
    [AtenOp("aten::log1p")] public Tensor log1p() => AtenOps.log1p.Call(this);
    [AtenOp("aten::sin")] public Tensor sin() => AtenOps.sin.Call(this);
    [AtenOp("aten::cos")] public Tensor cos() => AtenOps.cos.Call(this);
    [AtenOp("aten::tanh")] public Tensor tanh() => AtenOps.tanh.Call(this);
    [AtenOp("aten::sigmoid")] public Tensor sigmoid() => AtenOps.sigmoid.Call(this);
    [AtenOp("aten::relu")] public Tensor relu() => AtenOps.relu.Call(this);
    [AtenOp("aten::floor")] public Tensor floor() => AtenOps.floor.Call(this);
    [AtenOp("aten::ceil")] public Tensor ceil() => AtenOps.ceil.Call(this);
    [AtenOp("aten::round")] public Tensor round() => AtenOps.round.Call(this);
    [AtenOp("aten::reciprocal")] public Tensor reciprocal() => AtenOps.reciprocal.Call(this);
    [AtenOp("aten::logical_not")] public Tensor logical_not() => AtenOps.logical_not.Call(this);
    [AtenOp("aten::minimum")] public Tensor minimum(Tensor other) => AtenOps.minimum.Call(this, other);
    [AtenOp("aten::maximum")] public Tensor maximum(Tensor other) => AtenOps.maximum.Call(this, other);
    [AtenOp("aten::logical_and")] public Tensor logical_and(Tensor other) => AtenOps.logical_and.Call(this, other);
    [AtenOp("aten::logical_or")] public Tensor logical_or(Tensor other) => AtenOps.logical_or.Call(this, other);
    [AtenOp("aten::eq.Tensor")] public Tensor eq(Tensor other) => AtenOps.eq_Tensor.Call(this, other);
    [AtenOp("aten::eq.Scalar")] public Tensor eq(double other) => AtenOps.eq_Scalar.Call(this, other);
    [AtenOp("aten::ne.Tensor")] public Tensor ne(Tensor other) => AtenOps.ne_Tensor.Call(this, other);
    [AtenOp("aten::ne.Scalar")] public Tensor ne(double other) => AtenOps.ne_Scalar.Call(this, other);
    [AtenOp("aten::lt.Tensor")] public Tensor lt(Tensor other) => AtenOps.lt_Tensor.Call(this, other);
    [AtenOp("aten::lt.Scalar")] public Tensor lt(double other) => AtenOps.lt_Scalar.Call(this, other);
    [AtenOp("aten::le.Tensor")] public Tensor le(Tensor other) => AtenOps.le_Tensor.Call(this, other);
    [AtenOp("aten::le.Scalar")] public Tensor le(double other) => AtenOps.le_Scalar.Call(this, other);
    [AtenOp("aten::gt.Tensor")] public Tensor gt(Tensor other) => AtenOps.gt_Tensor.Call(this, other);
    [AtenOp("aten::gt.Scalar")] public Tensor gt(double other) => AtenOps.gt_Scalar.Call(this, other);
    [AtenOp("aten::ge.Tensor")] public Tensor ge(Tensor other) => AtenOps.ge_Tensor.Call(this, other);
    [AtenOp("aten::ge.Scalar")] public Tensor ge(double other) => AtenOps.ge_Scalar.Call(this, other);

    [AtenOp("aten::add.Tensor(self, other, alpha=alpha)")] public Tensor add(Tensor other, double alpha = 1) => AtenOps.add_Tensor.Call(this, other, alpha);
    [AtenOp("aten::add.Scalar")] public Tensor add(double other) => AtenOps.add_Scalar.Call(this, other);
    [AtenOp("aten::sub.Tensor(self, other, alpha=alpha)")] public Tensor sub(Tensor other, double alpha = 1) => AtenOps.sub_Tensor.Call(this, other, alpha);
    [AtenOp("aten::sub.Scalar")] public Tensor sub(double other) => AtenOps.sub_Scalar.Call(this, other);
    [AtenOp("aten::mul.Tensor")] public Tensor mul(Tensor other) => AtenOps.mul_Tensor.Call(this, other);
    [AtenOp("aten::mul.Scalar")] public Tensor mul(double other) => AtenOps.mul_Scalar.Call(this, other);
    [AtenOp("aten::div.Tensor")] public Tensor div(Tensor other) => AtenOps.div_Tensor.Call(this, other);
    [AtenOp("aten::div.Scalar")] public Tensor div(double other) => AtenOps.div_Scalar.Call(this, other);
    [AtenOp("aten::pow.Tensor_Tensor")] public Tensor pow(Tensor exponent) => AtenOps.pow_Tensor_Tensor.Call(this, exponent);
    [AtenOp("aten::pow.Tensor_Scalar")] public Tensor pow(double exponent) => AtenOps.pow_Tensor_Scalar.Call(this, exponent);
    [AtenOp("aten::remainder.Tensor")] public Tensor remainder(Tensor other) => AtenOps.remainder_Tensor.Call(this, other);
    [AtenOp("aten::remainder.Scalar")] public Tensor remainder(double other) => AtenOps.remainder_Scalar.Call(this, other);

    /// <summary>Limits every value to [min, max]; either bound may be left out.</summary>
    [AtenOp("aten::clamp")] public Tensor clamp(double? min = null, double? max = null) => AtenOps.clamp.Call(this, Arg.Optional(min), Arg.Optional(max));

    /// <summary>Values of this tensor where <paramref name="condition"/> holds, else of <paramref name="other"/>.</summary>
    [AtenOp("aten::where.self(condition, self, other)")] public Tensor where(Tensor condition, Tensor other) => AtenOps.where_self.Call(condition, this, other);
}
