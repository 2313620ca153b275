using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;

namespace HybridGen.Dispatch;

/// <summary>Which path a call takes.</summary>
internal enum Route
{
    Eager,
    Graph,
}

/// <summary>One step of the probing schedule: the path to run and whether its time counts.</summary>
internal readonly record struct ProbeStep(Route Route, bool Timed);

/// <summary>
/// The decision for one hybridized method. In auto mode it walks: warm-up (graph then eager calls, untimed; the
/// twin's first calls compile, profile and optimize it) → probing (eager and graph interleaved, timed) → a
/// decision (graph only when its median beats eager's by the margin) → steady. Forced modes are steady at once.
/// The steady route is a volatile read; only the probing calls take the lock.
/// </summary>
internal sealed class Dispatcher
{
    private const int Undecided = -1;
    private readonly object _gate = new();
    private readonly DispatchOptions _options;
    private readonly List<double> _eagerTimes = new();
    private readonly List<double> _graphTimes = new();
    private volatile int _steady;
    private int _graphWarmups;
    private int _eagerWarmups;
    private long _eagerCalls;
    private long _graphCalls;
    private string? _fallback;

    public Dispatcher(DispatchOptions options)
    {
        _options = options;
        _steady = options.Mode switch
        {
            DispatchMode.Eager => (int)Route.Eager,
            DispatchMode.Graph => (int)Route.Graph,
            _ => Undecided,
        };
    }

    public DispatchOptions Options => _options;

    /// <summary>The lock that serializes probing calls (so their timings do not overlap).</summary>
    public object Gate => _gate;

    /// <summary>The route once decided (or forced); false while probing.</summary>
    public bool TryGetSteady(out Route route)
    {
        int steady = _steady;
        route = (Route)Math.Max(steady, 0);
        return steady != Undecided;
    }

    /// <summary>While probing (call under <see cref="Gate"/>): what the next call runs.</summary>
    public ProbeStep NextStep()
    {
        if (_graphWarmups < _options.WarmupCalls) return new ProbeStep(Route.Graph, false);
        if (_eagerWarmups < _options.WarmupCalls) return new ProbeStep(Route.Eager, false);
        return _eagerTimes.Count <= _graphTimes.Count ? new ProbeStep(Route.Eager, true) : new ProbeStep(Route.Graph, true);
    }

    /// <summary>Records a finished probing call (under <see cref="Gate"/>) and decides once enough are timed.</summary>
    public void Record(ProbeStep step, long elapsedTicks)
    {
        if (!step.Timed)
        {
            if (step.Route == Route.Graph) _graphWarmups++;
            else _eagerWarmups++;
            return;
        }
        double microseconds = elapsedTicks * 1e6 / Stopwatch.Frequency;
        (step.Route == Route.Graph ? _graphTimes : _eagerTimes).Add(microseconds);
        if (_eagerTimes.Count >= _options.ProbeCalls && _graphTimes.Count >= _options.ProbeCalls)
        {
            bool graphWins = Median(_graphTimes) < Median(_eagerTimes) * (1 - _options.Margin);
            _steady = (int)(graphWins ? Route.Graph : Route.Eager);
        }
    }

    /// <summary>The graph path failed where eager did not: from now on this method runs eager.</summary>
    public void FallBack(string reason)
    {
        lock (_gate)
        {
            _fallback ??= reason;
            _steady = (int)Route.Eager;
        }
    }

    public void Count(Route route)
    {
        if (route == Route.Graph) Interlocked.Increment(ref _graphCalls);
        else Interlocked.Increment(ref _eagerCalls);
    }

    public (string state, double? eagerMedian, double? graphMedian, long eagerCalls, long graphCalls, string? fallback) Snapshot()
    {
        lock (_gate)
        {
            string state = _fallback is not null ? "eager (graph failed)"
                : !TryGetSteady(out Route route) ? "probing"
                : _options.Mode == DispatchMode.Auto ? (route == Route.Graph ? "graph" : "eager")
                : $"{route.ToString().ToLowerInvariant()} (forced)";
            return (state, MedianOrNull(_eagerTimes), MedianOrNull(_graphTimes),
                Interlocked.Read(ref _eagerCalls), Interlocked.Read(ref _graphCalls), _fallback);
        }
    }

    private static double? MedianOrNull(List<double> values) => values.Count == 0 ? null : Median(values);

    private static double Median(List<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
