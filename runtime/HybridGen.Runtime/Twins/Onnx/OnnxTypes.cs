using System;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

/// <summary>TorchSharp's dtypes as ONNX element types (TensorProto.DataType; ONNX Runtime's TensorElementType has
/// the same numbers).</summary>
internal static class OnnxTypes
{
    public static int ElementType(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 => 1,
        ScalarType.Byte => 2,
        ScalarType.Int8 => 3,
        ScalarType.Int16 => 5,
        ScalarType.Int32 => 6,
        ScalarType.Int64 => 7,
        ScalarType.Bool => 9,
        ScalarType.Float16 => 10,
        ScalarType.Float64 => 11,
        ScalarType.BFloat16 => 16,
        _ => throw new NotSupportedException($"ONNX has no element type for {dtype}"),
    };

    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    public static int ElementSize(ScalarType dtype) => dtype switch
    {
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Byte or ScalarType.Int8 or ScalarType.Bool => 1,
        ScalarType.Int16 or ScalarType.Float16 or ScalarType.BFloat16 => 2,
        ScalarType.Int64 or ScalarType.Float64 => 8,
        _ => throw new NotSupportedException($"ONNX has no element type for {dtype}"),
    };

    public static ScalarType DType(int elementType) => elementType switch
    {
        1 => ScalarType.Float32,
        2 => ScalarType.Byte,
        3 => ScalarType.Int8,
        5 => ScalarType.Int16,
        6 => ScalarType.Int32,
        7 => ScalarType.Int64,
        9 => ScalarType.Bool,
        10 => ScalarType.Float16,
        11 => ScalarType.Float64,
        16 => ScalarType.BFloat16,
        _ => throw new NotSupportedException($"TorchSharp has no dtype for ONNX element type {elementType}"),
    };
}
