using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using HybridGen.Torch;
using static HybridGen.Torch.torch;

// HybridGen.Torch's per-op cost against the same ATen ops called directly from C++ (libhybridgen_bench.so, built
// against the same libtorch), in one process: rounds alternate between the two, and each figure is a median.
// Usage: HybridGen.Samples.BindingBenchmark [rounds]
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
set_num_threads(1);

var workloads = new (string name, long rows, long cols, long iterations, Func<long, long, long, double> ours, Func<long, long, long, double> direct)[]
{
    ("add, 1 element", 1, 1, 20000, Ours.Add, Direct.bench_add),
    ("add, 1 element, scoped", 1, 1, 20000, Ours.AddScoped, Direct.bench_add),
    ("add, [64,256]", 64, 256, 5000, Ours.Add, Direct.bench_add),
    ("20-op chain, [1,16]", 1, 16, 1000, Ours.Chain20, Direct.bench_chain20),
    ("20-op chain, [64,256]", 64, 256, 200, Ours.Chain20, Direct.bench_chain20),
};

Console.WriteLine($"HybridGen.Torch eager vs direct C++ ATen calls: {rounds} alternating rounds, medians, 1 intra-op thread");
Console.WriteLine($"{"workload",-26} {"ours ns/iter",13} {"direct ns/iter",15} {"ours/direct",12}");
foreach (var w in workloads)
{
    w.ours(w.rows, w.cols, w.iterations / 4); // warm-up: op lookup, allocator, caches
    w.direct(w.rows, w.cols, w.iterations / 4);
    var ours = new List<double>();
    var direct = new List<double>();
    for (int r = 0; r < rounds; r++)
    {
        ours.Add(w.ours(w.rows, w.cols, w.iterations));
        direct.Add(w.direct(w.rows, w.cols, w.iterations));
    }
    double o = Median(ours), d = Median(direct);
    Console.WriteLine($"{w.name,-26} {o,13:F0} {d,15:F0} {o / d,12:F2}");
}

static double Median(List<double> values)
{
    double[] s = values.OrderBy(v => v).ToArray();
    return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}

static class Ours
{
    public static double Add(long rows, long cols, long iterations)
    {
        using Tensor a = ones(rows, cols), b = ones(rows, cols);
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < iterations; i++)
        {
            using Tensor r = a + b;
        }
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / iterations;
    }

    /// <summary>The same adds, made inside dispose scopes of 100 (TorchSharp's idiom for loops).</summary>
    public static double AddScoped(long rows, long cols, long iterations)
    {
        using Tensor a = ones(rows, cols), b = ones(rows, cols);
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < iterations; i += 100)
        {
            using var scope = NewDisposeScope();
            for (int k = 0; k < 100; k++) _ = a + b;
        }
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / iterations;
    }

    public static double Chain20(long rows, long cols, long iterations)
    {
        using Tensor x = full(new[] { rows, cols }, 0.5), w = full(new[] { rows, cols }, 0.25);
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < iterations; i++)
        {
            using var scope = NewDisposeScope();
            Tensor y = x;
            for (int k = 0; k < 4; k++) y = ((y + w) * w).tanh().sub(w).sigmoid();
        }
        return Stopwatch.GetElapsedTime(start).TotalNanoseconds / iterations;
    }
}

static partial class Direct
{
    [LibraryImport("hybridgen_bench")] public static partial double bench_add(long rows, long cols, long iterations);
    [LibraryImport("hybridgen_bench")] public static partial double bench_chain20(long rows, long cols, long iterations);
}
