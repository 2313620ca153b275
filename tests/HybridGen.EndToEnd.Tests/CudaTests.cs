using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using HybridGen;
using HybridGen.Twins;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>A test that needs a CUDA device: skipped, visibly, where there is none (CI has none).</summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public CudaFactAttribute()
    {
        if (!cuda.is_available()) Skip = "needs a CUDA device and TorchSharp-cuda-linux (this machine has neither)";
    }
}

/// <summary>Graph twins on the GPU: eager and the TorchScript twin agree on CUDA tensors, the dispatcher decides
/// with device synchronization, and concurrent callers stay correct. (CUDA-graph capture needs a native part this
/// version does not ship: docs/cuda.md.)</summary>
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

    private static HybridFunction<(Tensor, Tensor), Tensor> Mlp(string name) => new(
        new HybridMethodInfo(name + "." + Guid.NewGuid().ToString("N"), "CudaTests.cs(1)", "mlp", MlpSource),
        static a => a.Item1.matmul(a.Item2).relu(),
        static (in (Tensor, Tensor) a, Span<TwinValue> g) => { g[0] = a.Item1; g[1] = a.Item2; }, 2,
        static r => r[0].Tensor!, 1,
        twin: TorchScriptTwin.Trusted(MlpSource, "mlp"));

    [CudaFact]
    public void TheDispatcherDecidesOnCudaAndKeepsResultsEqual()
    {
        var f = Mlp("Cuda.Mlp");
        using Tensor x = randn(new long[] { 1, 64 }, device: CUDA), w = randn(new long[] { 64, 64 }, device: CUDA);
        using Tensor expected = f.InvokeEager((x, w));
        for (int i = 0; i < 50; i++)
        {
            using Tensor y = f.Invoke((x, w));
            Assert.Equal(DeviceType.CUDA, y.device_type);
            using Tensor d = (y - expected).abs().max();
            Assert.True(d.cpu().item<float>() < 1e-4f);
        }
        SignatureReport s = HybridRuntime.GetReport().Single(r => r.Name == f.Info.Name).Signatures.Single();
        Assert.NotEqual("probing", s.State);
    }

    [CudaFact]
    public void ConcurrentCallersOnCudaGetTheirOwnResults()
    {
        var f = Mlp("Cuda.Concurrent");
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
}

[Xunit.CollectionDefinition(nameof(CudaCollection), DisableParallelization = true)]
public class CudaCollection { }
