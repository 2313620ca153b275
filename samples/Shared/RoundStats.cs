using System;
using System.Collections.Generic;
using System.Diagnostics;
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

    /// <summary>auto against one path alone, side by side: <paramref name="rounds"/> rounds of
    /// <paramref name="calls"/> calls each, the two in turn (the one that goes first swapped every round), and the
    /// median of the rounds' ratios. Run for every row after its main rounds, with the fastest path they found: two
    /// paths alternating over many short rounds resolve a few percent where four paths over seven rounds do not
    /// (the same rows moved by 10-20 % between runs on this 2-core machine).</summary>
    public static double Confirm(Func<object> auto, Func<object> best, int calls, int rounds)
    {
        var autoTimes = new List<double>();
        var bestTimes = new List<double>();
        for (int round = 0; round < rounds; round++)
            for (int k = 0; k < 2; k++)
            {
                bool autoNow = (k + round) % 2 == 0;
                Func<object> run = autoNow ? auto : best;
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < calls; i++) run();
                (autoNow ? autoTimes : bestTimes).Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        return PairedRatio(autoTimes, bestTimes);
    }
}
