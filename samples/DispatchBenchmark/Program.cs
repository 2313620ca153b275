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

// The dispatcher on TorchSharp, measured in one run (alternating rounds, medians):
//  (a) on each workload: TorchSharp eager, the twin, auto (the dispatcher), and TorchSharp's own
//      CompilationUnit.invoke of the same TorchScript; auto against the best forced path (target auto/best ≤ 1.05);
//  (b) the dispatcher's steady-state overhead per call, and a twin call's overhead against invoke's;
//  (c) first-call latency: the first call of a fresh method (compile + first run) and the calls until steady.
// Usage: HybridGen.Samples.DispatchBenchmark [rounds]
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 9;
set_num_threads(1);
manual_seed(0);
HybridRuntime.Warnings = null;

// (c) first, while nothing is compiled yet: the first call of a method through the dispatcher (auto) compiles its
// twin; compared with the first call of another method's eager body alone (same kind of work, nothing compiled).
double firstAuto, firstEager;
using (Tensor probe = randn(32, 512))
{
    // The eager body first (it pays .NET's JIT of the body and of TorchSharp's ops), then a fresh method with the
    // same body through the dispatcher (it pays the twin's compile and TorchScript's first run).
    var eagerOnly = (HybridFunction<ValueTuple<Tensor>, Tensor>)typeof(Workloads).GetField("__hybrid_LayerNormEagerFirst", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
    long t0 = Stopwatch.GetTimestamp();
    eagerOnly.InvokeEager(new ValueTuple<Tensor>(probe)).Dispose();
    firstEager = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    t0 = Stopwatch.GetTimestamp();
    Workloads.LayerNormFirst(probe).Dispose();
    firstAuto = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
}

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
Console.WriteLine($"{"workload",-30} {"eager us",10} {"twin us",10} {"auto us",10} {"invoke us",10} {"auto/best",10} {"twin/invoke",12} {"chose",6} {"calls to steady",16}");
var ratios = new List<double>();
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
    // TorchSharp's own way to run the same TorchScript (the build validated it, so compiling it here is safe).
    var info = (HybridMethodInfo)function.GetType().GetProperty("Info")!.GetValue(function)!;
    var unit = jit.compile(info.TwinSource);
    object[] boxed = arguments;
    Func<object, object> callInvoke = _ => unit.invoke(info.TwinFunction, boxed);

    // Calls until this signature is decided: the method may already have others.
    int before = Report(method).Signatures.Count, untilSteady = 0;
    do
    {
        Dispose(callAuto(tuple));
        untilSteady++;
    } while (Report(method).Signatures.Count == before || Report(method).Signatures.Any(s => s.State == "probing"));
    for (int i = 0; i < 3; i++) Dispose(callInvoke(tuple)); // TorchScript's profiling runs, outside the timing
    var times = new Dictionary<string, List<double>> { ["eager"] = new(), ["graph"] = new(), ["auto"] = new(), ["invoke"] = new() };
    var paths = new (string name, Func<object, object> call)[] { ("eager", callEager), ("graph", callGraph), ("auto", callAuto), ("invoke", callInvoke) };
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < paths.Length; k++)
        {
            var (path, call) = paths[(r + k) % paths.Length]; // rotate the order: no path always runs after the same one
            times[path].Add(Time(call, tuple, calls));
        }
    double e = Median(times["eager"]), g = Median(times["graph"]), a = Median(times["auto"]), v = Median(times["invoke"]);
    string chose = Report(method).State;
    ratios.Add(a / Math.Min(e, g));
    Console.WriteLine($"{name,-30} {e,10:F2} {g,10:F2} {a,10:F2} {v,10:F2} {a / Math.Min(e, g),10:F2} {g / v,12:F2} {chose,6} {untilSteady,16}");
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
// (b) what a twin call adds to the op itself: the one-op twin (1-element add) and TorchSharp's invoke of the same
// function, each minus TorchSharp's eager add, in alternating rounds.
var twinOverhead = new List<double>();
var invokeOverhead = new List<double>();
using (Tensor x = ones(1), y = ones(1))
{
    var f = (HybridFunction<(Tensor, Tensor), Tensor>)add;
    var unit = jit.compile(f.Info.TwinSource);
    var pair = (x, y);
    const int n = 20000;
    for (int i = 0; i < 10; i++) unit.invoke<Tensor>(f.Info.TwinFunction, x, y).Dispose();
    for (int r = 0; r < 3 * rounds; r++)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++) (x + y).Dispose();
        double eagerOp = Stopwatch.GetElapsedTime(start).TotalNanoseconds / n;
        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++) f.InvokeGraph(pair).Dispose();
        double twin = Stopwatch.GetElapsedTime(start).TotalNanoseconds / n;
        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < n; i++) unit.invoke<Tensor>(f.Info.TwinFunction, x, y).Dispose();
        double invoked = Stopwatch.GetElapsedTime(start).TotalNanoseconds / n;
        twinOverhead.Add(twin - eagerOp);
        invokeOverhead.Add(invoked - eagerOp);
    }
}

// (c) the calls until steady, against as many eager calls, for a method met for the first time here.
double steadyTotal, eagerTotal;
int steadyCalls = 0;
using (Tensor probe = randn(32, 512))
{
    long t0 = Stopwatch.GetTimestamp();
    do
    {
        Workloads.LayerNormSecond(probe).Dispose();
        steadyCalls++;
    } while (Report("LayerNormSecond").Signatures.Any(s => s.State == "probing") || Report("LayerNormSecond").Signatures.Count == 0);
    steadyTotal = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    var eagerOnly = (HybridFunction<ValueTuple<Tensor>, Tensor>)typeof(Workloads).GetField("__hybrid_LayerNormSecond", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
    t0 = Stopwatch.GetTimestamp();
    for (int i = 0; i < steadyCalls; i++) eagerOnly.InvokeEager(new ValueTuple<Tensor>(probe)).Dispose();
    eagerTotal = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
}

Console.WriteLine();
Console.WriteLine($"dispatcher overhead, steady state (1-element add, through the dispatcher minus the chosen path called directly): {Median(overhead):F0} ns per call (target < 150)");
Console.WriteLine($"twin call overhead (1-element add twin minus TorchSharp's eager add): {Median(twinOverhead):F0} ns; CompilationUnit.invoke of the same function: {Median(invokeOverhead):F0} ns; ratio {Median(twinOverhead) / Median(invokeOverhead):F2}");
Console.WriteLine($"first call in this process: eager body {firstEager:F1} ms (cold .NET JIT); a fresh method with that body through the dispatcher {firstAuto:F1} ms (twin compiled)");
Console.WriteLine($"calls until steady for a new method: {steadyCalls}, {steadyTotal:F1} ms; the same number of eager calls: {eagerTotal:F1} ms; ratio {steadyTotal / eagerTotal:F2}");
Console.WriteLine();
HybridRuntime.WriteReport(Console.Out);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"summary: auto/best worst {ratios.Max():F2} over {ratios.Count} workloads"));

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
