// Op catalog rows: C# operators on TorchSharp's Tensor, named by their metadata names (docs/architecture.md, decision 2).
// Overload "Tensor,Scalar" covers TorchSharp's Scalar, int, long, float and double right operands alike.
// TorchSharp-specific findings (Tensor.Operators.cs, Tensor.cs):
// - scalar - t is t.negative().add(scalar), scalar / t is t.reciprocal().mul(scalar): spelled exactly so, not
//   as rsub / div (the values can differ in the last bit and reciprocal changes integer dtypes to float).
// - ==, !=, <, <=, >, >= return Tensors (masks), each with Tensor, Scalar and scalar-left forms; scalar < t is
//   t.gt(scalar) and so on.
// - % has no scalar-left form; &, |, ^ have only Tensor,Tensor forms; ~ is bitwise_not.
// Left out: op_Implicit (numbers and arrays to Tensor: constants, not ops), op_Explicit (Tensor to a number: a host
// read), op_MinusMinusGreater (t --> module: a module call, not an op).

namespace HybridGen.Generator.Catalog;

internal static partial class OpCatalog
{
    private static readonly OpRow[] s_operators =
    {
        // Arithmetic. A scalar on the left is spelled the way TorchSharp computes it.
        new("operator", "op_Addition", "aten::add", Overload: "Tensor,Tensor", Example: "x + y"),
        new("operator", "op_Addition", "aten::add", Overload: "Tensor,Scalar", Example: "x + 2"),
        new("operator", "op_Addition", "aten::add(right, left)", Overload: "Scalar,Tensor", Example: "0.5 + x"),
        new("operator", "op_Subtraction", "aten::sub", Overload: "Tensor,Tensor", Example: "x - y"),
        new("operator", "op_Subtraction", "aten::sub", Overload: "Tensor,Scalar", Example: "x - 0.5"),
        new("operator", "op_Subtraction", "aten::add(aten::neg(right), left)", Overload: "Scalar,Tensor", Example: "1 - x"),
        new("operator", "op_Multiply", "aten::mul", Overload: "Tensor,Tensor", Example: "x * y"),
        new("operator", "op_Multiply", "aten::mul", Overload: "Tensor,Scalar", Example: "x * 0.5"),
        new("operator", "op_Multiply", "aten::mul(right, left)", Overload: "Scalar,Tensor", Example: "3L * x.mul(10).to(ScalarType.Int64)"),
        new("operator", "op_Division", "aten::div", Overload: "Tensor,Tensor", Example: "x / y"),
        new("operator", "op_Division", "aten::div", Overload: "Tensor,Scalar", Example: "x.mul(10).to(ScalarType.Int64) / 4"),
        new("operator", "op_Division", "aten::mul(aten::reciprocal(right), left)", Overload: "Scalar,Tensor", Example: "2 / x.mul(10).to(ScalarType.Int64)"),
        new("operator", "op_Modulus", "aten::remainder", Overload: "Tensor,Tensor", Example: "x.mul(10) % y"),
        new("operator", "op_Modulus", "aten::remainder", Overload: "Tensor,Scalar", Example: "x.mul(10).to(ScalarType.Int64).neg() % 3"),
        new("operator", "op_UnaryNegation", "aten::neg", Example: "-x"),
        // Bitwise operators (logical on bool masks).
        new("operator", "op_BitwiseAnd", "aten::bitwise_and", Example: "x.gt(0.3) & y.lt(0.7)"),
        new("operator", "op_BitwiseOr", "aten::bitwise_or", Example: "x.mul(10).to(ScalarType.Int64) | y.mul(10).to(ScalarType.Int64)"),
        new("operator", "op_ExclusiveOr", "aten::bitwise_xor", Example: "x.gt(0.3) ^ y.lt(0.7)"),
        new("operator", "op_OnesComplement", "aten::bitwise_not", Example: "~x.gt(0.5)"),
        // Comparisons return mask tensors (TorchSharp defines all six, == and != included); a scalar on the left flips the op.
        new("operator", "op_Equality", "aten::eq", Facts: OpFacts.Mask, Overload: "Tensor,Tensor", Example: "x.mul(4).floor() == y.mul(4).floor()"),
        new("operator", "op_Equality", "aten::eq", Facts: OpFacts.Mask, Overload: "Tensor,Scalar", Example: "x.mul(4).floor() == 2"),
        new("operator", "op_Equality", "aten::eq(right, left)", Facts: OpFacts.Mask, Overload: "Scalar,Tensor", Example: "2 == x.mul(4).floor()"),
        new("operator", "op_Inequality", "aten::ne", Facts: OpFacts.Mask, Overload: "Tensor,Tensor", Example: "x.mul(4).floor() != y.mul(4).floor()"),
        new("operator", "op_Inequality", "aten::ne", Facts: OpFacts.Mask, Overload: "Tensor,Scalar", Example: "x.mul(4).floor() != 2"),
        new("operator", "op_Inequality", "aten::ne(right, left)", Facts: OpFacts.Mask, Overload: "Scalar,Tensor", Example: "2 != x.mul(4).floor()"),
        new("operator", "op_LessThan", "aten::lt", Facts: OpFacts.Mask, Overload: "Tensor,Tensor", Example: "x < y"),
        new("operator", "op_LessThan", "aten::lt", Facts: OpFacts.Mask, Overload: "Tensor,Scalar", Example: "x < 0.5"),
        new("operator", "op_LessThan", "aten::gt(right, left)", Facts: OpFacts.Mask, Overload: "Scalar,Tensor", Example: "0.5 < x"),
        new("operator", "op_LessThanOrEqual", "aten::le", Facts: OpFacts.Mask, Overload: "Tensor,Tensor", Example: "x <= y"),
        new("operator", "op_LessThanOrEqual", "aten::le", Facts: OpFacts.Mask, Overload: "Tensor,Scalar", Example: "x <= 0.5"),
        new("operator", "op_LessThanOrEqual", "aten::ge(right, left)", Facts: OpFacts.Mask, Overload: "Scalar,Tensor", Example: "0.5 <= x"),
        new("operator", "op_GreaterThan", "aten::gt", Facts: OpFacts.Mask, Overload: "Tensor,Tensor", Example: "x > y"),
        new("operator", "op_GreaterThan", "aten::gt", Facts: OpFacts.Mask, Overload: "Tensor,Scalar", Example: "x > 0.5"),
        new("operator", "op_GreaterThan", "aten::lt(right, left)", Facts: OpFacts.Mask, Overload: "Scalar,Tensor", Example: "0.5 > x"),
        new("operator", "op_GreaterThanOrEqual", "aten::ge", Facts: OpFacts.Mask, Overload: "Tensor,Tensor", Example: "x >= y"),
        new("operator", "op_GreaterThanOrEqual", "aten::ge", Facts: OpFacts.Mask, Overload: "Tensor,Scalar", Example: "x >= 0.5"),
        new("operator", "op_GreaterThanOrEqual", "aten::le(right, left)", Facts: OpFacts.Mask, Overload: "Scalar,Tensor", Example: "0.5 >= x"),
    };
}
