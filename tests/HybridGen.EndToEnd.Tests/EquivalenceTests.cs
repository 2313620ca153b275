using HybridGen;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>Each corpus method: the twin compiles in libtorch, and eager and graph agree on seeded random inputs
/// (allclose with rtol 1e-5, atol 1e-6; same dtype and shape).</summary>
public class EquivalenceTests
{
    [Theory]
    [InlineData("Mlp")]
    [InlineData("Scalars")]
    [InlineData("Activations")]
    [InlineData("IntScalar")]
    [InlineData("FloatConversion")]
    public void TwinCompilesInLibtorch(string method)
    {
        var field = typeof(Corpus).GetField("__hybrid_" + method, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        var info = (HybridMethodInfo)field.FieldType.GetProperty("Info")!.GetValue(field.GetValue(null))!;
        Assert.Equal(method, info.TwinFunction);
        Assert.Contains($"def {method}(", info.TwinSource);
        // The build validated every twin of this assembly (HybridGenValidateTwins); compiling it here is safe.
        using var unit = jit.compile(info.TwinSource);
        Assert.NotNull(unit);
    }

    [Theory]
    [InlineData(1, 8, 16, 4)]
    [InlineData(32, 64, 64, 10)]
    [InlineData(7, 3, 5, 2)]
    public void Mlp(int batch, int input, int hidden, int output)
    {
        manual_seed(batch * 1000 + hidden);
        using T x = randn(batch, input), w1 = randn(input, hidden), b1 = randn(hidden), w2 = randn(hidden, output), b2 = randn(output);
        var twin = Twins.Of<(T, T, T, T, T)>(typeof(Corpus), nameof(Corpus.Mlp));
        EagerOracle.AssertAgree("Mlp", () => twin.InvokeEager((x, w1, b1, w2, b2)), () => twin.InvokeGraph((x, w1, b1, w2, b2)), rtol: 1e-4, atol: 1e-4);
    }

    [Theory]
    [InlineData(0.5, 3)]
    [InlineData(-2.25, -1)]
    [InlineData(0.0, 0)]
    public void ScalarsAndBothOperandOrders(double a, long n)
    {
        manual_seed(7);
        foreach (long[] shape in new[] { new long[] { 5 }, new long[] { 3, 4 }, new long[] { 2, 3, 4 } })
        {
            using T x = randn(shape);
            var twin = Twins.Of<(T, double, long)>(typeof(Corpus), nameof(Corpus.Scalars));
            EagerOracle.AssertAgree("Scalars", () => twin.InvokeEager((x, a, n)), () => twin.InvokeGraph((x, a, n)));
        }
    }

    [Fact]
    public void Activations()
    {
        manual_seed(3);
        using T x = randn(4, 6), y = randn(4, 6);
        var twin = Twins.Of<(T, T)>(typeof(Corpus), nameof(Corpus.Activations));
        EagerOracle.AssertAgree("Activations", () => twin.InvokeEager((x, y)), () => twin.InvokeGraph((x, y)));
    }

    [Fact]
    public void IntegerScalarsStayIntegral()
    {
        using T x = tensor(new long[] { 1, 2, 3 }, new long[] { 3 });
        var twin = Twins.Of<(T, int)>(typeof(Corpus), nameof(Corpus.IntScalar));
        using T eager = twin.InvokeEager((x, 4));
        using T graph = twin.InvokeGraph((x, 4));
        Assert.Equal(ScalarType.Int64, eager.dtype);
        Assert.Equal(eager.dtype, graph.dtype);
        Assert.Equal(new long[] { 8, 12, 16 }, eager.data<long>().ToArray());
        Assert.Equal(eager.data<long>().ToArray(), graph.data<long>().ToArray());
    }

    [Fact]
    public void CastOfAnIntParameterToDouble()
    {
        manual_seed(11);
        using T x = randn(3, 3);
        var twin = Twins.Of<(T, int)>(typeof(Corpus), nameof(Corpus.FloatConversion));
        EagerOracle.AssertAgree("FloatConversion", () => twin.InvokeEager((x, 3)), () => twin.InvokeGraph((x, 3)));
    }
}
