using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using HybridGen;
using HybridGen.EndToEnd.Tests;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

// Issue 12's model corpus, measured in one run: for each model at batch 1 and 32, forward (eval, no_grad) and
// forward+backward (train mode, gradients of every parameter), TorchSharp eager vs the TorchScript twin vs the
// twin's ONNX model on ONNX Runtime (forward only: it serves calls that need no gradient) vs auto (the dispatcher).
// Rounds alternate the paths; each figure is a median of per-round means. Ratios are taken side by side, so
// machine noise hits all paths alike.
// Usage: HybridGen.Samples.ModelBenchmark [rounds] [model-name-filter] [forward|fwd+bwd] [intra-op threads]
int rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 7;
string filter = args.Length > 1 ? args[1] : "";
string passFilter = args.Length > 2 && args[2] != "all" ? args[2] : "";   // "forward" or "fwd+bwd": only that pass
int threads = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 1;
set_num_threads(threads);
manual_seed(0);
HybridRuntime.Warnings = null;

var models = new (string name, Func<nn.Module<T, T>> create, Func<long, T> input)[]
{
    ("MNIST CNN", () => new MnistCnn(), b => randn(b, 1, 16, 16)),
    ("AlexNet-style", () => new AlexNetLike(), b => randn(b, 3, 32, 32)),
    ("ResNet blocks", () => new TinyResNet(), b => randn(b, 3, 16, 16)),
    ("VGG + batch norm", () => new VggBn(), b => randn(b, 3, 16, 16)),
    ("MobileNet block", () => new MobileNetBlock(), b => randn(b, 16, 8, 8)),
    ("transformer encoder", () => new EncoderLayer(), b => randn(b, 8, 32)),
    ("positional encoding", () => new PositionalEncoding(16, 64), b => randn(b, 16, 16)),
    ("ModuleList MLP", () => new ListMlp(), b => randn(b, 8)),
    ("embeddings (ids)", () => new TokenEncoder(), b => randint(0, 50, new long[] { b, 12 })),
};

Console.WriteLine($"HybridGen model benchmark: {rounds} alternating rounds, medians, {threads} intra-op thread(s), libtorch {torch.__version__}");
Console.WriteLine();
Console.WriteLine($"{"model",-22} {"batch",5} {"pass",-9} {"eager us",10} {"twin us",10} {"onnx us",10} {"auto us",10} {"twin/eager",11} {"onnx/eager",11} {"auto/best",10} {"paired",7} {"confirm",8} {"chose",6}");
var autoOverBest = new List<(string, double)>();
var autoOverBestRounds = new List<double>();
var autoOverBestPaired = new List<double>();
var autoOverBestConfirmed = new List<(string, double)>();
var inferenceSpeedUps = new List<double>();                  // eager / auto, forward at batch 1
foreach (var (name, create, input) in models.Where(m => m.name.Contains(filter, StringComparison.OrdinalIgnoreCase)))
    foreach (long batch in new long[] { 1, 32 })
        foreach (bool backward in new[] { false, true }.Where(b => passFilter == "" || passFilter == (b ? "fwd+bwd" : "forward")))
        {
            nn.Module<T, T> model = create();
            using T x = input(batch);
            var (eager, graph, onnx, auto) = Dispatchers.Paths(model, x);
            if (backward) model.train(); else model.eval();
            // With backward, a floating input requires grad too (a model without parameters still has a backward).
            using T xg = x.is_floating_point() ? x.detach().requires_grad_() : x.alias();
            Func<object> Pass(Func<T, T> forward) => backward
                ? () => { using var scope = NewDisposeScope(); model.zero_grad(); forward(xg).square().mean().backward(); return 0; }
                : () => { using var scope = NewDisposeScope(); using (no_grad()) forward(x); return 0; };
            var passList = new List<(string path, Func<object> run)> { ("eager", Pass(eager)), ("twin", Pass(graph)), ("auto", Pass(auto)) };
            // ONNX Runtime serves calls that need no gradient: the forward pass, where the model has an ONNX form.
            string? noOnnx = backward ? "needs gradients" : null;
            if (!backward)
            {
                try { Pass(onnx)(); passList.Add(("onnx", Pass(onnx))); }
                catch (HybridGen.Twins.TwinUnavailableException unavailable) { noOnnx = unavailable.Message; }
            }
            // HYBRIDGEN_BENCH_PATHS=onnx,auto: only those paths (to compare two without the others between them).
            string[]? only = Environment.GetEnvironmentVariable("HYBRIDGEN_BENCH_PATHS")?.Split(',');
            var passes = passList.Where(p => only is null || only.Contains(p.path)).ToArray();

            // Warm up: the twin's compile and TorchScript's profiling runs, and the dispatcher's probing.
            string method = "HybridGen.EndToEnd.Tests." + model.GetType().Name + ".forward";
            for (int i = 0; i < 3; i++) { passList[0].run(); passList[1].run(); }
            passList[2].run();                                  // starts the twin's compile, in the background
            HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(60));
            for (int i = 0; i < 300 && Signatures(method).Any(sig => sig.State == "probing") || i < 20; i++) passList[2].run();
            (long eagerBefore, long graphBefore, long onnxBefore) = Calls(method);

            // Calls per round: about 40 ms of the eager pass.
            long t0 = Stopwatch.GetTimestamp();
            passList[0].run();
            double once = Math.Max(Stopwatch.GetElapsedTime(t0).TotalMilliseconds, 0.005);
            int calls = (int)Math.Clamp(40 / once, 3, 2000);
            var times = passes.ToDictionary(p => p.path, _ => new List<double>());
            for (int round = 0; round < rounds; round++)
                for (int k = 0; k < passes.Length; k++)
                {
                    var (path, run) = passes[(k + round) % passes.Length];
                    long start = Stopwatch.GetTimestamp();
                    for (int i = 0; i < calls; i++) run();
                    times[path].Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000 / calls);
                }
            (long eagerAfter, long graphAfter, long onnxAfter) = Calls(method);
            long eagerRan = eagerAfter - eagerBefore, onnxRan = onnxAfter - onnxBefore, twinRan = graphAfter - graphBefore - onnxRan;
            string chose = onnxRan > Math.Max(eagerRan, twinRan) ? "onnx" : twinRan > eagerRan ? "twin" : "eager";
            if (only is not null)
            {
                Console.WriteLine($"{name,-22} {batch,5} " + string.Join("  ", times.Select(t => $"{t.Key} {Median(t.Value):F1} us")));
                foreach (SignatureReport s in Signatures(method))
                    Console.WriteLine($"    {s.State} eager/graph/onnx calls {s.EagerCalls}/{s.GraphCalls - s.OnnxCalls}/{s.OnnxCalls} medians {s.EagerMedianMicroseconds:F1}/{s.GraphMedianMicroseconds:F1}/{s.OnnxMedianMicroseconds:F1} {s.Signature[..Math.Min(40, s.Signature.Length)]} {s.OnnxNote}");
                continue;
            }
            double e = Median(times["eager"]), g = Median(times["twin"]), a = Median(times["auto"]);
            double? o = times.TryGetValue("onnx", out var onnxTimes) ? Median(onnxTimes) : null;
            (string bestPath, double ratio, double paired) = HybridGen.Samples.RoundStats.AutoOverBest(times);
            autoOverBest.Add(($"{name}, batch {batch}, {(backward ? "fwd+bwd" : "forward")}", ratio));
            autoOverBestPaired.Add(paired);
            // auto against the fastest path alone, in 3 x rounds short rounds of the two in turn.
            double confirmed = HybridGen.Samples.RoundStats.Confirm(passList.First(p => p.path == "auto").run,
                passList.First(p => p.path == bestPath).run, Math.Max(calls / 2, 3), 3 * rounds);
            autoOverBestConfirmed.Add(($"{name}, batch {batch}, {(backward ? "fwd+bwd" : "forward")}", confirmed));
            // The same from each path's fastest round: less exposed to the machine's noise between rounds.
            double bestRounds = times["auto"].Min() / times.Where(t => t.Key != "auto").Min(t => t.Value.Min());
            autoOverBestRounds.Add(bestRounds);
            if (!backward && batch == 1) inferenceSpeedUps.Add(e / a);
            string onnxText = o is { } ov ? ov.ToString("F1", CultureInfo.InvariantCulture) : "-";
            string onnxRatio = o is { } ov2 ? (ov2 / e).ToString("F2", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"{name,-22} {batch,5} {(backward ? "fwd+bwd" : "forward"),-9} {e,10:F1} {g,10:F1} {onnxText,10} {a,10:F1} {g / e,11:F2} {onnxRatio,11} {ratio,10:F2} {paired,7:F2} {confirmed,8:F2} {chose,6}");
            if (!backward && noOnnx is not null) Console.WriteLine($"    no ONNX form: {noOnnx}");
            // Why auto did not measure ONNX Runtime where it could have (a forward pass that has an ONNX form).
            if (!backward && noOnnx is null)
                foreach (SignatureReport s in Signatures(method).Where(s => s.OnnxNote is not null && s.Signature.Contains($"[{string.Join(",", x.shape)}]")))
                    Console.WriteLine($"    auto did not use ONNX Runtime: {s.OnnxNote}");
        }

Console.WriteLine();
var worst = autoOverBest.OrderByDescending(r => r.Item2).First();
Console.WriteLine($"auto/best: worst {worst.Item2:F2} ({worst.Item1}); {autoOverBest.Count(r => r.Item2 <= 1.05)} of {autoOverBest.Count} within 1.05");
Console.WriteLine($"auto/best by each path's fastest round: worst {autoOverBestRounds.Max():F2}; {autoOverBestRounds.Count(r => r <= 1.05)} of {autoOverBestRounds.Count} within 1.05");
Console.WriteLine($"auto/best paired (median over rounds of auto over the path with the best median, in the same round): worst {autoOverBestPaired.Max():F2}; {autoOverBestPaired.Count(r => r <= 1.05)} of {autoOverBestPaired.Count} within 1.05");
var worstConfirmed = autoOverBestConfirmed.OrderByDescending(r => r.Item2).First();
Console.WriteLine($"auto/best confirmed (auto and the best path alone, {3 * rounds} paired rounds): worst {worstConfirmed.Item2:F2} ({worstConfirmed.Item1}); {autoOverBestConfirmed.Count(r => r.Item2 <= 1.05)} of {autoOverBestConfirmed.Count} within 1.05");
double geomean = inferenceSpeedUps.Count == 0 ? double.NaN : Math.Exp(inferenceSpeedUps.Average(Math.Log));
Console.WriteLine($"summary: inference (forward, batch 1) auto speed-up over eager geomean {geomean:F2}x over {inferenceSpeedUps.Count} models; auto/best confirmed worst {worstConfirmed.Item2:F2}, {autoOverBestConfirmed.Count(r => r.Item2 <= 1.05)} of {autoOverBestConfirmed.Count} model workloads within 1.05 (by the main rounds' medians: worst {worst.Item2:F2}, {autoOverBest.Count(r => r.Item2 <= 1.05)} within 1.05); {threads} thread(s)");

static double Median(List<double> values)
{
    var sorted = values.OrderBy(v => v).ToList();
    return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
}

static IEnumerable<SignatureReport> Signatures(string method) =>
    HybridRuntime.GetReport().Where(r => r.Name.StartsWith(method, StringComparison.Ordinal)).SelectMany(r => r.Signatures);

// How many calls of the method (every module tree, every signature) ran eager, ran a twin route, ran ONNX Runtime.
static (long eager, long graph, long onnx) Calls(string method) =>
    (Signatures(method).Sum(s => s.EagerCalls), Signatures(method).Sum(s => s.GraphCalls), Signatures(method).Sum(s => s.OnnxCalls));

/// <summary>The eager body, twin and dispatcher of a model's forward, for the dispatcher field that fits its module tree.</summary>
internal static class Dispatchers
{
    public static (Func<T, T> eager, Func<T, T> graph, Func<T, T> onnx, Func<T, T> auto) Paths(nn.Module<T, T> model, T x)
    {
        var method = typeof(Dispatchers).GetMethod(nameof(Typed), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(model.GetType());
        return ((Func<T, T>, Func<T, T>, Func<T, T>, Func<T, T>))method.Invoke(null, new object[] { model, x })!;
    }

    private static (Func<T, T>, Func<T, T>, Func<T, T>, Func<T, T>) Typed<TModel>(nn.Module<T, T> model, T x) where TModel : nn.Module<T, T>
    {
        var m = (TModel)model;
        var f = typeof(TModel).GetFields(BindingFlags.NonPublic | BindingFlags.Static)
            .Where(field => field.Name.StartsWith("__hybrid_forward", StringComparison.Ordinal))
            .Select(field => (HybridFunction<(TModel, T), T>)field.GetValue(null)!)
            .First(fn => fn.Fits((m, x)));
        return (t => f.InvokeEager((m, t)), t => f.InvokeGraph((m, t)), t => f.InvokeOnnx((m, t)), t => m.forward(t));
    }
}

