using System;
using System.Globalization;
using System.Linq;
using System.Text;

namespace HybridGen.Torch;

/// <summary>
/// Writes a tensor the way PyTorch prints it: <c>tensor([[1.0000, 2.5000], [3.0000, 4.0000]])</c>, integral
/// floats as <c>1.</c>, scientific notation for wide ranges, and, past 1,000 elements, only the first and last
/// three entries of each dimension around "...". A non-default dtype, a device other than the CPU and
/// requires_grad are appended.
/// </summary>
internal static class TensorFormatter
{
    private const int Threshold = 1000;
    private const int EdgeItems = 3;

    public static string Format(Tensor tensor)
    {
        long[] shape = tensor.shape;
        torch.ScalarType dtype = tensor.dtype;
        torch.Device device = tensor.device;
        bool requiresGrad = tensor.requires_grad;
        long count = shape.Aggregate(1L, (a, b) => a * b);

        var body = new StringBuilder();
        if (count == 0)
        {
            body.Append("[]");
        }
        else
        {
            double[] values = ReadAsDouble(tensor, dtype);
            Func<double, string> cell = CellFormat(values, dtype, count > Threshold, shape);
            int width = values.Max(v => cell(v).Length);
            Write(body, values, shape, 0, 0, count > Threshold, v => cell(v).PadLeft(width), indent: 7);
        }

        var suffix = new StringBuilder();
        if (device.type != torch.DeviceType.CPU) suffix.Append($", device='{device}'");
        if (dtype != torch.ScalarType.Float32 && dtype != torch.ScalarType.Int64 && dtype != torch.ScalarType.Bool)
            suffix.Append(", dtype=torch.").Append(DtypeName(dtype));
        if (count == 0 && dtype != torch.ScalarType.Float32 && suffix.Length == 0) suffix.Append(", dtype=torch.").Append(DtypeName(dtype));
        if (requiresGrad) suffix.Append(", requires_grad=True");
        return $"tensor({body}{suffix})";
    }

    private static double[] ReadAsDouble(Tensor tensor, torch.ScalarType dtype)
    {
        if (dtype == torch.ScalarType.Bool) return tensor.detach().to(torch.CPU).CopyToArray<bool>().Select(b => b ? 1.0 : 0.0).ToArray();
        using Tensor asDouble = tensor.detach().to(torch.ScalarType.Float64, torch.CPU);
        return asDouble.CopyToArray<double>();
    }

    private static Func<double, string> CellFormat(double[] values, torch.ScalarType dtype, bool summarized, long[] shape)
    {
        if (dtype == torch.ScalarType.Bool) return v => v != 0 ? "True" : "False";
        if (!DType.IsFloating(dtype)) return v => ((long)v).ToString(CultureInfo.InvariantCulture);
        double[] finite = values.Where(double.IsFinite).ToArray();
        if (finite.Length == 0) return Special;
        bool integral = finite.All(v => v == Math.Floor(v));
        double maxAbs = finite.Max(Math.Abs);
        double[] nonzero = finite.Where(v => v != 0).Select(Math.Abs).ToArray();
        double minAbs = nonzero.Length > 0 ? nonzero.Min() : 0;
        if (integral && maxAbs < 1e8) return v => double.IsFinite(v) ? v.ToString("0", CultureInfo.InvariantCulture) + "." : Special(v);
        bool scientific = maxAbs >= 1e8 || (minAbs > 0 && (minAbs < 1e-4 || maxAbs / minAbs > 1000));
        return scientific
            ? v => double.IsFinite(v) ? v.ToString("0.0000e+00", CultureInfo.InvariantCulture) : Special(v)
            : v => double.IsFinite(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : Special(v);
    }

    private static string Special(double v) => double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";

    /// <summary>Writes dimension <paramref name="dim"/> of the block starting at <paramref name="offset"/>.</summary>
    private static void Write(StringBuilder text, double[] values, long[] shape, int dim, long offset, bool summarize, Func<double, string> cell, int indent)
    {
        if (shape.Length == 0)
        {
            text.Append(cell(values[0]).Trim());
            return;
        }
        long stride = 1;
        for (int d = dim + 1; d < shape.Length; d++) stride *= shape[d];
        long size = shape[dim];
        bool cut = summarize && size > 2 * EdgeItems;
        bool last = dim == shape.Length - 1;
        text.Append('[');
        for (long i = 0; i < size; i++)
        {
            if (cut && i == EdgeItems)
            {
                text.Append(last ? "..., " : "...," + new string('\n', shape.Length - dim - 1) + new string(' ', indent + dim + 1));
                i = size - EdgeItems - 1;
                continue;
            }
            if (last) text.Append(cell(values[offset + i]));
            else Write(text, values, shape, dim + 1, offset + i * stride, summarize, cell, indent);
            if (i < size - 1)
                text.Append(last ? ", " : "," + new string('\n', shape.Length - dim - 1) + new string(' ', indent + dim + 1));
        }
        text.Append(']');
    }

    private static string DtypeName(torch.ScalarType dtype) => dtype switch
    {
        torch.ScalarType.Byte => "uint8",
        torch.ScalarType.Int8 => "int8",
        torch.ScalarType.Int16 => "int16",
        torch.ScalarType.Int32 => "int32",
        torch.ScalarType.Int64 => "int64",
        torch.ScalarType.Float16 => "float16",
        torch.ScalarType.Float32 => "float32",
        torch.ScalarType.Float64 => "float64",
        torch.ScalarType.BFloat16 => "bfloat16",
        _ => "bool",
    };
}
