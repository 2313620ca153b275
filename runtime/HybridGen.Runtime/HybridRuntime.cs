using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace HybridGen;

/// <summary>Process-wide view of the hybridized methods: the registry, the report and where warnings go.</summary>
public static class HybridRuntime
{
    private static readonly ConcurrentQueue<IHybridFunction> s_functions = new();
    private static readonly Lazy<DispatchOptions> s_defaults = new(() => DispatchOptions.FromEnvironment(warn: Warn));

    /// <summary>Where warnings (a graph twin that failed and fell back, a bad HYBRIDGEN_MODE) are written;
    /// standard error by default, null to silence them.</summary>
    public static TextWriter? Warnings { get; set; } = Console.Error;

    /// <summary>The options a hybrid function gets when the generated code gives none (HYBRIDGEN_MODE applied).</summary>
    public static DispatchOptions DefaultOptions => s_defaults.Value;

    internal static void Register(IHybridFunction function) => s_functions.Enqueue(function);

    internal static void Warn(string message) => Warnings?.WriteLine("HybridGen: " + message);

    /// <summary>One row per hybridized method used so far: mode, state, measured medians and call counts.</summary>
    public static IReadOnlyList<HybridMethodReport> GetReport() =>
        s_functions.Select(f => f.Report()).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();

    /// <summary>Writes <see cref="GetReport"/> as a table.</summary>
    public static void WriteReport(TextWriter writer)
    {
        IReadOnlyList<HybridMethodReport> rows = GetReport();
        string[] header = { "method", "mode", "chosen", "eager median", "graph median", "graph/eager", "calls (eager/graph)" };
        var table = new List<string[]> { header };
        foreach (HybridMethodReport r in rows)
        {
            table.Add(new[]
            {
                r.Name, r.Mode.ToString().ToLowerInvariant(), r.State, Micro(r.EagerMedianMicroseconds), Micro(r.GraphMedianMicroseconds),
                r.EagerMedianMicroseconds is { } e && r.GraphMedianMicroseconds is { } g ? (g / e).ToString("F2", CultureInfo.InvariantCulture) : "-",
                $"{r.EagerCalls}/{r.GraphCalls}",
            });
        }
        int[] widths = Enumerable.Range(0, header.Length).Select(c => table.Max(row => row[c].Length)).ToArray();
        foreach (string[] row in table)
            writer.WriteLine(string.Join("  ", row.Select((cell, c) => c == 0 ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
        foreach (HybridMethodReport r in rows.Where(r => r.Fallback is not null))
            writer.WriteLine($"{r.Name}: {r.Fallback}");
    }

    private static string Micro(double? value) =>
        value is { } v ? v.ToString("F1", CultureInfo.InvariantCulture) + " us" : "-";
}

/// <summary>The dispatch state of one hybridized method.</summary>
public sealed record HybridMethodReport(
    string Name,
    string Location,
    DispatchMode Mode,
    string State,
    double? EagerMedianMicroseconds,
    double? GraphMedianMicroseconds,
    long EagerCalls,
    long GraphCalls,
    string? Fallback);
