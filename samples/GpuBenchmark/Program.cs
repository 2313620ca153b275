using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using GpuBenchmark;
using HybridGen;
using TorchSharp;
using static TorchSharp.torch;

// HybridGen on a GPU, per workload: eager, the TorchScript twin, TorchSharp's own CompilationUnit.invoke of it, and
// auto (the dispatcher), in alternating rounds; medians in microseconds per call, the device synchronized before
// each clock read. Writes results to the folder given (default: ./gpu-results) as JSON and a markdown table.
// Usage: HybridGen.Samples.GpuBenchmark [out-folder] [rounds]
string output = args.Length > 0 ? args[0] : "gpu-results";
int rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;
if (!cuda.is_available())
{
    Console.Error.WriteLine("This benchmark needs a CUDA device and TorchSharp's CUDA libtorch (TorchSharp-cuda-linux). Nothing measured.");
    return 2;
}
manual_seed(0);
HybridRuntime.Warnings = null;
Directory.CreateDirectory(output);
Tensor R(params long[] shape) => randn(shape, device: CUDA) * 0.05;

var workloads = new (string name, string method, Func<object[]> inputs, int calls)[]
{
    ("MLP 3 layers, batch 1", "Mlp", () => new object[] { R(1, 512), R(1024, 512), R(1024), R(1024, 1024), R(1024), R(10, 1024), R(10) }, 500),
    ("GELU + LayerNorm chain, [8,1024]", "GeluLayerNorm", () => new object[] { R(8, 1024), ones(new long[] { 1024 }, device: CUDA), zeros(new long[] { 1024 }, device: CUDA) }, 500),
    ("GRU cell, 16 steps, batch 1", "GruLoop", () => new object[] { Enumerable.Range(0, 16).Select(_ => R(1, 256)).ToArray(), R(1, 256), R(256, 768), R(256, 768), R(768) }, 200),
    ("encoder block, batch 1", "EncoderBlock", () => new object[] { R(1, 64, 512), R(512, 1536), R(512, 512), R(512, 2048), R(2048, 512), ones(new long[] { 512 }, device: CUDA), ones(new long[] { 512 }, device: CUDA) }, 200),
    ("encoder block, batch 32", "EncoderBlock", () => new object[] { R(32, 64, 512), R(512, 1536), R(512, 512), R(512, 2048), R(2048, 512), ones(new long[] { 512 }, device: CUDA), ones(new long[] { 512 }, device: CUDA) }, 50),
};

var rows = new List<string>();
Console.WriteLine($"HybridGen GPU benchmark, libtorch {torch.__version__}, {rounds} rounds, medians (us per call)");
Console.WriteLine($"{"workload",-34} {"eager",10} {"graph",10} {"invoke",10} {"auto",10} {"auto chose",12}");
foreach (var (name, method, inputs, calls) in workloads)
{
    object function = typeof(Workloads).GetField("__hybrid_" + method, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
    var info = (HybridMethodInfo)function.GetType().GetProperty("Info")!.GetValue(function)!;
    object[] a = inputs();
    object tuple = Activator.CreateInstance(function.GetType().GetGenericArguments()[0], a)!;
    MethodInfo invoke = function.GetType().GetMethod("Invoke")!, eager = function.GetType().GetMethod("InvokeEager")!, graph = function.GetType().GetMethod("InvokeGraph")!;

    // TorchSharp's own way to call the same TorchScript (the build validated it, so compiling it here is safe).
    var unit = jit.compile(info.TwinSource);
    object[] boxed = a.Select(v => v is Tensor[] ts ? (object)ts : v).ToArray();

    var paths = new List<(string path, Action call)>
    {
        ("eager", () => Dispose(eager.Invoke(function, new[] { tuple }))),
        ("graph", () => Dispose(graph.Invoke(function, new[] { tuple }))),
        ("auto", () => Dispose(invoke.Invoke(function, new[] { tuple }))),
    };
    paths.Add(("invoke", () => Dispose(unit.invoke(info.TwinFunction, boxed))));
    for (int i = 0; i < 50; i++) foreach (var (_, call) in paths) call(); // warm-up, and auto's decision
    var times = paths.ToDictionary(p => p.path, _ => new List<double>());
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < paths.Count; k++)
        {
            var (path, call) = paths[(r + k) % paths.Count];
            cuda.synchronize();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < calls; i++) call();
            cuda.synchronize();
            times[path].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000 / calls);
        }
    double M(string p) => times.TryGetValue(p, out var v) ? Median(v) : double.NaN;
    string chose = HybridRuntime.GetReport().Single(r => r.Name == info.Name).Signatures.OrderByDescending(s => s.EagerCalls + s.GraphCalls).First().State;
    Console.WriteLine($"{name,-34} {M("eager"),10:F1} {M("graph"),10:F1} {M("invoke"),10:F1} {M("auto"),10:F1} {chose,12}");
    rows.Add(string.Create(CultureInfo.InvariantCulture,
        $"{{\"workload\":\"{name}\",\"eager\":{M("eager"):F2},\"graph\":{M("graph"):F2},\"invoke\":{M("invoke"):F2},\"auto\":{M("auto"):F2},\"auto_chose\":\"{chose}\"}}"));
}
File.WriteAllText(Path.Combine(output, "hybridgen.json"), "[\n" + string.Join(",\n", rows) + "\n]\n");
Console.WriteLine($"results: {Path.GetFullPath(Path.Combine(output, "hybridgen.json"))}");
return 0;

static void Dispose(object? result)
{
    if (result is Tensor t) t.Dispose();
}

static double Median(List<double> values)
{
    double[] s = values.OrderBy(v => v).ToArray();
    return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}
