using System;
using System.Linq;
using HybridGen.Torch;
using static HybridGen.Torch.torch;

namespace HybridGen.Torch.Tests;

/// <summary>Reading values back and comparing them with independently computed ones.</summary>
internal static class Check
{
    /// <summary>The values as doubles, whatever the dtype.</summary>
    public static double[] Values(Tensor t)
    {
        using Tensor d = t.to(ScalarType.Float64);
        return d.data<double>().ToArray();
    }

    public static Tensor T(params double[] values) => tensor(values.Select(v => (float)v).ToArray());

    public static Tensor T(long[] shape, params double[] values) => tensor(values.Select(v => (float)v).ToArray(), shape);

    public static void Close(double[] expected, Tensor actual, double tolerance = 1e-5)
    {
        double[] values = Values(actual);
        Assert.True(expected.Length == values.Length, $"expected {expected.Length} values, got {values.Length}");
        for (int i = 0; i < values.Length; i++)
            Assert.True(Math.Abs(expected[i] - values[i]) <= tolerance * (1 + Math.Abs(expected[i])),
                $"element {i}: expected {expected[i]}, got {values[i]}");
    }

    public static void Close(double expected, Tensor actual, double tolerance = 1e-5) => Close(new[] { expected }, actual, tolerance);

    public static void Shape(Tensor t, params long[] shape) => Assert.Equal(shape, t.shape);

    public static double[] Map(double[] values, Func<double, double> f) => values.Select(f).ToArray();
}
