using System;
using System.Reflection;
using HybridGen;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>Reaches the HybridFunction the generator emitted for a method.</summary>
internal static class Twins
{
    public static HybridFunction<TArgs, Tensor> Of<TArgs>(Type type, string method) =>
        (HybridFunction<TArgs, Tensor>)(type.GetField("__hybrid_" + method, BindingFlags.NonPublic | BindingFlags.Static)
            ?.GetValue(null) ?? throw new InvalidOperationException($"no generated twin for {type.Name}.{method}"));

    public static void AssertClose(Tensor expected, Tensor actual, double rtol = 1e-5, double atol = 1e-6)
    {
        Assert.Equal(expected.dtype, actual.dtype);
        Assert.Equal(expected.shape, actual.shape);
        float[] e = expected.data<float>().ToArray(), a = actual.data<float>().ToArray();
        for (int i = 0; i < e.Length; i++)
            Assert.True(Math.Abs(e[i] - a[i]) <= atol + rtol * Math.Abs(e[i]), $"element {i}: eager {e[i]}, graph {a[i]}");
    }
}
