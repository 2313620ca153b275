using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using HybridGen.Twins.Onnx;
using TorchSharp;
using static TorchSharp.torch;

// Usage: HybridGen.Samples.OnnxRuntimeBenchmark [rounds]
// Per workload and intra-op thread count: TorchSharp eager (no_grad), ONNX Runtime with the weights as graph inputs
// (always current), and with the weights as initializers (prepacked copies) behind WeightSnapshot's check, run
// through HybridGen's OnnxRuntimeSession. The routes alternate within each round; a figure is the median of the
// rounds' per-call times. Ratios are eager time / route time (higher is faster), taken side by side in this run.
// For the MLP and the CNN, also HybridGen's whole ONNX Runtime route (HybridMlp.forward's InvokeOnnx: the model emitted from the
// twin's graph IR, its weights frozen as initializers once unchanged) against the hand-built initializers graph:
// "HG/hand" is its time over the hand-built one's (target <= 1.15), from the medians, and "best" from each route's
// fastest round; the same for the CNN (HybridCnn.forward). Then
// what one more signature costs in native memory with the weights frozen: copied into each session, or through HybridGen's
// route (read in place, prepacked once per model).
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 9;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var workloads = new List<Workload> { Workloads.Mlp(1), Workloads.Mlp(32), Workloads.Cnn(1), Workloads.Cnn(16), Workloads.Elementwise() };
Console.WriteLine($"ONNX Runtime through HybridGen's session vs TorchSharp eager (inference, no_grad), {Environment.ProcessorCount} cores, {rounds} rounds");
Console.WriteLine($"{"workload",-28} {"threads",7} {"eager us",10} {"ORT inputs",11} {"ORT init.",10} {"check ns",9} {"max |diff|",11} {"HG/hand",8} {"best",5}");
var speedups = new Dictionary<int, List<double>>();
var hybridOverHand = new List<double>();
var hybridOverHandBest = new List<double>();
foreach (int threads in new[] { 0, 1, 2 }) // 0: the warm-up pass, not printed
{
    // The first pass over the workloads is not printed: measured, TorchSharp eager ran up to 3x slower in it than in
    // a later pass at the same thread count, for seconds (the .NET JIT's tiering of TorchSharp's managed code, not
    // call counts: 30 warm-up calls did not remove it), which would overstate every ORT ratio.
    bool warmUp = threads == 0;
    set_num_threads(warmUp ? 1 : threads);
    foreach (Workload w in workloads)
    {
        using var scope = NewDisposeScope();
        using var asInputs = new OnnxRuntimeSession(w.Model(false), Math.Max(threads, 1));
        using var asInitializers = new OnnxRuntimeSession(w.Model(true), Math.Max(threads, 1));
        Tensor[] weightArray = w.Weights.ToArray();
        WeightSnapshot snapshot = WeightSnapshot.Of(weightArray);
        Tensor[] inputsWithWeights = new[] { w.Input }.Concat(w.Weights).ToArray();
        // Each eager call frees its intermediates at once, as a hybridized method's eager body does (its dispose scope):
        // left to the workload's scope they would make eager pay for memory ONNX Runtime never allocates.
        Func<Tensor> eager = () =>
        {
            using (no_grad())
            using (NewDisposeScope())
                return w.Eager().MoveToOuterDisposeScope();
        };
        Func<Tensor> ortInputs = () => asInputs.Run(inputsWithWeights)[0];
        Func<Tensor> ortInitializers = () => snapshot.Matches(weightArray) ? asInitializers.Run(w.Input)[0] : throw new InvalidOperationException("weights changed");
        double diff = Math.Max(MaxDiff(eager(), ortInputs()), MaxDiff(eager(), ortInitializers()));
        var routes = new List<Func<Tensor>> { eager, ortInputs, ortInitializers };
        if (w.Hybrid?.Invoke() is { } hybrid)
        {
            diff = Math.Max(diff, MaxDiff(eager(), hybrid()));
            routes.Add(hybrid);
        }
        double[] medians = Timing.Medians(warmUp ? 3 : rounds, out double[] best, routes.ToArray());
        if (warmUp) continue;
        double check = Timing.CheckNanoseconds(() => snapshot.Matches(weightArray));
        double speedup = medians[0] / medians[2];
        (speedups.TryGetValue(threads, out var list) ? list : speedups[threads] = new List<double>()).Add(speedup);
        string hand = medians.Length > 3 ? (medians[3] / medians[2]).ToString("F2") : "-";
        string handBest = medians.Length > 3 ? (best[3] / best[2]).ToString("F2") : "-";
        if (medians.Length > 3)
        {
            hybridOverHand.Add(medians[3] / medians[2]);
            hybridOverHandBest.Add(best[3] / best[2]);
        }
        Console.WriteLine($"{w.Name,-28} {threads,7} {medians[0],10:F1} {medians[0] / medians[1],10:F2}x {speedup,9:F2}x {check,9:F0} {diff,11:E1} {hand,8} {handBest,5}");
    }
}
double Geomean(List<double> values) => Math.Exp(values.Average(Math.Log));
(double copied, double shared) = Memory.PerSignature();
Console.WriteLine($"native memory per further signature (MLP 1024-2048-2048-10, {Memory.WeightMegabytes:F0} MB of weights, frozen): {copied:F1} MB with prepacked weights per session, {shared:F1} MB with one container shared");
Console.WriteLine($"summary: ORT with initializers over eager, geomean {Geomean(speedups[1]):F2}x at 1 thread, {Geomean(speedups[2]):F2}x at 2 threads ({workloads.Count} workloads); HybridGen's ONNX Runtime route over the hand-built graph, worst {hybridOverHand.Max():F2} by medians, {hybridOverHandBest.Max():F2} by best rounds ({hybridOverHand.Count} cases: MLP and CNN); native memory per further signature {copied:F1} MB unshared, {shared:F1} MB shared");

static double MaxDiff(Tensor a, Tensor b)
{
    using Tensor d = (a - b).abs().max();
    return d.item<float>();
}

/// <param name="Hybrid">Makes HybridGen's ONNX Runtime route of the workload (a hybridized model over the same weights,
/// frozen as a steady inference loop gets it), where there is one.</param>
internal sealed record Workload(string Name, Tensor Input, List<Tensor> Weights, Func<Tensor> Eager, Func<bool, byte[]> Model, Func<Func<Tensor>>? Hybrid = null);

internal static class Workloads
{
    /// <summary>MLP 256-512-512-10 (Linear, ReLU), the facts file's shape, as Gemm nodes over TorchSharp's [out, in] weights.</summary>
    public static Workload Mlp(long batch)
    {
        var g = new torch.Generator(1);
        long[] sizes = { 256, 512, 512, 10 };
        var weights = new List<Tensor>();
        for (int k = 0; k + 1 < sizes.Length; k++)
        {
            weights.Add(randn(new[] { sizes[k + 1], sizes[k] }, generator: g) * (1.0 / Math.Sqrt(sizes[k])));
            weights.Add(randn(new[] { sizes[k + 1] }, generator: g) * 0.1);
        }
        Tensor x = randn(new[] { batch, 256L }, generator: g);
        Tensor Eager()
        {
            Tensor h = x;
            for (int k = 0; k < 3; k++)
            {
                Tensor y = nn.functional.linear(h, weights[2 * k], weights[2 * k + 1]);
                h = k < 2 ? nn.functional.relu(y) : y;
            }
            return h;
        }
        byte[] Model(bool asInitializers)
        {
            var model = new OnnxModelBuilder("mlp");
            string h = model.Input("x", ScalarType.Float32, new long?[] { null, 256 });
            string[] w = Names(model, weights, asInitializers);
            for (int k = 0; k < 3; k++)
            {
                h = model.Node("Gemm", new[] { h, w[2 * k], w[2 * k + 1] }, OnnxAttribute.Of("transB", 1L));
                if (k < 2) h = model.Node("Relu", new[] { h });
            }
            model.Output(h, ScalarType.Float32, 2);
            return model.ToModel();
        }
        return new Workload($"MLP 256-512-512-10, batch {batch}", x, weights, Eager, Model, () => Hybrids.Route(new HybridMlp(weights), x));
    }

    /// <summary>An MNIST-sized CNN on [batch, 1, 28, 28]: Conv 1-16 3x3, ReLU, MaxPool 2, Conv 16-32 3x3, ReLU, MaxPool 2,
    /// Flatten, Gemm to 10.</summary>
    public static Workload Cnn(long batch)
    {
        var g = new torch.Generator(3);
        var weights = new List<Tensor>
        {
            randn(new long[] { 16, 1, 3, 3 }, generator: g) * (1.0 / 3), randn(new long[] { 16 }, generator: g) * 0.1,
            randn(new long[] { 32, 16, 3, 3 }, generator: g) * (1.0 / 12), randn(new long[] { 32 }, generator: g) * 0.1,
            randn(new long[] { 10, 800 }, generator: g) * (1.0 / Math.Sqrt(800)), randn(new long[] { 10 }, generator: g) * 0.1,
        };
        Tensor x = randn(new[] { batch, 1L, 28, 28 }, generator: g);
        Tensor Eager()
        {
            Tensor h = nn.functional.max_pool2d(nn.functional.conv2d(x, weights[0], weights[1]).relu(), 2);
            h = nn.functional.max_pool2d(nn.functional.conv2d(h, weights[2], weights[3]).relu(), 2);
            return nn.functional.linear(h.flatten(1), weights[4], weights[5]);
        }
        byte[] Model(bool asInitializers)
        {
            var model = new OnnxModelBuilder("cnn");
            string h = model.Input("x", ScalarType.Float32, new long?[] { null, 1, 28, 28 });
            string[] w = Names(model, weights, asInitializers);
            var pool = new[] { OnnxAttribute.Of("kernel_shape", new long[] { 2, 2 }), OnnxAttribute.Of("strides", new long[] { 2, 2 }) };
            h = model.Node("MaxPool", new[] { model.Node("Relu", new[] { model.Node("Conv", new[] { h, w[0], w[1] }) }) }, pool);
            h = model.Node("MaxPool", new[] { model.Node("Relu", new[] { model.Node("Conv", new[] { h, w[2], w[3] }) }) }, pool);
            h = model.Node("Gemm", new[] { model.Node("Flatten", new[] { h }, OnnxAttribute.Of("axis", 1L)), w[4], w[5] }, OnnxAttribute.Of("transB", 1L));
            model.Output(h, ScalarType.Float32, 2);
            return model.ToModel();
        }
        return new Workload($"CNN 1x28x28, batch {batch}", x, weights, Eager, Model, () => Hybrids.Route(new HybridCnn(weights), x));
    }

    /// <summary>28 elementwise ops on [1, 16]: 7 times (x * a + b, tanh, sigmoid), a and b weights of shape [16].</summary>
    public static Workload Elementwise()
    {
        var g = new torch.Generator(2);
        var weights = new List<Tensor>();
        for (int k = 0; k < 7; k++)
        {
            weights.Add(rand(new[] { 16L }, generator: g) + 0.5);
            weights.Add(randn(new[] { 16L }, generator: g) * 0.1);
        }
        Tensor x = randn(new[] { 1L, 16 }, generator: g);
        Tensor Eager()
        {
            Tensor h = x;
            for (int k = 0; k < 7; k++) h = (h * weights[2 * k] + weights[2 * k + 1]).tanh().sigmoid();
            return h;
        }
        byte[] Model(bool asInitializers)
        {
            var model = new OnnxModelBuilder("elementwise");
            string h = model.Input("x", ScalarType.Float32, new long?[] { null, 16 });
            string[] w = Names(model, weights, asInitializers);
            for (int k = 0; k < 7; k++)
                h = model.Node("Sigmoid", new[] { model.Node("Tanh", new[] { model.Node("Add", new[] { model.Node("Mul", new[] { h, w[2 * k] }), w[2 * k + 1] }) }) });
            model.Output(h, ScalarType.Float32, 2);
            return model.ToModel();
        }
        return new Workload("28 elementwise ops on [1,16]", x, weights, Eager, Model);
    }

    private static string[] Names(OnnxModelBuilder model, List<Tensor> weights, bool asInitializers) =>
        weights.Select((t, k) => asInitializers ? model.Initializer($"w{k}", t)
            : model.Input($"w{k}", ScalarType.Float32, t.shape.Select(d => (long?)d).ToArray())).ToArray();
}

internal static class Hybrids
{
    /// <summary>HybridGen's ONNX Runtime route of <paramref name="model"/> on <paramref name="input"/> (its InvokeOnnx),
    /// after enough calls that its weights are frozen, as a steady inference loop gets it.</summary>
    public static Func<Tensor> Route<TModel>(TModel model, Tensor input) where TModel : nn.Module<Tensor, Tensor>
    {
        model.eval();
        var f = (HybridGen.HybridFunction<(TModel, Tensor), Tensor>)typeof(TModel)
            .GetField("__hybrid_forward", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        Func<Tensor> hybrid = () => { using (no_grad()) return f.InvokeOnnx((model, input)); };
        for (int i = 0; i < OnnxWeightedSession.StableCalls + 2; i++) hybrid().Dispose();
        f.OnnxTwin!.WaitForFrozen();
        return hybrid;
    }
}

/// <summary>What one more signature (another batch size) costs in native memory, weights frozen: HybridGen's weighted
/// sessions (one per signature, as its twin keeps them) each keeping its own prepacked weights, against all sharing
/// one container (what the twin does). Native memory is resident memory less the
/// managed heap's committed bytes, read after a full GC and malloc_trim; the figure is the mean growth over five
/// further signatures.</summary>
internal static class Memory
{
    private static readonly long[] Sizes = { 1024, 2048, 2048, 10 };

    public static double WeightMegabytes => (1024 * 2048 + 2048 * 2048 + 2048 * 10 + 2048 + 2048 + 10) * 4 / 1e6;

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);

    private static double ResidentMegabytes()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        MallocTrim(0);
        // Less the managed heap's committed memory: building a model leaves garbage (its bytes) whose memory the GC
        // keeps committed after collecting it; what sessions hold is native.
        long resident = long.Parse(System.IO.File.ReadAllText("/proc/self/statm").Split(' ')[1], CultureInfo.InvariantCulture) * Environment.SystemPageSize;
        return (resident - GC.GetGCMemoryInfo().TotalCommittedBytes) / 1e6;
    }

    public static (double copied, double shared) PerSignature()
    {
        set_num_threads(1);
        var g = new torch.Generator(4);
        var weights = new List<Tensor>();
        for (int k = 0; k + 1 < Sizes.Length; k++)
        {
            weights.Add(randn(new[] { Sizes[k + 1], Sizes[k] }, generator: g) * (1.0 / Math.Sqrt(Sizes[k])));
            weights.Add(randn(new[] { Sizes[k + 1] }, generator: g) * 0.1);
        }
        byte[] Model(IReadOnlyList<Tensor>? frozen)
        {
            var model = new OnnxModelBuilder("mlp");
            string h = model.Input("x", ScalarType.Float32, new long?[] { null, Sizes[0] });
            for (int k = 0; k < 3; k++)
            {
                string[] w = Enumerable.Range(2 * k, 2).Select(j => frozen is null
                    ? model.Input($"w{j}", ScalarType.Float32, weights[j].shape.Select(d => (long?)d).ToArray())
                    : model.Initializer($"w{j}", frozen[j])).ToArray();
                h = model.Node("Gemm", new[] { h, w[0], w[1] }, OnnxAttribute.Of("transB", 1L));
                if (k < 2) h = model.Node("Relu", new[] { h });
            }
            model.Output(h, ScalarType.Float32, 2);
            return model.ToModel();
        }
        // A signature as HybridGen's twin keeps one: a weighted session, frozen once its weights stayed the same.
        var sessions = new List<OnnxWeightedSession>();
        Action<long> Signature(PrepackedWeights? prepacked) => batch =>
        {
            var session = new OnnxWeightedSession(Model, 1, prepacked);
            sessions.Add(session);
            using Tensor x = randn(new[] { batch, Sizes[0] }, generator: g);
            Tensor[] inputs = weights.Prepend(x).ToArray();
            for (int i = 0; i < OnnxWeightedSession.StableCalls + 2; i++) session.Run(inputs, 1)[0].Dispose();
            session.Freezing?.Wait();
            if (session.FreezeFailure is { } failure) throw new InvalidOperationException(failure);
            session.Run(inputs, 1)[0].Dispose();
        };
        // Sharing first: memory the first pass frees is reused by the second, which would understate its growth, so
        // the order favours the unshared figure.
        var shared = new PrepackedWeights();
        double sharing = Growth(Signature(shared));
        foreach (OnnxWeightedSession session in sessions) session.Dispose();
        shared.Dispose();
        sessions.Clear();
        double copied = Growth(Signature(null));
        foreach (OnnxWeightedSession session in sessions) session.Dispose();
        return (copied, sharing);
    }

    /// <summary>Mean resident growth per signature over signatures 2 to 6 (batch sizes 2..6; the first one pays for
    /// what every later one reuses).</summary>
    private static double Growth(Action<long> signature)
    {
        signature(1);
        double start = ResidentMegabytes();
        for (long batch = 2; batch <= 6; batch++) signature(batch);
        return (ResidentMegabytes() - start) / 5;
    }
}

internal static class Timing
{
    /// <summary>Per-call microseconds of each route: the median over rounds, the routes alternating within a round;
    /// <paramref name="best"/> gets each route's fastest round (less exposed to the machine's noise).</summary>
    public static double[] Medians(int rounds, out double[] best, params Func<Tensor>[] routes)
    {
        foreach (Func<Tensor> route in routes) for (int i = 0; i < 30; i++) route().Dispose(); // warm-up
        long t0 = Stopwatch.GetTimestamp();
        for (int i = 0; i < 20; i++) routes[0]().Dispose();
        double eagerMicroseconds = Stopwatch.GetElapsedTime(t0).TotalMicroseconds / 20;
        int calls = (int)Math.Clamp(20_000 / Math.Max(eagerMicroseconds, 1), 20, 20_000); // ~20 ms of eager a round
        var times = routes.Select(_ => new List<double>()).ToArray();
        for (int r = 0; r < rounds; r++)
            for (int k = 0; k < routes.Length; k++)
            {
                int route = (k + r) % routes.Length; // each route goes first in some rounds
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++) routes[route]().Dispose();
                times[route].Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls);
            }
        best = times.Select(t => t.Min()).ToArray();
        return times.Select(Median).ToArray();
    }

    /// <summary>Nanoseconds per call of the weight check (the median of 9 rounds of 100,000).</summary>
    public static double CheckNanoseconds(Func<bool> check)
    {
        var times = new List<double>();
        for (int r = 0; r < 9; r++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < 100_000; i++) if (!check()) throw new InvalidOperationException("weights changed");
            times.Add(Stopwatch.GetElapsedTime(start).TotalNanoseconds / 100_000);
        }
        return Median(times);
    }

    private static double Median(List<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
