namespace HybridGen.Torch.Native;

/// <summary>The operators the binding calls, one field each, named after their schema.</summary>
internal static class AtenOps
{
    public static readonly AtenOp add_Tensor = new("aten::add.Tensor");
    public static readonly AtenOp add_Scalar = new("aten::add.Scalar");
    public static readonly AtenOp sub_Tensor = new("aten::sub.Tensor");
    public static readonly AtenOp sub_Scalar = new("aten::sub.Scalar");
    public static readonly AtenOp rsub_Scalar = new("aten::rsub.Scalar");
    public static readonly AtenOp mul_Tensor = new("aten::mul.Tensor");
    public static readonly AtenOp mul_Scalar = new("aten::mul.Scalar");
    public static readonly AtenOp div_Tensor = new("aten::div.Tensor");
    public static readonly AtenOp div_Scalar = new("aten::div.Scalar");
    public static readonly AtenOp reciprocal = new("aten::reciprocal");
    public static readonly AtenOp neg = new("aten::neg");
    public static readonly AtenOp matmul = new("aten::matmul");
    public static readonly AtenOp relu = new("aten::relu");
    public static readonly AtenOp tanh = new("aten::tanh");
    public static readonly AtenOp sigmoid = new("aten::sigmoid");
    public static readonly AtenOp sum = new("aten::sum");
    public static readonly AtenOp zeros = new("aten::zeros");
    public static readonly AtenOp ones = new("aten::ones");
    public static readonly AtenOp randn = new("aten::randn");
}
