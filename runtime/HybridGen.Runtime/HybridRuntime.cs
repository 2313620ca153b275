using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using HybridGen.Dispatch;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace HybridGen;

/// <summary>
/// Process-wide view of the hybridized methods: their options (from hybridgen.json, HYBRIDGEN_MODE and the
/// attributes), the registry and report, the persisted profile, and where warnings and decisions are logged.
/// </summary>
public static class HybridRuntime
{
    public const string ConfigVariable = "HYBRIDGEN_CONFIG";
    public const string ProfileVariable = "HYBRIDGEN_PROFILE";
    private static readonly ConcurrentQueue<IHybridFunction> s_functions = new();
    private static readonly Lazy<DispatchConfig> s_config = new(LoadConfig);
    private static readonly Lazy<DispatchProfile?> s_profile = new(LoadProfile);
    private static ILoggerFactory s_loggerFactory = NullLoggerFactory.Instance;
    private static ILogger s_logger = NullLogger.Instance;

    /// <summary>Where warnings (a graph twin that failed and fell back, a bad config) are written; standard error by
    /// default, null to silence them. They also go to <see cref="LoggerFactory"/>.</summary>
    public static TextWriter? Warnings { get; set; } = Console.Error;

    /// <summary>Receives decisions (Information) and fallbacks (Warning) under the category "HybridGen.Dispatch".</summary>
    public static ILoggerFactory LoggerFactory
    {
        get => s_loggerFactory;
        set
        {
            s_loggerFactory = value ?? NullLoggerFactory.Instance;
            s_logger = s_loggerFactory.CreateLogger("HybridGen.Dispatch");
        }
    }

    /// <summary>The defaults as configured: hybridgen.json's global section and HYBRIDGEN_MODE.</summary>
    public static DispatchOptions DefaultOptions => OptionsFor("", null);

    /// <summary>The loaded dispatch configuration (hybridgen.json in the app's folder, or HYBRIDGEN_CONFIG).</summary>
    public static DispatchConfig Config => s_config.Value;

    internal static DispatchProfile? Profile => s_profile.Value;

    /// <summary>Whether captured CUDA graphs can be a dispatch candidate: the optional native backend, built against
    /// a CUDA libtorch matching TorchSharp's, is next to the application, and a GPU is present (docs/cuda.md).</summary>
    public static bool CudaGraphsAvailable => Twins.CudaGraphBackend.Available;

    /// <summary>A method's options: defaults &lt; attribute &lt; config global &lt; config for the method &lt; HYBRIDGEN_MODE.</summary>
    public static DispatchOptions OptionsFor(string method, DispatchOverrides? attribute) =>
        Resolve(method, attribute, Config, DispatchOptions.ModeFromEnvironment(warn: m => Warn(m, isWarning: true)));

    /// <summary>The precedence rule itself (exposed for tests and tools).</summary>
    public static DispatchOptions Resolve(string method, DispatchOverrides? attribute, DispatchConfig config, DispatchMode? environmentMode)
    {
        // The build's HybridGenMode replaces the default mode; everything else overrides it.
        DispatchOptions options = DispatchOptions.ModeFromAppContext() is { } built ? new DispatchOptions { Mode = built } : new();
        if (attribute is not null) options = attribute.ApplyTo(options);
        options = config.Global.ApplyTo(options);
        if (config.Methods.TryGetValue(method, out DispatchOverrides? perMethod)) options = perMethod.ApplyTo(options);
        if (environmentMode is { } mode) options = options with { Mode = mode };
        try
        {
            return options.Validated();
        }
        catch (FormatException e)
        {
            Warn($"the dispatch options of {method} are invalid ({e.Message}); the defaults are used", isWarning: true);
            return new DispatchOptions();
        }
    }

    internal static void Register(IHybridFunction function)
    {
        s_functions.Enqueue(function);
        _ = HybridEventSource.Log; // create the event source, so dotnet-counters can find it
    }

    internal static void Warn(string message, bool isWarning)
    {
        Warnings?.WriteLine("HybridGen: " + message);
        if (isWarning) s_logger.LogWarning("{Message}", message);
        else s_logger.LogInformation("{Message}", message);
    }

    internal static void Decided(HybridMethodInfo info, SignatureState state)
    {
        if (!state.TryGetSteady(out Route route)) return;
        s_logger.LogInformation("{Method} [{Signature}]: {Route} (eager median {Eager:F1} us, graph median {Graph:F1} us)",
            info.Name, state.Description, route, state.EagerMedian, state.GraphMedian);
        Profile?.Record(info, state, route);
    }

    private static DispatchConfig LoadConfig()
    {
        string? path = Environment.GetEnvironmentVariable(ConfigVariable);
        path = string.IsNullOrWhiteSpace(path) ? Path.Combine(AppContext.BaseDirectory, "hybridgen.json") : path;
        if (!File.Exists(path))
        {
            if (Environment.GetEnvironmentVariable(ConfigVariable) is { Length: > 0 })
                Warn($"{ConfigVariable}={path}: no such file; the defaults are used", isWarning: true);
            return DispatchConfig.Empty;
        }
        try
        {
            return DispatchConfig.Load(path);
        }
        catch (DispatchConfigException e)
        {
            Warn(e.Message + "; the defaults are used", isWarning: true);
            return DispatchConfig.Empty;
        }
    }

    private static DispatchProfile? LoadProfile()
    {
        string? path = Environment.GetEnvironmentVariable(ProfileVariable);
        if (string.IsNullOrWhiteSpace(path)) path = Config.ProfilePath;
        return string.IsNullOrWhiteSpace(path) ? null : DispatchProfile.Open(path!, m => Warn(m, isWarning: true));
    }

    /// <summary>Waits for twins compiling in the background (<see cref="DispatchOptions.BackgroundCompile"/>), and for
    /// the other background builds (composed trees, ONNX models, frozen-weight sessions), to be ready; false when some
    /// are still running after <paramref name="timeout"/>. Calls never need this: until a
    /// twin is ready its method runs eager. Benchmarks and tests use it to start from compiled twins.</summary>
    public static bool WaitForTwins(TimeSpan timeout) => Twins.BackgroundCompiles.WaitAll(timeout);

    /// <summary>One row per hybridized method used so far, each with its signatures.</summary>
    public static IReadOnlyList<HybridMethodReport> GetReport() =>
        s_functions.Select(Report).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    private static HybridMethodReport Report(IHybridFunction function)
    {
        SignatureReport[] signatures = function.Signatures
            .Select(s => new SignatureReport(s.Description, s.State, s.EagerMedian, s.GraphMedian, s.EagerCalls, s.GraphCalls, s.Fallback, s.FromProfile)
            {
                OnnxMedianMicroseconds = s.OnnxMedian,
                OnnxCalls = s.OnnxCalls,
                OnnxNote = s.OnnxNote,
                GraphNote = s.GraphNote,
                TimedWithBackward = s.MediansIncludeBackward,
                BackwardNote = s.BackwardNote,
            })
            .OrderByDescending(s => s.EagerCalls + s.GraphCalls).ToArray();
        string state = signatures.Length == 0 ? "not called"
            : signatures.Select(s => s.State).Distinct().Count() == 1 ? signatures[0].State : "mixed";
        return new HybridMethodReport(function.Info.Name, function.Info.Location, function.Options.Mode, state,
            HeadlineMedian(signatures, s => s.EagerMedianMicroseconds), HeadlineMedian(signatures, s => s.GraphMedianMicroseconds),
            signatures.Sum(s => s.EagerCalls), signatures.Sum(s => s.GraphCalls),
            signatures.Select(s => s.Fallback).FirstOrDefault(f => f is not null), signatures);
    }

    /// <summary>The median of the most called signature that has one (the headline of a method's row).</summary>
    private static double? HeadlineMedian(SignatureReport[] signatures, Func<SignatureReport, double?> pick) =>
        signatures.Select(pick).FirstOrDefault(v => v is not null);

    internal static (long total, long graph) TotalCalls()
    {
        long total = 0, graph = 0;
        foreach (IHybridFunction f in s_functions)
            foreach (SignatureState s in f.Signatures)
            {
                total += s.EagerCalls + s.GraphCalls;
                graph += s.GraphCalls;
            }
        return (total, graph);
    }

    /// <summary>Writes <see cref="GetReport"/> as a table: a row per method, then one per signature when it has several.</summary>
    public static void WriteReport(TextWriter writer)
    {
        IReadOnlyList<HybridMethodReport> rows = GetReport();
        string[] header = { "method / signature", "mode", "chosen", "eager median", "graph median", "graph/eager", "calls (eager/graph)" };
        var table = new List<string[]> { header };
        foreach (HybridMethodReport r in rows)
        {
            table.Add(Row(r.Name, r.Mode.ToString().ToLowerInvariant(), r.State, r.EagerMedianMicroseconds, r.GraphMedianMicroseconds, r.EagerCalls, r.GraphCalls));
            if (r.Signatures.Count > 1)
                foreach (SignatureReport s in r.Signatures)
                    table.Add(Row("  " + s.Signature, "", s.State + (s.FromProfile ? " (profile)" : ""), s.EagerMedianMicroseconds, s.GraphMedianMicroseconds, s.EagerCalls, s.GraphCalls));
        }
        int[] widths = Enumerable.Range(0, header.Length).Select(c => table.Max(row => row[c].Length)).ToArray();
        foreach (string[] row in table)
            writer.WriteLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        foreach (HybridMethodReport r in rows)
            foreach (SignatureReport s in r.Signatures.Where(s => s.Fallback is not null))
                writer.WriteLine($"{r.Name} [{s.Signature}]: {s.Fallback}");
        // The ONNX Runtime route: its median where it was measured, and why a signature it does not serve is not served.
        foreach (HybridMethodReport r in rows.Where(r => r.Mode is DispatchMode.Auto or DispatchMode.Onnx))
            foreach (SignatureReport s in r.Signatures)
            {
                if (s.OnnxMedianMicroseconds is { } onnx)
                    writer.WriteLine($"{r.Name} [{s.Signature}]: ONNX Runtime median {Micro(onnx)}, {s.OnnxCalls} calls");
                if (s.OnnxNote is { } note && s.Fallback is null)
                    writer.WriteLine($"{r.Name} [{s.Signature}]: not on ONNX Runtime: {note}");
            }
        foreach (HybridMethodReport r in rows)
            foreach (SignatureReport s in r.Signatures.Where(s => s.GraphNote is not null && s.Fallback is null))
                writer.WriteLine($"{r.Name} [{s.Signature}]: not on TorchScript: {s.GraphNote}");
        // Where calls need gradients: whether the medians include the backward (what a route costs in training).
        foreach (HybridMethodReport r in rows)
            foreach (SignatureReport s in r.Signatures.Where(s => s.Fallback is null && (s.TimedWithBackward || s.BackwardNote is not null)))
                writer.WriteLine(s.TimedWithBackward
                    ? $"{r.Name} [{s.Signature}]: medians of a forward and its backward (the calls need gradients)"
                    : $"{r.Name} [{s.Signature}]: medians of the forward alone: {s.BackwardNote}");
    }

    private static string[] Row(string name, string mode, string state, double? eager, double? graph, long eagerCalls, long graphCalls) => new[]
    {
        name, mode, state, Micro(eager), Micro(graph),
        eager is { } e && graph is { } g ? (g / e).ToString("F2", CultureInfo.InvariantCulture) : "-",
        $"{eagerCalls}/{graphCalls}",
    };

    private static string Micro(double? value) =>
        value is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) + " us" : "-";
}

/// <summary>The dispatch state of one hybridized method; the medians and state are its most called signature's.</summary>
public sealed record HybridMethodReport(
    string Name,
    string Location,
    DispatchMode Mode,
    string State,
    double? EagerMedianMicroseconds,
    double? GraphMedianMicroseconds,
    long EagerCalls,
    long GraphCalls,
    string? Fallback,
    IReadOnlyList<SignatureReport> Signatures)
{
    /// <summary>eager median / graph median: above 1 the graph is faster.</summary>
    public double? SpeedUp => EagerMedianMicroseconds is { } e && GraphMedianMicroseconds is { } g && g > 0 ? e / g : null;
}

/// <summary>The dispatch state of one input signature of a method.</summary>
public sealed record SignatureReport(
    string Signature,
    string State,
    double? EagerMedianMicroseconds,
    double? GraphMedianMicroseconds,
    long EagerCalls,
    long GraphCalls,
    string? Fallback,
    bool FromProfile)
{
    public double? SpeedUp => EagerMedianMicroseconds is { } e && GraphMedianMicroseconds is { } g && g > 0 ? e / g : null;

    /// <summary>The ONNX Runtime route's median, where it was measured.</summary>
    public double? OnnxMedianMicroseconds { get; init; }

    /// <summary>Calls the ONNX Runtime route ran (counted in <see cref="GraphCalls"/> too).</summary>
    public long OnnxCalls { get; init; }

    /// <summary>Why the ONNX Runtime route does not serve this signature (its calls need gradients, no ONNX form...),
    /// or null.</summary>
    public string? OnnxNote { get; init; }

    /// <summary>Why the TorchScript route does not serve this signature (a module tree composed at run time whose
    /// TorchScript could not be validated or compiled), or null.</summary>
    public string? GraphNote { get; init; }

    /// <summary>The medians were measured on a forward and a backward through its graph (the calls need gradients;
    /// DispatchOptions.TimeBackward); false for forward-only medians and decisions from a profile.</summary>
    public bool TimedWithBackward { get; init; }

    /// <summary>Why a signature whose calls need gradients was timed on the forward alone, or null.</summary>
    public string? BackwardNote { get; init; }
}
