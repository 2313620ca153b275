using System;
using System.Collections.Generic;
using System.Linq;

namespace HybridGen.Samples;

/// <summary>
/// Statistics over a benchmark's alternating rounds, where each round times every path once in turn. On a shared
/// machine a path's time drifts between rounds by more than the differences measured (the composed transformer's
/// fwd+bwd moved between 6 and 17 ms a call over 30 rounds, all paths together), so a ratio of two paths is taken in
/// each round, from timings seconds apart at most, and the median of those is reported beside the ratio of the
/// paths' own medians.
/// </summary>
internal static class RoundStats
{
    public static double Median(IReadOnlyList<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /// <summary>The median over rounds of <paramref name="numerator"/>'s time over <paramref name="denominator"/>'s
    /// in the same round.</summary>
    public static double PairedRatio(IReadOnlyList<double> numerator, IReadOnlyList<double> denominator)
    {
        if (numerator.Count != denominator.Count) throw new ArgumentException("the two paths were timed in different rounds");
        return Median(numerator.Zip(denominator, (n, d) => n / d).ToList());
    }

    /// <summary>auto against the fastest forced path (by median): the ratio of the medians and the paired ratio.</summary>
    public static (string best, double ofMedians, double paired) AutoOverBest(IReadOnlyDictionary<string, List<double>> times, string auto = "auto")
    {
        string best = times.Where(t => t.Key != auto).OrderBy(t => Median(t.Value)).First().Key;
        return (best, Median(times[auto]) / Median(times[best]), PairedRatio(times[auto], times[best]));
    }
}
