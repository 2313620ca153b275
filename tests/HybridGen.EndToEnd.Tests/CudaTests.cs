using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using HybridGen;
using HybridGen.Torch;
using static HybridGen.Torch.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>A test that needs a CUDA device: skipped, visibly, where there is none (CI has none).</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!cuda.is_available()) Skip = "needs a CUDA device (libtorch here has none, or no GPU is present)";
        else if (!CudaGraph.Supported) Skip = "needs a shim built against a CUDA libtorch";
    }
}

/// <summary>Graph twins on the GPU: eager, TorchScript and the captured CUDA graph agree; a capture that cannot
/// work falls back; concurrent callers stay correct.</summary>
[Collection(nameof(CudaCollection))]
public class CudaTests
{
    private static object[] ToCuda(object[] args) => args.Select(a => a switch
    {
        Tensor t => (object)t.to(CUDA),
        Tensor[] ts => ts.Select(t => t.to(CUDA)).ToArray(),
        IReadOnlyList<Tensor> list => list.Select(t => t.to(CUDA)).ToArray(),
        _ => a,
    }).ToArray();

    [CudaFact]
    public void TheCorpusAgreesOnCuda()
    {
        foreach ((string name, Func<object[]>[] inputs) in LoweringEquivalenceTests.Cases)
        {
            object function = LoweringEquivalenceTests.Function(typeof(Corpus), name);
            manual_seed(1);
            object[] args = ToCuda(inputs[0]());
            var eager = LoweringEquivalenceTests.Flatten(LoweringEquivalenceTests.Call(function, "InvokeEager", args));
            var graph = LoweringEquivalenceTests.Flatten(LoweringEquivalenceTests.Call(function, "InvokeGraph", args));
            LoweringEquivalenceTests.AssertSame(eager, graph, name + " on CUDA");
        }
    }

    private const string MlpSource = "def mlp(x: Tensor, w: Tensor) -> Tensor:\n    return torch.relu(torch.matmul(x, w))\n";

    [CudaFact]
    public void ACapturedGraphAgreesWithEagerAndIsChosenOnlyWhenFaster()
    {
        var f = new HybridFunction<(Tensor, Tensor), Tensor>(
            new HybridMethodInfo("Cuda.Mlp." + Guid.NewGuid().ToString("N"), "CudaTests.cs(1)", "mlp", MlpSource),
            static a => a.Item1.matmul(a.Item2).relu(),
            static (in (Tensor, Tensor) a, Span<ScriptValue> g) => { g[0] = a.Item1; g[1] = a.Item2; }, 2,
            static r => r[0].Tensor!, 1,
            static (in (Tensor, Tensor) a, ref SignatureBuilder s) => { s.Add(a.Item1); s.Add(a.Item2); });
        using Tensor x = randn(new long[] { 1, 64 }, device: CUDA), w = randn(new long[] { 64, 64 }, device: CUDA);
        using Tensor expected = f.InvokeEager((x, w));
        for (int i = 0; i < 50; i++)
        {
            using Tensor y = f.Invoke((x, w));
            using Tensor d = (y - expected).abs().max();
            Assert.True(d.cpu().item<float>() < 1e-4f);
        }
        SignatureReport s = HybridRuntime.GetReport().Single(r => r.Name == f.Info.Name).Signatures.Single();
        Assert.NotEqual("probing", s.State);
    }

    [CudaFact]
    public void ACaptureThatCannotWorkFallsBackToTorchScript()
    {
        // nonzero synchronizes with the host: capture fails, the signature keeps eager and TorchScript.
        const string source = "def nz(x: Tensor) -> Tensor:\n    return torch.nonzero(x)\n";
        var f = new HybridFunction<ValueTuple<Tensor>, Tensor>(
            new HybridMethodInfo("Cuda.Nonzero." + Guid.NewGuid().ToString("N"), "CudaTests.cs(2)", "nz", source),
            static a => a.Item1.nonzero(),
            static (in ValueTuple<Tensor> a, Span<ScriptValue> g) => g[0] = a.Item1, 1,
            static r => r[0].Tensor!, 1,
            static (in ValueTuple<Tensor> a, ref SignatureBuilder s) => s.Add(a.Item1));
        HybridRuntime.Warnings = null;
        using Tensor x = tensor(new[] { 0f, 1f, 0f, 2f }, device: CUDA);
        for (int i = 0; i < 30; i++)
            using (Tensor r = f.Invoke(new ValueTuple<Tensor>(x))) Assert.Equal(new long[] { 2, 1 }, r.shape);
        HybridRuntime.Warnings = Console.Error;
    }

    [CudaFact]
    public void ConcurrentCallersOfACapturedGraphGetTheirOwnResults()
    {
        var f = new HybridFunction<(Tensor, Tensor), Tensor>(
            new HybridMethodInfo("Cuda.Concurrent." + Guid.NewGuid().ToString("N"), "CudaTests.cs(3)", "mlp", MlpSource),
            static a => a.Item1.matmul(a.Item2).relu(),
            static (in (Tensor, Tensor) a, Span<ScriptValue> g) => { g[0] = a.Item1; g[1] = a.Item2; }, 2,
            static r => r[0].Tensor!, 1,
            static (in (Tensor, Tensor) a, ref SignatureBuilder s) => { s.Add(a.Item1); s.Add(a.Item2); });
        using Tensor w = eye(16, device: CUDA);
        bool[] ok = new bool[8];
        Parallel.For(0, 8, t =>
        {
            using Tensor x = full(new long[] { 1, 16 }, t + 1, device: CUDA);
            bool all = true;
            for (int i = 0; i < 200; i++)
                using (Tensor y = f.Invoke((x, w))) all &= y.cpu().max().item<float>() == t + 1;
            ok[t] = all;
        });
        Assert.All(ok, Assert.True);
    }

    [CudaFact]
    public void DropoutInACapturedGraphGivesFreshNumbersEachReplay()
    {
        const string source = "def drop(x: Tensor) -> Tensor:\n    return torch.dropout(x, 0.5, True)\n";
        using CompilationUnit unit = jit.compile(source);
        using Tensor x = ones(new long[] { 1024 }, device: CUDA);
        using CudaGraph graph = unit["drop"].CaptureCudaGraph(new ScriptValue[] { x });
        var a = new ScriptValue[1];
        var b = new ScriptValue[1];
        graph.Replay(new ScriptValue[] { x }, a);
        graph.Replay(new ScriptValue[] { x }, b);
        using Tensor first = a[0].Tensor!, second = b[0].Tensor!;
        Assert.False(first.eq(second).all_true());
    }
}

internal static class TensorTests
{
    public static bool all_true(this Tensor mask)
    {
        using Tensor m = mask.cpu();
        return m.data<bool>().ToArray().All(v => v);
    }
}

[Xunit.CollectionDefinition(nameof(CudaCollection), DisableParallelization = true)]
public class CudaCollection { }
