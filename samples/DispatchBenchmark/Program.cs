using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using Benchmarks;
using HybridGen;
using TorchSharp;
using static TorchSharp.torch;

// The dispatcher, measured in one run (alternating rounds, medians):
//  (a) its overhead: a steady-state call through the dispatcher against calling the path it chose directly;
//  (b) on each workload, auto against the best forced mode (eager or graph), the target being auto/best ≤ 1.05;
//  (c) how many calls it takes until a signature's decision is steady.
// Usage: HybridGen.Samples.DispatchBenchmark [rounds]
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 9;
set_num_threads(1);
manual_seed(0);
HybridRuntime.Warnings = null;

var cases = new (string name, string method, object[] args, int calls)[]
{
    ("add, 1 element", "TinyAdd", new object[] { ones(1), ones(1) }, 4000),
    ("20-op scalar chain, [1]", "ScalarChain", new object[] { randn(1) }, 400),
    ("elementwise chain, [256,256]", "Elementwise", new object[] { randn(256, 256) }, 40),
    ("MLP 64-256-10, batch 1", "Mlp", new object[] { randn(1, 64), randn(256, 64) * 0.1, randn(256), randn(10, 256) * 0.1, randn(10) }, 1000),
    ("MLP 64-256-10, batch 256", "Mlp", new object[] { randn(256, 64), randn(256, 64) * 0.1, randn(256), randn(10, 256) * 0.1, randn(10) }, 100),
    ("GRU loop, 16 steps, [1,32]", "Gru", new object[] { Enumerable.Range(0, 16).Select(_ => randn(1, 32)).ToArray(), randn(1, 32), randn(32, 96) * 0.1, randn(32, 96) * 0.1 }, 100),
    ("attention, seq 32, d 64", "Attention", new object[] { randn(32, 64), randn(32, 64), randn(32, 64) }, 200),
    ("layer norm by hand, [32,512]", "LayerNorm", new object[] { randn(32, 512) }, 200),
};

Console.WriteLine($"HybridGen dispatch benchmark: {rounds} alternating rounds, medians, 1 intra-op thread, libtorch {torch.__version__}");
Console.WriteLine();
Console.WriteLine($"{"workload",-30} {"eager us",10} {"graph us",10} {"auto us",10} {"auto/best",10} {"chose",6} {"calls to steady",16}");
var overheads = new List<double>();
foreach (var (name, method, arguments, calls) in cases)
{
    object function = typeof(Workloads).GetField("__hybrid_" + method, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
    Type tupleType = function.GetType().GetGenericArguments()[0];
    object tuple = Activator.CreateInstance(tupleType, arguments)!;
    MethodInfo invoke = function.GetType().GetMethod("Invoke")!, eager = function.GetType().GetMethod("InvokeEager")!, graph = function.GetType().GetMethod("InvokeGraph")!;
    // Compiled delegates, so reflection costs nothing in the timed loops.
    Func<object, object> Bind(MethodInfo m) => (Func<object, object>)typeof(Program).GetMethod(nameof(Binder), BindingFlags.NonPublic | BindingFlags.Static)!
        .MakeGenericMethod(tupleType).Invoke(null, new[] { function, m })!;
    Func<object, object> callAuto = Bind(invoke), callEager = Bind(eager), callGraph = Bind(graph);

    // Calls until this signature is decided: the method may already have others.
    int before = Report(method).Signatures.Count, untilSteady = 0;
    do
    {
        Dispose(callAuto(tuple));
        untilSteady++;
    } while (Report(method).Signatures.Count == before || Report(method).Signatures.Any(s => s.State == "probing"));
    var times = new Dictionary<string, List<double>> { ["eager"] = new(), ["graph"] = new(), ["auto"] = new() };
    var paths = new (string name, Func<object, object> call)[] { ("eager", callEager), ("graph", callGraph), ("auto", callAuto) };
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < 3; k++)
        {
            var (path, call) = paths[(r + k) % 3]; // rotate the order: no path always runs after the same one
            times[path].Add(Time(call, tuple, calls));
        }
    double e = Median(times["eager"]), g = Median(times["graph"]), a = Median(times["auto"]);
    string chose = Report(method).State;
    Console.WriteLine($"{name,-30} {e,10:F2} {g,10:F2} {a,10:F2} {a / Math.Min(e, g),10:F2} {chose,6} {untilSteady,16}");
    if (method == "TinyAdd") overheads.Add((a - (chose == "graph" ? g : e)) * 1000);
}

// (a) overhead per call on the cheapest workload, measured on its own, many rounds
object add = typeof(Workloads).GetField("__hybrid_TinyAdd", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
var overhead = new List<double>();
using (Tensor x = ones(1), y = ones(1))
{
    bool graphChosen = Report("TinyAdd").State == "graph";
    var pair = (x, y);
    var f = (HybridFunction<(Tensor, Tensor), Tensor>)add;
    for (int r = 0; r < 3 * rounds; r++)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 20000; i++) f.Invoke(pair).Dispose();
        double through = Stopwatch.GetElapsedTime(start).TotalNanoseconds / 20000;
        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 20000; i++) (graphChosen ? f.InvokeGraph(pair) : f.InvokeEager(pair)).Dispose();
        double direct = Stopwatch.GetElapsedTime(start).TotalNanoseconds / 20000;
        overhead.Add(through - direct);
    }
}
Console.WriteLine();
Console.WriteLine($"dispatcher overhead, steady state (1-element add, through the dispatcher minus the chosen path called directly): {Median(overhead):F0} ns per call (target < 150)");
Console.WriteLine();
HybridRuntime.WriteReport(Console.Out);

static HybridMethodReport Report(string method) => HybridRuntime.GetReport().FirstOrDefault(r => r.Name == "Benchmarks.Workloads." + method)
    ?? new HybridMethodReport(method, "", DispatchMode.Auto, "not called", null, null, 0, 0, null, Array.Empty<SignatureReport>());

static double Time(Func<object, object> call, object args, int calls)
{
    long start = Stopwatch.GetTimestamp();
    for (int i = 0; i < calls; i++) Dispose(call(args));
    return Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000 / calls;
}

static void Dispose(object result)
{
    if (result is Tensor t) t.Dispose();
}

static double Median(List<double> values)
{
    double[] s = values.OrderBy(v => v).ToArray();
    return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
}

public partial class Program
{
    private delegate Tensor Call<T>(in T args);

    private static Func<object, object> Binder<T>(object function, MethodInfo method)
    {
        var call = (Call<T>)Delegate.CreateDelegate(typeof(Call<T>), function, method);
        return args => call((T)args);
    }
}
