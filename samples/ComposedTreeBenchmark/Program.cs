using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using HybridGen;
using HybridGen.Composition;
using HybridGen.EndToEnd.Tests;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

// Issue 21's examples-shaped models (tests/HybridGen.EndToEnd.Tests/Models/ExampleShapedModels.cs), whose module
// trees only exist at run time, measured in one run.
// 1. Time to a TorchScript twin, per model, in a fresh model in train mode: from its first call (eager; the tree is
//    composed off the caller's thread) until its composed TorchScript twin is ready (validated by the twin validator
//    in a child process, then compiled in process, off the caller's thread). Then, for the same text: the child
//    process's validation alone, the answer read back from the cache, and the in-process compile alone (what a native
//    guard around libtorch's compile would cost instead of the child process). Answers are kept in a fresh folder, so
//    these are a machine's first run.
// 2. For each model at batch 1 and 32:
//    - forward (eval, no_grad): TorchSharp eager vs the composed TorchScript twin vs its ONNX Runtime twin vs auto;
//    - fwd+bwd (train mode): eager vs TorchScript vs auto (ONNX Runtime serves no call under grad);
//    - in fresh models (the median over 5): the first call (the tree composed off the caller's thread, the call itself
//      eager) against an eager call of a model whose kernels for the shape were set up by one call before (so the ratio
//      is what HybridGen adds to it, not libtorch's first-run setup) and against other fresh models' first eager call
//      (`1st/eager 1st`: a fresh instance's own first-call costs on both sides), and the time from that first call until the
//      composed twins are ready (composed, then built at the second call, both off the caller's thread; the
//      TorchScript text was validated in part 1).
// Rounds alternate the paths; each figure is a median of per-round means, ratios taken side by side.
// Usage: HybridGen.Samples.ComposedTreeBenchmark [rounds] [model-name-filter] [intra-op threads]
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
string filter = args.Length > 1 ? args[1] : "";
int threads = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1;
set_num_threads(threads);
manual_seed(0);
HybridRuntime.Warnings = null;
string cache = Path.Combine(Path.GetTempPath(), "hybridgen-benchmark-cache-" + Guid.NewGuid().ToString("N"));
Environment.SetEnvironmentVariable("HYBRIDGEN_CACHE", cache);

// Images 16x16; the transformer at the SequenceToSequence example's sizes (width 200, 2 heads, feed-forward 200, 2
// layers, sequences of 35 tokens) over a 2,000-token vocabulary, "batch" sequences at a time; an LSTM classifier
// (embeddings of 64, a 2-layer LSTM of 128) over the same tokens. The native TransformerEncoder's heads and activation
// are measured in eval mode (docs/modules.md), so its tree is composed at a first call in eval mode: its time to a
// TorchScript twin is taken in eval mode, and its fwd+bwd rows start with one eval call. The dropout probability of
// both is measured at their first call in training mode (part of the warm-up).
Func<long, T[]> Images = batch => new[] { randn(batch, 3, 16, 16) };
Func<long, T[]> Tokens = batch => new[] { randint(0, 2000, new long[] { 35, batch }), TransformerShaped.SquareSubsequentMask(35) };
Func<long, T[]> TokenIds = batch => new[] { randint(0, 2000, new long[] { 35, batch }) };
var models = new (string name, Func<nn.Module> create, Func<long, T[]> inputs, bool composesInTraining)[]
{
    ("ResNet18-shaped", () => ResNetShaped.Basic18(10), Images, true),
    ("ResNet50-shaped", () => ResNetShaped.Bottleneck50(10), Images, true),
    ("MobileNet-shaped", () => new MobileNetShaped(10), Images, true),
    ("VGG-shaped", () => new VggShaped("VGG-deeper", 10), Images, true),
    ("Transformer-shaped", () => new TransformerShaped(2000, 200, 2, 200, 2, 0.2), Tokens, false),
    ("LSTM classifier", () => new HybridGen.Samples.ComposedTreeBenchmark.LstmClassifier(2000, 64, 128, 2, 4), TokenIds, true),
};

Console.WriteLine($"HybridGen composed-tree benchmark: {rounds} alternating rounds, medians, {threads} intra-op thread(s), libtorch {torch.__version__}");
Console.WriteLine();
Console.WriteLine("time to a TorchScript twin (train mode, batch 1; answers kept in a fresh folder):");
Console.WriteLine($"{"model",-18} {"first call to twin ms",22} {"validate ms",12} {"cached ms",10} {"compile ms",11}");
var toTorchScript = new List<double>();
foreach (var (name, create, inputs, composesInTraining) in models.Where(m => m.name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
{
    nn.Module fresh = create();
    fresh.train(composesInTraining);
    T[] x = inputs(1);
    Func<T[], T> auto = Paths(fresh).auto;
    long start = Stopwatch.GetTimestamp();
    auto(x).Dispose();                                   // eager; the tree is composed in the background
    HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(300));
    auto(x).Dispose();                                   // eager; the signature's TorchScript twin starts building
    HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(300));
    double ready = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    (string text, string function) = TorchScriptOf(fresh);
    // The same text in another fresh folder: the child process alone, then the kept answer, then an in-process compile.
    Environment.SetEnvironmentVariable("HYBRIDGEN_CACHE", cache + "-" + name);
    HybridGen.Twins.RunTimeValidation.ForgetInProcess();
    long v0 = Stopwatch.GetTimestamp();
    string? why = HybridGen.Twins.RunTimeValidation.WhyNotValid(text, name);
    double validate = Stopwatch.GetElapsedTime(v0).TotalMilliseconds;
    HybridGen.Twins.RunTimeValidation.ForgetInProcess();
    long k0 = Stopwatch.GetTimestamp();
    HybridGen.Twins.RunTimeValidation.WhyNotValid(text, name);
    double cached = Stopwatch.GetElapsedTime(k0).TotalMilliseconds;
    Environment.SetEnvironmentVariable("HYBRIDGEN_CACHE", cache);
    string compile = "-";
    if (why is null)
    {
        long c0 = Stopwatch.GetTimestamp();
        HybridGen.Twins.TorchScriptTwin.Trusted(text, function).Prepare();
        compile = Stopwatch.GetElapsedTime(c0).TotalMilliseconds.ToString("F0", CultureInfo.InvariantCulture);
    }
    toTorchScript.Add(ready);
    Console.WriteLine($"{name,-18} {ready,22:F0} {validate,12:F0} {cached,10:F1} {compile,11}{(why is null ? "" : "  not valid: " + why)}");
}
// HYBRIDGEN_BENCH_FIRSTCALLS=1: at batch 1 in eval mode, the first and second calls of fresh instances one after the
// other, the background work of each waited for before the next (eager: one instance, its kernels set up by another).
if (Environment.GetEnvironmentVariable("HYBRIDGEN_BENCH_FIRSTCALLS") is "1")
{
    foreach (var (name, create, inputs, _) in models.Where(m => m.name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
    {
        T[] x = inputs(1);
        nn.Module[] fresh = Enumerable.Range(0, 6).Select(_ => create()).ToArray();
        foreach (nn.Module m in fresh) m.eval();
        using (no_grad())
        {
            double Timed(Func<T[], T> path)
            {
                long start = Stopwatch.GetTimestamp();
                path(x).Dispose();
                return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
            Timed(Paths(fresh[0]).eager);
            Timed(Paths(fresh[0]).eager);
            Func<T[], T> eagerBody = Paths(fresh[1]).eager;
            double eagerFirst = Timed(eagerBody), eagerSecond = Timed(eagerBody);
            var autoCalls = new List<string>();
            for (int k = 2; k < fresh.Length; k++)
            {
                HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(120));
                Func<T[], T> auto = Paths(fresh[k]).auto;
                double first = Timed(auto), second = Timed(auto);
                autoCalls.Add($"{first:F2}/{second:F2}");
            }
            Console.WriteLine($"first calls, {name}: eager first {eagerFirst:F2} ms, second {eagerSecond:F2} ms; auto first/second, per fresh instance: {string.Join("  ", autoCalls)} ms");
        }
    }
}

Console.WriteLine();
Console.WriteLine($"{"model",-18} {"batch",5} {"pass",-8} {"eager us",10} {"ts us",10} {"onnx us",10} {"auto us",10} {"ts/eager",9} {"onnx/eager",11} {"auto/best",10} {"paired",7} {"confirm",8} {"chose",6} {"first call/eager",17} {"1st/eager 1st",14} {"to twin ms",11}");
var speedUps = new List<double>();
var autoOverBest = new List<(string, double)>();
var autoOverBestPaired = new List<(string, double)>();
var autoOverBestConfirmed = new List<(string, double)>();
var firstOverFirst = new List<double>();
foreach (var (name, create, inputs, composesInTraining) in models.Where(m => m.name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
    foreach (long batch in new long[] { 1, 32 })
        foreach (bool backward in new[] { false, true })
        {
            T[] x = inputs(batch);
            // The first call on a fresh model (forward, eval, no_grad): composition + an eager call, against eager's
            // second call on another fresh model, and against the first eager call of a third (a fresh instance's own
            // first-call costs, such as libtorch preparing its weights, are then on both sides); then the wait until
            // the composed ONNX twin is built.
            string firstCall = "-", firstToFirst = "-", toTwin = "-";
            if (!backward)
            {
                (double autoFirst, double eagerFirst, double eagerSecond, double ready) = FirstCalls(create, x);
                firstCall = (autoFirst / eagerSecond).ToString("F2", CultureInfo.InvariantCulture);
                firstToFirst = (autoFirst / eagerFirst).ToString("F2", CultureInfo.InvariantCulture);
                firstOverFirst.Add(autoFirst / eagerFirst);
                toTwin = ready.ToString("F0", CultureInfo.InvariantCulture);
            }

            nn.Module model = create();
            var (eager, torchScript, onnx, modelAuto) = Paths(model);
            if (backward && !composesInTraining)
            {
                model.eval();
                using (no_grad()) modelAuto(x).Dispose();        // composes the tree in eval mode
                HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(120));
            }
            if (backward) model.train(); else model.eval();
            // Images get an input that requires grad; token ids cannot (the parameters do).
            T[] xg = x.Select(t => t.is_floating_point() ? t.detach().requires_grad_() : t).ToArray();
            Func<object> Pass(Func<T[], T> forward) => backward
                ? () => { using var scope = NewDisposeScope(); model.zero_grad(); forward(xg).square().mean().backward(); return 0; }
                : () => { using var scope = NewDisposeScope(); using (no_grad()) forward(x); return 0; };
            var passes = new List<(string path, Func<object> run)> { ("eager", Pass(eager)), ("auto", Pass(modelAuto)) };
            if (Environment.GetEnvironmentVariable("HYBRIDGEN_BENCH_SKIP_TS") is not "1") passes.Add(("ts", Pass(torchScript)));
            if (!backward) passes.Add(("onnx", Pass(onnx)));

            // Warm up: the composition, the ONNX model's build, the dispatcher's probing.
            foreach (var (_, run) in passes) run();
            HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(120));
            string method = model.GetType().FullName + ".forward";
            for (int i = 0; i < 300 && Signatures(method).Any(s => s.State == "probing") || i < 20; i++) passes[1].run();
            (long eagerBefore, long tsBefore, long onnxBefore) = Calls(method);

            long t0 = Stopwatch.GetTimestamp();
            passes[0].run();
            double once = Math.Max(Stopwatch.GetElapsedTime(t0).TotalMilliseconds, 0.005);
            int calls = (int)Math.Clamp(60 / once, 3, 2000);
            var times = passes.ToDictionary(p => p.path, _ => new List<double>());
            for (int round = 0; round < rounds; round++)
                for (int k = 0; k < passes.Count; k++)
                {
                    var (path, run) = passes[(k + round) % passes.Count];
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < calls; i++) run();
                    times[path].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000 / calls);
                }
            (long eagerAfter, long tsAfter, long onnxAfter) = Calls(method);
            var ran = new[] { ("eager", eagerAfter - eagerBefore), ("ts", tsAfter - tsBefore), ("onnx", onnxAfter - onnxBefore) };
            string chose = ran.OrderByDescending(r => r.Item2).First().Item1;
            double e = Median(times["eager"]), a = Median(times["auto"]);
            double? t = times.TryGetValue("ts", out var tsTimes) ? Median(tsTimes) : null;
            double? o = times.TryGetValue("onnx", out var onnxTimes) ? Median(onnxTimes) : null;
            (string bestPath, double ofMedians, double paired) = HybridGen.Samples.RoundStats.AutoOverBest(times);
            string row = $"{name}, batch {batch}, {(backward ? "fwd+bwd" : "forward")}";
            autoOverBest.Add((row, ofMedians));
            autoOverBestPaired.Add((row, paired));
            // auto against the fastest path alone, in 3 x rounds short rounds of the two in turn.
            double confirmed = HybridGen.Samples.RoundStats.Confirm(passes.First(p => p.path == "auto").run,
                passes.First(p => p.path == bestPath).run, Math.Max(calls / 2, 3), 3 * rounds);
            autoOverBestConfirmed.Add((row, confirmed));
            if (!backward && batch == 1) speedUps.Add(e / a);
            string onnxText = o is { } ov ? ov.ToString("F1", CultureInfo.InvariantCulture) : "-";
            string onnxRatio = o is { } ov2 ? (ov2 / e).ToString("F2", CultureInfo.InvariantCulture) : "-";
            if (Environment.GetEnvironmentVariable("HYBRIDGEN_BENCH_VERBOSE") is "2")
                foreach (HybridMethodReport report in HybridRuntime.GetReport())       // every hybridized method, nested ones too
                    foreach (SignatureReport sig in report.Signatures)
                        Console.WriteLine($"    {report.Name[..Math.Min(60, report.Name.Length)]}: {sig.State} eager/ts/onnx calls {sig.EagerCalls}/{sig.GraphCalls - sig.OnnxCalls}/{sig.OnnxCalls} medians {sig.EagerMedianMicroseconds:F1}/{sig.GraphMedianMicroseconds:F1}/{sig.OnnxMedianMicroseconds:F1} {sig.Signature[..Math.Min(50, sig.Signature.Length)]}");
            if (Environment.GetEnvironmentVariable("HYBRIDGEN_BENCH_VERBOSE") is "1")
                foreach (SignatureReport sig in Signatures(method))
                    Console.WriteLine($"    {sig.State} eager/ts/onnx calls {sig.EagerCalls}/{sig.GraphCalls - sig.OnnxCalls}/{sig.OnnxCalls} medians {sig.EagerMedianMicroseconds:F1}/{sig.GraphMedianMicroseconds:F1}/{sig.OnnxMedianMicroseconds:F1} {sig.Signature[..Math.Min(50, sig.Signature.Length)]} {sig.OnnxNote} {sig.GraphNote} {sig.Fallback}");
            string tsText = t is { } tv ? tv.ToString("F1", CultureInfo.InvariantCulture) : "-";
            string tsRatio = t is { } tv2 ? (tv2 / e).ToString("F2", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"{name,-18} {batch,5} {(backward ? "fwd+bwd" : "forward"),-8} {e,10:F1} {tsText,10} {onnxText,10} {a,10:F1} {tsRatio,9} {onnxRatio,11} {ofMedians,10:F2} {paired,7:F2} {confirmed,8:F2} {chose,6} {firstCall,17} {firstToFirst,14} {toTwin,11}");
            foreach (T tensor in x.Concat(xg.Where(g => !x.Any(o => ReferenceEquals(o, g))))) tensor.Dispose();
        }

Console.WriteLine();
var worst = autoOverBest.OrderByDescending(r => r.Item2).First();
double geomean = speedUps.Count == 0 ? double.NaN : Math.Exp(speedUps.Average(Math.Log));
var training = autoOverBest.Where(r => r.Item1.EndsWith("fwd+bwd", StringComparison.Ordinal)).OrderByDescending(r => r.Item2).FirstOrDefault();
var worstPaired = autoOverBestPaired.OrderByDescending(r => r.Item2).First();
var worstConfirmed = autoOverBestConfirmed.OrderByDescending(r => r.Item2).First();
var trainingConfirmed = autoOverBestConfirmed.Where(r => r.Item1.EndsWith("fwd+bwd", StringComparison.Ordinal)).OrderByDescending(r => r.Item2).FirstOrDefault();
var trainingPaired = autoOverBestPaired.Where(r => r.Item1.EndsWith("fwd+bwd", StringComparison.Ordinal)).OrderByDescending(r => r.Item2).FirstOrDefault();
Console.WriteLine($"auto/best paired (median over rounds of auto over the path with the best median, in the same round): worst {worstPaired.Item2:F2} ({worstPaired.Item1}); {autoOverBestPaired.Count(r => r.Item2 <= 1.05)} of {autoOverBestPaired.Count} within 1.05; training worst {trainingPaired.Item2:F2} ({trainingPaired.Item1})");
Console.WriteLine($"auto/best confirmed (auto and the best path alone, {3 * rounds} paired rounds): worst {worstConfirmed.Item2:F2} ({worstConfirmed.Item1}); {autoOverBestConfirmed.Count(r => r.Item2 <= 1.05)} of {autoOverBestConfirmed.Count} within 1.05; training worst {trainingConfirmed.Item2:F2} ({trainingConfirmed.Item1})");
Console.WriteLine($"summary: inference (forward, batch 1) auto speed-up over eager geomean {geomean:F2}x over {speedUps.Count} models; auto/best confirmed worst {worstConfirmed.Item2:F2} ({worstConfirmed.Item1}), training worst {trainingConfirmed.Item2:F2}, {autoOverBestConfirmed.Count(r => r.Item2 <= 1.05)} of {autoOverBestConfirmed.Count} within 1.05 (by the main rounds' medians: worst {worst.Item2:F2}, training worst {training.Item2:F2}); first call to TorchScript twin {toTorchScript.DefaultIfEmpty().Min():F0}-{toTorchScript.DefaultIfEmpty().Max():F0} ms; first call over a fresh eager first call {firstOverFirst.DefaultIfEmpty().Min():F2}-{firstOverFirst.DefaultIfEmpty().Max():F2}; {threads} thread(s)");
try { foreach (string folder in Directory.GetDirectories(Path.GetTempPath(), Path.GetFileName(cache) + "*")) Directory.Delete(folder, recursive: true); } catch (IOException) { }

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

// How many of the method's calls (every composed tree, every signature) ran eager, TorchScript and ONNX Runtime.
static (long eager, long torchScript, long onnx) Calls(string method) =>
    (Signatures(method).Sum(s => s.EagerCalls), Signatures(method).Sum(s => s.GraphCalls - s.OnnxCalls), Signatures(method).Sum(s => s.OnnxCalls));

// The first call of fresh models (forward, eval, no_grad), the median over FreshInstances of them: auto's (the call
// eager, its tree composed off the caller's thread after it), eager's first call of other fresh models, and eager's
// second call (libtorch's kernels for the shape set up by a model before, so neither side pays that); and the time
// from the first auto call until its composed twins are ready (composed, then built at the second call). Each fresh
// model starts quiet: the background work before it waited for and finalizers run, which would otherwise land in a
// sub-millisecond call.
static (double autoFirst, double eagerFirst, double eagerSecond, double ready) FirstCalls(Func<nn.Module> create, T[] x)
{
    const int FreshInstances = 5;
    static double Timed(Func<T[], T> path, T[] x)
    {
        long start = Stopwatch.GetTimestamp();
        path(x).Dispose();
        return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
    static void Quiet()
    {
        HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(120));
        GC.Collect();
        GC.WaitForPendingFinalizers();
    }
    static double Median(List<double> values) => values.OrderBy(v => v).ElementAt(values.Count / 2);
    using var noGrad = no_grad();
    nn.Module warm = create();
    warm.eval();
    Func<T[], T> warmBody = Paths(warm).eager;
    Timed(warmBody, x);
    var eagerFirsts = new List<double>();
    var eagerSeconds = new List<double>();
    var autoFirsts = new List<double>();
    double ready = 0;
    for (int k = 0; k < FreshInstances; k++)
    {
        Quiet();
        eagerSeconds.Add(Timed(warmBody, x));
        nn.Module eagerModel = create(), autoModel = create();
        eagerModel.eval();
        autoModel.eval();
        Func<T[], T> eagerBody = Paths(eagerModel).eager, auto = Paths(autoModel).auto;
        Quiet();
        eagerFirsts.Add(Timed(eagerBody, x));
        Quiet();
        long start = Stopwatch.GetTimestamp();
        autoFirsts.Add(Timed(auto, x));
        if (k > 0) continue;
        HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(120));
        auto(x).Dispose();
        HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(120));
        ready = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }
    return (Median(autoFirsts), Median(eagerFirsts), Median(eagerSeconds), ready);
}

static IEnumerable<SignatureReport> Signatures(string method) =>
    HybridRuntime.GetReport().Where(r => r.Name.StartsWith(method, StringComparison.Ordinal)).SelectMany(r => r.Signatures);

// The eager body, the composed TorchScript and ONNX twins and the dispatcher (auto) of a model's forward (its generated
// ComposedFunction), over the inputs as an array.
static (Func<T[], T> eager, Func<T[], T> torchScript, Func<T[], T> onnx, Func<T[], T> auto) Paths(nn.Module model) =>
    ((Func<T[], T>, Func<T[], T>, Func<T[], T>, Func<T[], T>))ModelPaths.Typed(model is nn.Module<T, T> ? nameof(ModelPaths.Of) : nameof(ModelPaths.Of2), model);

// The composed TorchScript text of a model's live tree and the function it calls.
static (string text, string function) TorchScriptOf(nn.Module model) =>
    ((string, string))ModelPaths.Typed(model is nn.Module<T, T> ? nameof(ModelPaths.TorchScript) : nameof(ModelPaths.TorchScript2), model);

internal static class ModelPaths
{
    public static object Typed(string method, nn.Module model) =>
        typeof(ModelPaths).GetMethod(method, BindingFlags.Public | BindingFlags.Static)!.MakeGenericMethod(model.GetType()).Invoke(null, new object[] { model })!;

    public static (Func<T[], T>, Func<T[], T>, Func<T[], T>, Func<T[], T>) Of<TModel>(nn.Module model) where TModel : nn.Module<T, T>
    {
        var m = (TModel)model;
        ComposedFunction<(TModel, T), T> f = Function<TModel, (TModel, T)>();
        return (a => f.InvokeEager((m, a[0])), a => f.InvokeGraph((m, a[0])), a => f.InvokeOnnx((m, a[0])), a => m.forward(a[0]));
    }

    public static (Func<T[], T>, Func<T[], T>, Func<T[], T>, Func<T[], T>) Of2<TModel>(nn.Module model) where TModel : nn.Module<T, T, T>
    {
        var m = (TModel)model;
        ComposedFunction<(TModel, T, T), T> f = Function<TModel, (TModel, T, T)>();
        return (a => f.InvokeEager((m, a[0], a[1])), a => f.InvokeGraph((m, a[0], a[1])), a => f.InvokeOnnx((m, a[0], a[1])), a => m.forward(a[0], a[1]));
    }

    public static (string, string) TorchScript<TModel>(nn.Module model) where TModel : nn.Module<T, T> => Text(Function<TModel, (TModel, T)>().FunctionFor(model)!.Info);

    public static (string, string) TorchScript2<TModel>(nn.Module model) where TModel : nn.Module<T, T, T> => Text(Function<TModel, (TModel, T, T)>().FunctionFor(model)!.Info);

    private static (string, string) Text(HybridMethodInfo info) => (info.TwinSource, info.TwinFunction);

    private static ComposedFunction<TArgs, T> Function<TModel, TArgs>() =>
        (ComposedFunction<TArgs, T>)typeof(TModel).GetField("__hybrid_forward", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
}
