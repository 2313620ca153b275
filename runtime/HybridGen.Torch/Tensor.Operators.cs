using HybridGen.Torch.Native;

namespace HybridGen.Torch;

// Arithmetic and comparison operators. A scalar on the left is spelled with the operator's reverse or a
// composition, as its declaration says. Integer scalars stay integers (x * 2 on an int64 tensor stays int64).
public partial class Tensor
{
    [AtenOp("aten::add.Tensor")] public static Tensor operator +(Tensor left, Tensor right) => AtenOps.add_Tensor.Call(left, right);
    [AtenOp("aten::add.Scalar")] public static Tensor operator +(Tensor left, double right) => AtenOps.add_Scalar.Call(left, right);
    [AtenOp("aten::add.Scalar")] public static Tensor operator +(Tensor left, long right) => AtenOps.add_Scalar.Call(left, right);
    [AtenOp("aten::add.Scalar(right, left)")] public static Tensor operator +(double left, Tensor right) => AtenOps.add_Scalar.Call(right, left);
    [AtenOp("aten::add.Scalar(right, left)")] public static Tensor operator +(long left, Tensor right) => AtenOps.add_Scalar.Call(right, left);

    [AtenOp("aten::sub.Tensor")] public static Tensor operator -(Tensor left, Tensor right) => AtenOps.sub_Tensor.Call(left, right);
    [AtenOp("aten::sub.Scalar")] public static Tensor operator -(Tensor left, double right) => AtenOps.sub_Scalar.Call(left, right);
    [AtenOp("aten::sub.Scalar")] public static Tensor operator -(Tensor left, long right) => AtenOps.sub_Scalar.Call(left, right);
    [AtenOp("aten::rsub.Scalar(right, left)")] public static Tensor operator -(double left, Tensor right) => AtenOps.rsub_Scalar.Call(right, left);
    [AtenOp("aten::rsub.Scalar(right, left)")] public static Tensor operator -(long left, Tensor right) => AtenOps.rsub_Scalar.Call(right, left);

    [AtenOp("aten::mul.Tensor")] public static Tensor operator *(Tensor left, Tensor right) => AtenOps.mul_Tensor.Call(left, right);
    [AtenOp("aten::mul.Scalar")] public static Tensor operator *(Tensor left, double right) => AtenOps.mul_Scalar.Call(left, right);
    [AtenOp("aten::mul.Scalar")] public static Tensor operator *(Tensor left, long right) => AtenOps.mul_Scalar.Call(left, right);
    [AtenOp("aten::mul.Scalar(right, left)")] public static Tensor operator *(double left, Tensor right) => AtenOps.mul_Scalar.Call(right, left);
    [AtenOp("aten::mul.Scalar(right, left)")] public static Tensor operator *(long left, Tensor right) => AtenOps.mul_Scalar.Call(right, left);

    [AtenOp("aten::div.Tensor")] public static Tensor operator /(Tensor left, Tensor right) => AtenOps.div_Tensor.Call(left, right);
    [AtenOp("aten::div.Scalar")] public static Tensor operator /(Tensor left, double right) => AtenOps.div_Scalar.Call(left, right);
    [AtenOp("aten::div.Scalar")] public static Tensor operator /(Tensor left, long right) => AtenOps.div_Scalar.Call(left, right);
    [AtenOp("aten::mul.Scalar(aten::reciprocal(right), left)")] public static Tensor operator /(double left, Tensor right) => ScalarOver(right, left);
    [AtenOp("aten::mul.Scalar(aten::reciprocal(right), left)")] public static Tensor operator /(long left, Tensor right) => ScalarOver(right, left);

    [AtenOp("aten::remainder.Tensor")] public static Tensor operator %(Tensor left, Tensor right) => AtenOps.remainder_Tensor.Call(left, right);
    [AtenOp("aten::remainder.Scalar")] public static Tensor operator %(Tensor left, double right) => AtenOps.remainder_Scalar.Call(left, right);
    [AtenOp("aten::remainder.Scalar")] public static Tensor operator %(Tensor left, long right) => AtenOps.remainder_Scalar.Call(left, right);

    [AtenOp("aten::neg")] public static Tensor operator -(Tensor operand) => AtenOps.neg.Call(operand);

    [AtenOp("aten::lt.Tensor")] public static Tensor operator <(Tensor left, Tensor right) => AtenOps.lt_Tensor.Call(left, right);
    [AtenOp("aten::gt.Tensor")] public static Tensor operator >(Tensor left, Tensor right) => AtenOps.gt_Tensor.Call(left, right);
    [AtenOp("aten::le.Tensor")] public static Tensor operator <=(Tensor left, Tensor right) => AtenOps.le_Tensor.Call(left, right);
    [AtenOp("aten::ge.Tensor")] public static Tensor operator >=(Tensor left, Tensor right) => AtenOps.ge_Tensor.Call(left, right);
    [AtenOp("aten::lt.Scalar")] public static Tensor operator <(Tensor left, double right) => AtenOps.lt_Scalar.Call(left, right);
    [AtenOp("aten::gt.Scalar")] public static Tensor operator >(Tensor left, double right) => AtenOps.gt_Scalar.Call(left, right);
    [AtenOp("aten::le.Scalar")] public static Tensor operator <=(Tensor left, double right) => AtenOps.le_Scalar.Call(left, right);
    [AtenOp("aten::ge.Scalar")] public static Tensor operator >=(Tensor left, double right) => AtenOps.ge_Scalar.Call(left, right);

    private static Tensor ScalarOver(Tensor right, double left)
    {
        using Tensor reciprocal = AtenOps.reciprocal.Call(right);
        return AtenOps.mul_Scalar.Call(reciprocal, left);
    }

    private static Tensor ScalarOver(Tensor right, long left)
    {
        using Tensor reciprocal = AtenOps.reciprocal.Call(right);
        return AtenOps.mul_Scalar.Call(reciprocal, left);
    }
}
