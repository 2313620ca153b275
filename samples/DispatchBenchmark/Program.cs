using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
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
if (args.Length > 0 && args[0] == "--first-call") return FirstCallChild();
if (args.Length > 1 && args[0] == "--dispatch-loop") return DispatchLoop(double.Parse(args[1], CultureInfo.InvariantCulture));
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
Console.WriteLine($"{"workload",-30} {"eager us",10} {"twin us",10} {"onnx us",10} {"auto us",10} {"invoke us",10} {"auto/best",10} {"twin/invoke",12} {"chose",6} {"calls to steady",16}");
var ratios = new List<double>();
foreach (var (name, method, arguments, calls) in cases)
{
    object function = typeof(Workloads).GetField("__hybrid_" + method, BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
    Type tupleType = function.GetType().GetGenericArguments()[0];
    object tuple = Activator.CreateInstance(tupleType, arguments)!;
    MethodInfo invoke = function.GetType().GetMethod("Invoke")!, eager = function.GetType().GetMethod("InvokeEager")!, graph = function.GetType().GetMethod("InvokeGraph")!,
        onnxRoute = function.GetType().GetMethod("InvokeOnnx")!;
    // Compiled delegates, so reflection costs nothing in the timed loops.
    Func<object, object> Bind(MethodInfo m) => (Func<object, object>)typeof(Program).GetMethod(nameof(Binder), BindingFlags.NonPublic | BindingFlags.Static)!
        .MakeGenericMethod(tupleType).Invoke(null, new[] { function, m })!;
    Func<object, object> callAuto = Bind(invoke), callEager = Bind(eager), callGraph = Bind(graph), callOnnx = Bind(onnxRoute);
    // The ONNX Runtime route alone, where the workload has an ONNX form (its calls need no gradient here).
    bool hasOnnx = true;
    try { Dispose(callOnnx(tuple)); }
    catch (HybridGen.Twins.TwinUnavailableException) { hasOnnx = false; }
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
    var times = new Dictionary<string, List<double>> { ["eager"] = new(), ["graph"] = new(), ["auto"] = new(), ["invoke"] = new(), ["onnx"] = new() };
    var paths = new (string name, Func<object, object> call)[] { ("eager", callEager), ("graph", callGraph), ("auto", callAuto), ("invoke", callInvoke), ("onnx", callOnnx) }
        .Where(p => hasOnnx || p.name != "onnx").ToArray();
    for (int r = 0; r < rounds; r++)
        for (int k = 0; k < paths.Length; k++)
        {
            var (path, call) = paths[(r + k) % paths.Length]; // rotate the order: no path always runs after the same one
            times[path].Add(Time(call, tuple, calls));
        }
    double e = Median(times["eager"]), g = Median(times["graph"]), a = Median(times["auto"]), v = Median(times["invoke"]);
    double? o = hasOnnx ? Median(times["onnx"]) : null;
    double best = Math.Min(Math.Min(e, g), o ?? double.MaxValue);
    string chose = Report(method).State;
    ratios.Add(a / best);
    string onnxText = o is { } ov ? ov.ToString("F2", CultureInfo.InvariantCulture) : "-";
    Console.WriteLine($"{name,-30} {e,10:F2} {g,10:F2} {onnxText,10} {a,10:F2} {v,10:F2} {a / best,10:F2} {g / v,12:F2} {chose,6} {untilSteady,16}");
}

// (a) overhead per call on the cheapest workload, measured on its own, many rounds
object add = typeof(Workloads).GetField("__hybrid_TinyAdd", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
var overhead = new List<double>();
using (Tensor x = ones(1), y = ones(1))
{
    string chosen = Report("TinyAdd").State;
    var pair = (x, y);
    var f = (HybridFunction<(Tensor, Tensor), Tensor>)add;
    for (int r = 0; r < 3 * rounds; r++)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 20000; i++) f.Invoke(pair).Dispose();
        double through = Stopwatch.GetElapsedTime(start).TotalNanoseconds / 20000;
        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 20000; i++) (chosen == "graph" ? f.InvokeGraph(pair) : chosen == "onnx" ? f.InvokeOnnx(pair) : f.InvokeEager(pair)).Dispose();
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

// (d) the dispatcher's steady-state cost with 7 tensor inputs (1-element tensors, one op each): through the
// dispatcher minus the path it chose, called directly, in alternating rounds.
var seven = (HybridFunction<(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor), Tensor>)typeof(Workloads)
    .GetField("__hybrid_Seven", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
var sevenOverhead = new List<double>();
using (Tensor s1 = ones(1), s2 = ones(1), s3 = ones(1), s4 = ones(1), s5 = ones(1), s6 = ones(1), s7 = ones(1))
{
    var seven7 = (s1, s2, s3, s4, s5, s6, s7);
    seven.Invoke(seven7).Dispose();
    HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(60));
    while (Report("Seven").Signatures.Any(s => s.State == "probing")) seven.Invoke(seven7).Dispose();
    bool sevenGraph = Report("Seven").State == "graph";
    // Short alternating blocks, many rounds, the median of the per-round differences: the two loops do the same
    // work but for the dispatch, so slow drifts of the machine cancel.
    for (int r = 0; r < 40 * rounds; r++)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 1000; i++) seven.Invoke(seven7).Dispose();
        double through = Stopwatch.GetElapsedTime(start).TotalNanoseconds / 1000;
        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 1000; i++) (sevenGraph ? seven.InvokeGraph(seven7) : seven.InvokeEager(seven7)).Dispose();
        double direct = Stopwatch.GetElapsedTime(start).TotalNanoseconds / 1000;
        sevenOverhead.Add(through - direct);
    }
}

// (d') the same with the work taken out (DispatcherOnly): what the dispatcher itself costs for 7 tensor inputs.
var dispatcherOnly = DispatcherOnly.Create();
var dispatchOverhead = new List<double>();
using (Tensor s1 = ones(1), s2 = ones(1), s3 = ones(1), s4 = ones(1), s5 = ones(1), s6 = ones(1), s7 = ones(1))
{
    var seven7 = (s1, s2, s3, s4, s5, s6, s7);
    while (!HybridRuntime.GetReport().Any(r => r.Name == dispatcherOnly.Info.Name && r.State == "eager")) dispatcherOnly.Invoke(seven7);
    for (int i = 0; i < 100_000; i++) dispatcherOnly.Invoke(seven7); // steady, and compiled at the JIT's last tier
    for (int r = 0; r < 40 * rounds; r++)
    {
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 10_000; i++) dispatcherOnly.Invoke(seven7);
        double through = Stopwatch.GetElapsedTime(start).TotalNanoseconds / 10_000;
        start = Stopwatch.GetTimestamp();
        for (int i = 0; i < 10_000; i++) dispatcherOnly.InvokeEager(seven7);
        double direct = Stopwatch.GetElapsedTime(start).TotalNanoseconds / 10_000;
        dispatchOverhead.Add(through - direct);
    }
}

// (c, in child processes) process start to first result, and the first 20 calls, auto against forced eager; a
// process start varies by tens of milliseconds here, so 7 runs each, alternating, and the medians.
const int FirstCallRuns = 7;
var firstAutoRuns = new List<(double first, double twenty)>();
var firstEagerRuns = new List<(double first, double twenty)>();
for (int r = 0; r < FirstCallRuns; r++)
{
    firstAutoRuns.Add(RunFirstCallChild(eager: false));
    firstEagerRuns.Add(RunFirstCallChild(eager: true));
}
double firstAutoMs = Median(firstAutoRuns.Select(v => v.first).ToList()), firstEagerMs = Median(firstEagerRuns.Select(v => v.first).ToList());
double twentyAutoMs = Median(firstAutoRuns.Select(v => v.twenty).ToList()), twentyEagerMs = Median(firstEagerRuns.Select(v => v.twenty).ToList());

// (e) 16 threads, each calling the batch-1 MLP: calls per second through the dispatcher (auto) and eager, in
// alternating rounds; every thread checks its last result against eager's.
const int threadCount = 16, perThread = 400;
using Tensor mx = randn(1, 64), mw1 = randn(256, 64) * 0.1, mb1 = randn(256), mw2 = randn(10, 256) * 0.1, mb2 = randn(10);
var mlp = (HybridFunction<(Tensor, Tensor, Tensor, Tensor, Tensor), Tensor>)typeof(Workloads).GetField("__hybrid_Mlp", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
var mlpArgs = (mx, mw1, mb1, mw2, mb2);
using Tensor expected = mlp.InvokeEager(mlpArgs);
var threadRatios = new List<double>();
int mismatches = 0;
double Throughput(bool eager)
{
    var threads = new System.Threading.Thread[threadCount];
    using var start = new System.Threading.Barrier(threadCount + 1);
    for (int t = 0; t < threadCount; t++)
        threads[t] = new System.Threading.Thread(() =>
        {
            torch.set_grad_enabled(true);
            start.SignalAndWait();
            Tensor? last = null;
            for (int i = 0; i < perThread; i++)
            {
                last?.Dispose();
                last = eager ? mlp.InvokeEager(mlpArgs) : mlp.Invoke(mlpArgs);
            }
            if (!last!.allclose(expected, 1e-4, 1e-5)) System.Threading.Interlocked.Increment(ref mismatches);
            last.Dispose();
        });
    foreach (var thread in threads) thread.Start();
    long t0 = Stopwatch.GetTimestamp();
    start.SignalAndWait();
    foreach (var thread in threads) thread.Join();
    return threadCount * perThread / Stopwatch.GetElapsedTime(t0).TotalSeconds;
}
Throughput(eager: false);
for (int r = 0; r < rounds; r++)
{
    double a16 = Throughput(eager: false), e16 = Throughput(eager: true);
    threadRatios.Add(a16 / e16);
}

// (f) grad-free twin calls: the twin of calls where no input requires grad, run in grad mode (what the dispatcher
// does, the caller's mode), under no_grad and under inference_mode, in alternating rounds; ratios against grad
// mode. Neither shortcut is taken: no_grad views and inference tensors do not behave as eager's (dispatch.md).
var chain = (HybridFunction<ValueTuple<Tensor>, Tensor>)typeof(Workloads).GetField("__hybrid_ScalarChain", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
using Tensor chainInput = randn(1);
var gradFreeLines = new List<string>();
foreach (var (label, call, n) in new (string, Func<Tensor>, int)[]
{
    ("20-op scalar chain", () => chain.InvokeGraph(new ValueTuple<Tensor>(chainInput)), 300),
    ("MLP batch 1", () => mlp.InvokeGraph(mlpArgs), 1000),
})
{
    for (int i = 0; i < 20; i++) call().Dispose();
    var modeTimes = new Dictionary<string, List<double>> { ["grad"] = new(), ["no_grad"] = new(), ["inference"] = new() };
    for (int r = 0; r < 3 * rounds; r++)
        foreach (string mode in new[] { "grad", "no_grad", "inference" })
        {
            IDisposable? guard = mode == "no_grad" ? no_grad() : mode == "inference" ? inference_mode() : null;
            long t0 = Stopwatch.GetTimestamp();
            for (int i = 0; i < n; i++) call().Dispose();
            modeTimes[mode].Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds * 1000 / n);
            guard?.Dispose();
        }
    double grad = Median(modeTimes["grad"]);
    gradFreeLines.Add($"{label} {grad:F1} us: no_grad/grad {Median(modeTimes["no_grad"]) / grad:F2}, inference_mode/grad {Median(modeTimes["inference"]) / grad:F2}");
}

Console.WriteLine();
Console.WriteLine($"dispatcher overhead, steady state (1-element add, through the dispatcher minus the chosen path called directly): {Median(overhead):F0} ns per call (target < 150)");
Console.WriteLine($"twin call overhead (1-element add twin minus TorchSharp's eager add): {Median(twinOverhead):F0} ns; CompilationUnit.invoke of the same function: {Median(invokeOverhead):F0} ns; ratio {Median(twinOverhead) / Median(invokeOverhead):F2}");
Console.WriteLine($"first call in this process: eager body {firstEager:F1} ms (cold .NET JIT); a fresh method with that body through the dispatcher {firstAuto:F1} ms (eager while its twin compiles in the background; the difference is mostly the dispatcher's own first-use JIT)");
Console.WriteLine($"calls until steady for a new method: {steadyCalls}, {steadyTotal:F1} ms; the same number of eager calls: {eagerTotal:F1} ms; ratio {steadyTotal / eagerTotal:F2}");
Console.WriteLine($"grad-free twin calls (no input requires grad): {string.Join("; ", gradFreeLines)}");
Console.WriteLine($"dispatcher overhead with 7 tensor inputs, the dispatcher alone (a body that returns its input: through the dispatcher minus the body): {Median(dispatchOverhead):F0} ns per call (target < 100)");
Console.WriteLine($"  the same with a one-op body (Workloads.Seven: through the dispatcher minus the chosen path; the body's own variance dominates): {Median(sevenOverhead):F0} ns per call");
Console.WriteLine($"new process, start to first result of a hybridized method: auto {firstAutoMs:F1} ms, forced eager {firstEagerMs:F1} ms, ratio {firstAutoMs / firstEagerMs:F2}; first 20 calls: auto {twentyAutoMs:F1} ms, eager {twentyEagerMs:F1} ms, ratio {twentyAutoMs / twentyEagerMs:F2} (target <= 1.1; {FirstCallRuns} runs each, medians)");
Console.WriteLine($"{threadCount} threads x {perThread} calls of the batch-1 MLP ({Environment.ProcessorCount} cores here): auto/eager throughput {Median(threadRatios):F2} (target >= 0.95); results differing from eager: {mismatches}");
Console.WriteLine();
HybridRuntime.WriteReport(Console.Out);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"summary: auto/best worst {ratios.Max():F2}, dispatch {Median(dispatchOverhead):F0} ns, twin call overhead vs CompilationUnit.invoke {Median(twinOverhead) / Median(invokeOverhead):F2}, first call / eager {firstAutoMs / firstEagerMs:F2}"));
return 0;

// For a profiler (dotnet-trace collect -- BENCH --dispatch-loop 10): the 7-input method, steady, for that long.
static int DispatchLoop(double seconds)
{
    set_num_threads(1);
    using Tensor a = ones(1), b = ones(1), c = ones(1), d = ones(1), e = ones(1), f = ones(1), g = ones(1);
    Workloads.Seven(a, b, c, d, e, f, g).Dispose();
    HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(60));
    long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
    long calls = 0;
    while (Stopwatch.GetTimestamp() < end)
        for (int i = 0; i < 1000; i++, calls++) Workloads.Seven(a, b, c, d, e, f, g).Dispose();
    Console.WriteLine($"{calls} calls");
    return 0;
}

// A child process: process start to the first result of a hybridized method, and its first 20 calls.
static int FirstCallChild()
{
    double sinceStart = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
    using Tensor x = randn(32, 512);
    long t0 = Stopwatch.GetTimestamp();
    Workloads.LayerNorm(x).Dispose();
    double first = sinceStart + Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    for (int i = 1; i < 20; i++) Workloads.LayerNorm(x).Dispose();
    double twenty = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first-call {first:F3} {twenty:F3}"));
    return 0;
}

static (double first, double twenty) RunFirstCallChild(bool eager)
{
    // This program again: its apphost, or `dotnet <this dll>` where it was started that way.
    string host = Environment.ProcessPath!;
    string arguments = Path.GetFileNameWithoutExtension(host) == "dotnet" ? $"\"{typeof(Workloads).Assembly.Location}\" --first-call" : "--first-call";
    var start = new ProcessStartInfo(host, arguments) { RedirectStandardOutput = true, UseShellExecute = false };
    start.Environment[DispatchOptions.ModeVariable] = eager ? "eager" : "auto";
    using var child = Process.Start(start)!;
    string output = child.StandardOutput.ReadToEnd();
    child.WaitForExit();
    string line = output.Split('\n').First(l => l.StartsWith("first-call ", StringComparison.Ordinal));
    string[] parts = line.Split(' ');
    return (double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture));
}

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
