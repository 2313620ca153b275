using System;
using System.Linq;
using System.Runtime.InteropServices;
using HybridGen.Twins.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// The ONNX Runtime route's foundation: a model written by OnnxModelBuilder runs on ONNX Runtime with TorchSharp
/// tensors bound in and out, and agrees with TorchSharp eager. Tolerance rtol 1e-4, atol 1e-5 (the oracle's): ONNX
/// Runtime's GEMM (MLAS) sums in another order than libtorch's, so float32 results differ in the last bits (measured
/// within 2e-6 on these shapes), never more.
/// </summary>
public class OnnxRuntimeSessionTests
{
    private static Tensor Draw(torch.Generator generator, params long[] shape) => randn(shape, generator: generator);

    /// <summary>Linear(16→32), ReLU, Linear(32→4) as Gemm nodes (transB: TorchSharp's [out, in] weights).</summary>
    private static byte[] Mlp(Tensor[] weights, bool asInitializers)
    {
        var model = new OnnxModelBuilder("mlp");
        string x = model.Input("x", ScalarType.Float32, new long?[] { null, 16 });
        string[] w = new string[4];
        for (int k = 0; k < 4; k++)
            w[k] = asInitializers ? model.Initializer($"w{k}", weights[k])
                : model.Input($"w{k}", ScalarType.Float32, Array.ConvertAll(weights[k].shape, d => (long?)d));
        string h = model.Node("Relu", new[] { model.Node("Gemm", new[] { x, w[0], w[1] }, OnnxAttribute.Of("transB", 1L)) });
        string y = model.Node("Gemm", new[] { h, w[2], w[3] }, OnnxAttribute.Of("transB", 1L));
        model.Output(y, ScalarType.Float32, 2);
        return model.ToModel();
    }

    private static Tensor Eager(Tensor x, Tensor[] w) =>
        nn.functional.linear(nn.functional.relu(nn.functional.linear(x, w[0], w[1])), w[2], w[3]);

    private static Tensor[] Weights(torch.Generator g) => new[] { Draw(g, 32, 16), Draw(g, 32), Draw(g, 4, 32), Draw(g, 4) };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AnMlpAgreesWithEagerAtEveryBatchSizeAndOnEveryCall(bool weightsAsInitializers)
    {
        using var scope = NewDisposeScope();
        var g = new torch.Generator(7);
        Tensor[] w = Weights(g);
        using var session = new OnnxRuntimeSession(Mlp(w, weightsAsInitializers), threads: 1);
        foreach (long batch in new long[] { 1, 8, 1, 8 }) // each batch size twice: learning its output shape, then bound over it
        {
            Tensor x = Draw(g, batch, 16);
            Tensor[] inputs = weightsAsInitializers ? new[] { x } : new[] { x, w[0], w[1], w[2], w[3] };
            Tensor y = Assert.Single(session.Run(inputs));
            EagerOracle.AssertAgree($"MLP batch {batch}", () => Eager(x, w), () => y);
        }
    }

    [Fact]
    public void WeightsAsInputsAreReadAtEveryCallAndInitializersAreACopy()
    {
        using var scope = NewDisposeScope();
        var g = new torch.Generator(8);
        Tensor[] w = Weights(g);
        using var asInputs = new OnnxRuntimeSession(Mlp(w, asInitializers: false), threads: 1);
        using var asInitializers = new OnnxRuntimeSession(Mlp(w, asInitializers: true), threads: 1);
        Tensor x = Draw(g, 3, 16);
        Tensor before = asInitializers.Run(x)[0];
        using (no_grad()) w[3].add_(1.0f);
        EagerOracle.AssertAgree("after an in-place weight change, weights as inputs", () => Eager(x, w), () => asInputs.Run(x, w[0], w[1], w[2], w[3])[0]);
        // The initializer copy does not see the change: why the route must check weights before using one (issue 20, item 5).
        EagerOracle.AssertAgree("initializers keep the weights they were built with", () => before, () => asInitializers.Run(x)[0]);
    }

    [Fact]
    public void ANonContiguousInputIsReadInItsLogicalOrder()
    {
        using var scope = NewDisposeScope();
        var g = new torch.Generator(9);
        Tensor[] w = Weights(g);
        using var session = new OnnxRuntimeSession(Mlp(w, asInitializers: true), threads: 1);
        Tensor x = Draw(g, 16, 5).t(); // [5, 16], strides of its transpose
        Assert.False(x.is_contiguous());
        EagerOracle.AssertAgree("transposed input", () => Eager(x, w), () => session.Run(x)[0]);
    }

    [Fact]
    public void ResultsAreTheCallersTensorsInItsDisposeScope()
    {
        var g = new torch.Generator(10);
        Tensor[] w = Weights(g);
        using var session = new OnnxRuntimeSession(Mlp(w, asInitializers: true), threads: 1);
        using Tensor x = Draw(g, 2, 16);
        Tensor inside;
        using (NewDisposeScope())
        {
            inside = session.Run(x)[0];
            Assert.Equal(new long[] { 2, 4 }, inside.shape);
            Assert.Equal(ScalarType.Float32, inside.dtype);
        }
        Assert.True(inside.IsInvalid); // freed with the scope, as an eager result is
        foreach (Tensor t in w) t.Dispose();
    }

    [Fact]
    public void IntegerAndBooleanTensorsCrossBothWays()
    {
        using var scope = NewDisposeScope();
        var model = new OnnxModelBuilder("ints");
        string a = model.Input("a", ScalarType.Int64, new long?[] { null });
        string b = model.Input("b", ScalarType.Int64, new long?[] { null });
        string sum = model.Node("Add", new[] { a, b });
        string greater = model.Node("Greater", new[] { a, b });
        model.Output(sum, ScalarType.Int64, 1);
        model.Output(greater, ScalarType.Bool, 1);
        using var session = new OnnxRuntimeSession(model.ToModel(), threads: 1);
        Tensor x = tensor(new long[] { 1, -5, 1L << 40 }), y = tensor(new long[] { 2, -7, 3 });
        Tensor[] r = session.Run(x, y);
        Assert.Equal(new long[] { 3, -12, (1L << 40) + 3 }, r[0].data<long>().ToArray());
        Assert.Equal(new[] { false, true, true }, r[1].data<bool>().ToArray());
    }

    [Fact]
    public void ErrorsAreExceptionsTheDispatcherFallsBackOnAndTheProcessLivesOn()
    {
        Assert.Throws<ExternalException>(() => new OnnxRuntimeSession(new byte[] { 1, 2, 3, 4 }, threads: 1));
        var unknown = new OnnxModelBuilder("unknown");
        string a = unknown.Input("a", ScalarType.Float32, new long?[] { 2 });
        unknown.Output(unknown.Node("NoSuchOperator", new[] { a }), ScalarType.Float32, 1);
        ExternalException rejected = Assert.Throws<ExternalException>(() => new OnnxRuntimeSession(unknown.ToModel(), threads: 1));
        Assert.Contains("NoSuchOperator", rejected.Message);

        using var scope = NewDisposeScope();
        var g = new torch.Generator(11);
        Tensor[] w = Weights(g);
        using var session = new OnnxRuntimeSession(Mlp(w, asInitializers: true), threads: 1);
        Assert.Throws<ExternalException>(() => session.Run(Draw(g, 2, 15))); // 15 features where 16 are declared
        Assert.Equal(new long[] { 2, 4 }, session.Run(Draw(g, 2, 16))[0].shape); // and the session still works
    }

    [Fact]
    public void ConcurrentCallersGetTheirOwnResults()
    {
        // One signature's binding is reused by one call at a time; the others bind their own (OneOff).
        var g = new torch.Generator(12);
        Tensor[] w = Weights(g);
        using var session = new OnnxRuntimeSession(Mlp(w, asInitializers: false), threads: 1);
        Tensor[] xs = Enumerable.Range(0, 4).Select(_ => Draw(g, 3, 16)).ToArray();
        Tensor[] expected = xs.Select(x => Eager(x, w)).ToArray();
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        System.Threading.Tasks.Parallel.For(0, 4, new System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            for (int i = 0; i < 50; i++)
            {
                using var scope = NewDisposeScope();
                Tensor y = session.Run(xs[t], w[0], w[1], w[2], w[3])[0];
                if (EagerOracle.Difference(expected[t], y, 1e-4, 1e-5) is { } d) failures.Add($"caller {t}, call {i}: {d}");
            }
        });
        Assert.Empty(failures);
    }

    [Fact]
    public void AnInputAtTheAddressOfAFreedOneIsReadAnew()
    {
        // The session keeps an input's bound value while its data address is the same: right only because ONNX
        // Runtime reads the memory at each run. Free an input and make another of its size, often at the same address.
        var g = new torch.Generator(13);
        Tensor[] w = Weights(g);
        using var session = new OnnxRuntimeSession(Mlp(w, asInitializers: true), threads: 1);
        for (int i = 0; i < 20; i++)
        {
            using var scope = NewDisposeScope();
            Tensor x = Draw(g, 2, 16);
            EagerOracle.AssertAgree($"call {i}", () => Eager(x, w), () => session.Run(x)[0]);
            x.Dispose();
        }
    }

    [Fact]
    public void OutputsWhoseShapesDependOnInputValuesAreRight()
    {
        // NonZero: the same input shape, another count of nonzeros at each call. The output shapes learnt on the
        // first call do not fit the later ones, so ONNX Runtime allocates them from then on.
        var model = new OnnxModelBuilder("nonzero");
        string x = model.Input("x", ScalarType.Float32, new long?[] { 6 });
        model.Output(model.Node("NonZero", new[] { x }), ScalarType.Int64, 2);
        using var session = new OnnxRuntimeSession(model.ToModel(), threads: 1);
        foreach (float[] values in new[] { new float[] { 0, 1, 0, 2, 0, 3 }, new float[] { 1, 1, 0, 0, 0, 0 }, new float[] { 0, 0, 0, 0, 0, 0 }, new float[] { 1, 2, 3, 4, 5, 6 } })
        {
            using var scope = NewDisposeScope();
            Tensor input = tensor(values);
            Tensor indices = Assert.Single(session.Run(input));
            Assert.Equal(new long[] { 1, values.Count(v => v != 0) }, indices.shape);
            if (indices.numel() > 0) // TorchSharp's data<T>() refuses an empty tensor
                Assert.Equal(input.nonzero().t().contiguous().data<long>().ToArray(), indices.data<long>().ToArray());
        }
    }
}
