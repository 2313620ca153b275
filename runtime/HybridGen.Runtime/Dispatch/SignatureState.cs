using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace HybridGen.Dispatch;

/// <summary>Which path a call takes.</summary>
internal enum Route
{
    Eager,
    Graph,

    /// <summary>The twin captured as a CUDA graph and replayed (CUDA only, capturable twins only).</summary>
    Captured,

    /// <summary>The twin's ONNX model on ONNX Runtime (CPU calls that need no gradient).</summary>
    Onnx,
}

/// <summary>One step of the probing schedule: the path to run and whether its time counts.</summary>
internal readonly record struct ProbeStep(Route Route, bool Timed);

/// <summary>
/// The decision for one (method, input signature). In auto mode: warm-up (graph then eager, untimed: the twin's
/// first calls compile, profile and optimize it) → probing (eager and graph interleaved, timed) → a decision
/// (graph only when its median beats eager's by the margin) → steady; after ReprobeInterval steady calls it probes
/// again, and the interval doubles each time. Forced modes are steady from the start and never probe.
/// The steady route is one volatile read; probing calls hold this object's lock, so their timings never overlap.
/// Pure logic: the caller measures; tests drive it with made-up timings.
/// </summary>
internal sealed class SignatureState
{
    private const int Probing = -1;
    private readonly DispatchOptions _options;
    private readonly List<double> _eagerTimes = new();
    private readonly List<double> _graphTimes = new();
    private readonly List<double> _capturedTimes = new();
    private readonly List<double> _onnxTimes = new();
    private int _onnxWarmups;
    private long _onnxCalls;
    private int _capturedWarmups;
    private long _capturedCalls;
    private volatile int _route;
    private int _graphWarmups;
    private int _eagerWarmups;
    private long _nextReprobe;
    private long _reprobeInterval;
    private long _eagerCalls;
    private long _graphCalls;

    // onnxBlocked: null where the ONNX Runtime route may serve this signature's calls (they need no gradient, run on
    // the CPU, and the twin carries its graph IR); else why it may not, for the report.
    public SignatureState(ulong key, string description, DispatchOptions options, bool cuda, bool captureAllowed = false,
        string? onnxBlocked = "the ONNX Runtime route is not offered", bool needsGrad = false)
    {
        TimesBackward = needsGrad && options.TimeBackward && options.Mode == DispatchMode.Auto;
        Key = key;
        Description = description;
        Cuda = cuda;
        CaptureAllowed = captureAllowed && options.Mode == DispatchMode.Auto;
        OnnxNote = onnxBlocked;
        OnnxAllowed = onnxBlocked is null && options.Mode == DispatchMode.Auto;
        _options = options;
        _reprobeInterval = options.ReprobeInterval;
        _route = options.Mode switch
        {
            DispatchMode.Eager => (int)Route.Eager,
            DispatchMode.Graph => (int)Route.Graph,
            DispatchMode.Onnx => (int)Route.Onnx,
            _ => Probing,
        };
    }

    /// <summary>No twin route can serve this signature (the TorchScript route dropped, and the ONNX Runtime route
    /// blocked or dropped): eager, decided once, never probed again.</summary>
    private void NoTwinRoute()
    {
        Volatile.Write(ref _nextReprobe, long.MaxValue);
        _route = (int)Route.Eager;
    }

    public ulong Key { get; }
    public string Description { get; }
    public bool Cuda { get; }
    public string? Fallback { get; private set; }
    public double? EagerMedian { get; private set; }
    public double? GraphMedian { get; private set; }
    public int Decisions { get; private set; }
    public bool FromProfile { get; private set; }
    public long EagerCalls => Interlocked.Read(ref _eagerCalls);

    /// <summary>Calls run by a twin: TorchScript, its captured CUDA graph or its ONNX model.</summary>
    public long GraphCalls => Interlocked.Read(ref _graphCalls) + Interlocked.Read(ref _capturedCalls) + Interlocked.Read(ref _onnxCalls);

    public long OnnxCalls => Interlocked.Read(ref _onnxCalls);

    /// <summary>Whether the ONNX Runtime route is a candidate (auto mode, no gradient needed, an ONNX form so far).</summary>
    public bool OnnxAllowed { get; private set; }

    /// <summary>Whether the TorchScript route is a candidate: true until <see cref="DisableGraph"/>.</summary>
    public bool GraphAllowed { get; private set; } = true;

    /// <summary>Why the TorchScript route does not serve this signature (its twin could not be compiled), or null.</summary>
    public string? GraphNote { get; private set; }

    public double? OnnxMedian { get; private set; }

    /// <summary>Why the ONNX Runtime route does not serve this signature (needs gradients, no ONNX form...), or null.</summary>
    public string? OnnxNote { get; private set; }

    private int _onnxBuildStarted;

    /// <summary>True the first time only: the signature's ONNX model build is started once.</summary>
    public bool TryStartOnnxBuild() => Interlocked.Exchange(ref _onnxBuildStarted, 1) == 0;

    /// <summary>Whether this signature's ONNX model build was started.</summary>
    public bool OnnxBuildStarted => Volatile.Read(ref _onnxBuildStarted) == 1;

    public long CapturedCalls => Interlocked.Read(ref _capturedCalls);

    /// <summary>Whether a timed probing call's time includes a backward through its own graph (the signature's calls
    /// need gradients, so what a route costs is its forward and its backward; <see cref="DispatchOptions.TimeBackward"/>).
    /// False from the start otherwise, or since <see cref="StopTimingBackward"/>.</summary>
    public bool TimesBackward { get; private set; }

    /// <summary>Why a signature whose calls need gradients is timed on the forward alone, or null.</summary>
    public string? BackwardNote { get; private set; }

    /// <summary>Whether the medians of the last decision were timed with a backward (not a decision from a profile).</summary>
    public bool MediansIncludeBackward { get; private set; }

    /// <summary>The backward of a probing call could not be timed (its results need no gradient, libtorch refused):
    /// this signature is timed on the forward alone from now on, and the timings so far, which had it, are dropped
    /// (under the lock, by the prober).</summary>
    public void StopTimingBackward(string why)
    {
        if (!TimesBackward) return;
        TimesBackward = false;
        BackwardNote = why;
        ClearTimings();
    }

    /// <summary>Whether the captured CUDA graph is a candidate (CUDA, a capturable twin, auto mode, no failed capture).</summary>
    public bool CaptureAllowed { get; private set; }

    public double? CapturedMedian { get; private set; }

    /// <summary>The CUDA graph captured for this signature (owned by the dispatcher), once made.</summary>
    public object? Capture { get; set; }

    public string? CaptureFailure { get; private set; }

    /// <summary>The route once decided (or forced); false while probing.</summary>
    public bool TryGetSteady(out Route route)
    {
        int current = _route;
        route = (Route)Math.Max(current, 0);
        return current != Probing;
    }

    /// <summary>Counts a steady call; every ReprobeInterval of them (doubling) sends the signature back to probing.</summary>
    public void CountSteady(Route route)
    {
        // One atomic increment a call: the per-route count doubles as the clock for re-probing.
        long calls = route switch
        {
            Route.Graph => Interlocked.Increment(ref _graphCalls),
            Route.Captured => Interlocked.Increment(ref _capturedCalls),
            Route.Onnx => Interlocked.Increment(ref _onnxCalls),
            _ => Interlocked.Increment(ref _eagerCalls),
        };
        if (_reprobeInterval <= 0 || _options.Mode != DispatchMode.Auto || Fallback is not null) return;
        // Plain volatile reads of the other counters (atomic for aligned longs on 64-bit): Interlocked.Read is a
        // locked compare-exchange, three of them cost more than the rest of the steady path.
        long total = Volatile.Read(ref _eagerCalls) + Volatile.Read(ref _graphCalls) + Volatile.Read(ref _capturedCalls) + Volatile.Read(ref _onnxCalls);
        if (total >= Volatile.Read(ref _nextReprobe)) StartReprobe();
    }

    public void Count(Route route)
    {
        if (route == Route.Graph) Interlocked.Increment(ref _graphCalls);
        else if (route == Route.Captured) Interlocked.Increment(ref _capturedCalls);
        else if (route == Route.Onnx) Interlocked.Increment(ref _onnxCalls);
        else Interlocked.Increment(ref _eagerCalls);
    }

    private void StartReprobe()
    {
        lock (this)
        {
            if (_route == Probing || Fallback is not null || EagerCalls + GraphCalls < Volatile.Read(ref _nextReprobe)) return;
            ClearTimings();
            _route = Probing;
        }
    }

    /// <summary>Whether the TorchScript route takes part in this probing round: allowed, and not still compiling
    /// where it is optional (<see cref="GraphPending"/>).</summary>
    private bool GraphProbed => GraphAllowed && !GraphPending;

    /// <summary>Set by the dispatcher (under the lock) while an optional TorchScript twin (a module tree composed at
    /// run time, validated in a child process first) is still compiling: probing measures the other routes
    /// meanwhile and may decide without it (<see cref="DecidedWithoutGraph"/>: not kept in a profile, probed again
    /// once the twin is ready). A required twin is waited for instead. When it turns ready during probing, the
    /// timings taken so far are dropped: they were taken while its validation and compile loaded the machine.</summary>
    public bool GraphPending
    {
        get => _graphPending;
        set
        {
            if (_graphPending && !value && _route == Probing)
            {
                ClearTimings(); // the graph's are empty: it was not probed while pending
            }
            _graphPending = value;
        }
    }

    private bool _graphPending;

    /// <summary>The steady route was decided while the TorchScript twin was pending.</summary>
    public bool DecidedWithoutGraph { get; private set; }

    /// <summary>Sends a signature decided while its TorchScript twin was pending back to probing, now that the twin is
    /// ready (the dispatcher calls it once the compile succeeds).</summary>
    public void ProbeAgainWithGraph()
    {
        lock (this)
        {
            if (!DecidedWithoutGraph || _route == Probing || Fallback is not null || _options.Mode != DispatchMode.Auto) return;
            DecidedWithoutGraph = false;
            GraphPending = false;
            ClearTimings();
            _route = Probing;
        }
    }

    private int _busyDiscards;

    /// <summary>Whether a probing call timed while HybridGen's own background work ran may be left untimed: yes, up
    /// to ProbeCalls x 4 times per probing, so probing still ends on a machine that is never quiet.</summary>
    public bool DiscardBusyTiming()
    {
        if (_busyDiscards >= _options.ProbeCalls * MaxProbeRounds) return false;
        _busyDiscards++;
        return true;
    }

    private void ClearTimings()
    {
        _busyDiscards = 0;
        _eagerTimes.Clear();
        _graphTimes.Clear();
        _capturedTimes.Clear();
        _onnxTimes.Clear();
    }

    /// <summary>While probing (under the lock): what the next call runs.</summary>
    public ProbeStep NextStep()
    {
        if (GraphProbed && _graphWarmups < _options.WarmupCalls) return new ProbeStep(Route.Graph, false);
        if (_eagerWarmups < _options.WarmupCalls) return new ProbeStep(Route.Eager, false);
        if (CaptureAllowed && _capturedWarmups < 1) return new ProbeStep(Route.Captured, false); // the capture itself
        if (OnnxAllowed && _onnxWarmups < _options.WarmupCalls) return new ProbeStep(Route.Onnx, false); // its session's first runs
        // Round robin over the candidates: the one with the fewest timings goes next (eager first on ties).
        Route next = Route.Eager;
        int fewest = _eagerTimes.Count;
        if (GraphProbed && _graphTimes.Count < fewest) { next = Route.Graph; fewest = _graphTimes.Count; }
        if (CaptureAllowed && _capturedTimes.Count < fewest) { next = Route.Captured; fewest = _capturedTimes.Count; }
        if (OnnxAllowed && _onnxTimes.Count < fewest) next = Route.Onnx;
        return new ProbeStep(next, true);
    }

    /// <summary>Records a finished probing call (under the lock); returns true when it made the decision.</summary>
    public bool Record(ProbeStep step, double microseconds)
    {
        Count(step.Route);
        if (_route != Probing) return false;
        if (!step.Timed)
        {
            if (step.Route == Route.Graph) _graphWarmups++;
            else if (step.Route == Route.Captured) _capturedWarmups++;
            else if (step.Route == Route.Onnx) _onnxWarmups++;
            else _eagerWarmups++;
            return false;
        }
        (step.Route switch { Route.Graph => _graphTimes, Route.Captured => _capturedTimes, Route.Onnx => _onnxTimes, _ => _eagerTimes }).Add(microseconds);
        List<double> rival = GraphProbed ? _graphTimes : _onnxTimes;
        if (_eagerTimes.Count < _options.ProbeCalls || rival.Count < _options.ProbeCalls) return false;
        if (CaptureAllowed && _capturedTimes.Count < _options.ProbeCalls) return false;
        if (OnnxAllowed && _onnxTimes.Count < _options.ProbeCalls) return false;
        if (!Resolved(rival) && Math.Min(_eagerTimes.Count, rival.Count) < _options.ProbeCalls * MaxProbeRounds) return false;
        EagerMedian = Median(_eagerTimes);
        GraphMedian = GraphProbed ? Median(_graphTimes) : null;
        CapturedMedian = CaptureAllowed ? Median(_capturedTimes) : null;
        OnnxMedian = OnnxAllowed ? Median(_onnxTimes) : null;
        MediansIncludeBackward = TimesBackward;
        // A twin path must beat eager by the margin; among the twin paths the fastest wins.
        double bar = EagerMedian.Value * (1 - _options.Margin);
        Route best = Route.Eager;
        double bestMedian = bar;
        if (GraphMedian < bestMedian) { best = Route.Graph; bestMedian = GraphMedian.Value; }
        if (CapturedMedian is { } captured && captured < bestMedian) { best = Route.Captured; bestMedian = captured; }
        if (OnnxMedian is { } onnx && onnx < bestMedian) best = Route.Onnx;
        Decide(best);
        return true;
    }

    // Where the timings are too noisy to tell the paths apart, probing goes on, to this many times ProbeCalls.
    private const int MaxProbeRounds = 4;

    /// <summary>Whether eager's and the graph's medians differ by more than their noise: a call of a few
    /// microseconds on a busy machine varies by a third from one call to the next, so 5 timings of each can pick
    /// the slower path. The noise of a median of n timings is about its interquartile range over √n; the gap must
    /// be twice the two paths' noise together. Timings that do not vary (tests) are resolved at once.</summary>
    private bool Resolved(List<double> rival)
    {
        (double eager, double spreadEager) = MedianAndSpread(_eagerTimes);
        (double graph, double spreadGraph) = MedianAndSpread(rival);
        if (eager <= 0 || graph <= 0) return true;
        double gap = Math.Abs(eager - graph) / Math.Min(eager, graph);
        double noiseEager = spreadEager / eager, noiseGraph = spreadGraph / graph;
        int n = Math.Min(_eagerTimes.Count, rival.Count);
        return gap >= 2 * Math.Sqrt((noiseEager * noiseEager + noiseGraph * noiseGraph) / n);
    }

    /// <summary>The median and the interquartile range, from one sort.</summary>
    private static (double median, double spread) MedianAndSpread(List<double> values)
    {
        double[] sorted = values.OrderBy(v => v).ToArray();
        return (MedianOfSorted(sorted), sorted[(3 * (sorted.Length - 1) + 2) / 4] - sorted[(sorted.Length - 1) / 4]);
    }

    private void Decide(Route route)
    {
        DecidedWithoutGraph = GraphPending;
        Decisions++;
        long interval = _reprobeInterval;
        if (Decisions > 1 && interval > 0) _reprobeInterval = interval = Math.Min(interval * 2, 1L << 40);
        Volatile.Write(ref _nextReprobe, interval > 0 ? EagerCalls + GraphCalls + interval : long.MaxValue);
        _route = (int)route;
    }

    /// <summary>A decision remembered from an earlier run (a persisted profile): no probing.</summary>
    public void Restore(Route route, double? eagerMedian, double? graphMedian)
    {
        lock (this)
        {
            if (_options.Mode != DispatchMode.Auto) return;
            // ONNX Runtime remembered for calls it may not serve now (they need gradients this time): probe.
            if (route == Route.Onnx && !OnnxAllowed) return;
            EagerMedian = eagerMedian;
            GraphMedian = graphMedian;
            FromProfile = true;
            _graphWarmups = _eagerWarmups = _options.WarmupCalls;
            Decide(route);
        }
    }

    /// <summary>Capturing (or replaying) the CUDA graph failed: the captured path is dropped for this signature, and
    /// if it was the chosen one, the signature probes eager against TorchScript again.</summary>
    public bool DisableCapture(string reason)
    {
        lock (this)
        {
            if (!CaptureAllowed) return false;
            CaptureAllowed = false;
            CaptureFailure = reason;
            _capturedTimes.Clear();
            if (_route == (int)Route.Captured) _route = Probing;
            return true;
        }
    }

    /// <summary>The ONNX Runtime route cannot serve this signature (no ONNX form for a call of it, or ONNX Runtime
    /// failed): it is dropped here, and if it was the chosen one, the signature probes the other routes again.</summary>
    public bool DisableOnnx(string reason)
    {
        lock (this)
        {
            if (OnnxNote is not null) return false;
            OnnxAllowed = false;
            OnnxNote = reason;
            _onnxTimes.Clear();
            if (_route == (int)Route.Onnx && _options.Mode == DispatchMode.Auto) _route = Probing;
            if (_route == Probing && !GraphAllowed) NoTwinRoute();
            return true;
        }
    }

    /// <summary>The TorchScript route cannot serve this signature (its twin could not be compiled), where it is one
    /// route among others (a module tree composed at run time keeps ONNX Runtime for its grad-free calls): it is
    /// dropped with the capture built on it, and the signature probes the routes left; with none left it runs eager.</summary>
    public bool DisableGraph(string reason)
    {
        lock (this)
        {
            if (!GraphAllowed) return false;
            GraphAllowed = false;
            GraphNote = reason;
            GraphMedian = null;
            CaptureAllowed = false;
            _graphTimes.Clear();
            _capturedTimes.Clear();
            if (_route is (int)Route.Graph or (int)Route.Captured && _options.Mode == DispatchMode.Auto) _route = Probing;
            if (_route == Probing && !OnnxAllowed) NoTwinRoute();
            return true;
        }
    }

    /// <summary>The graph path failed where eager did not: this signature runs eager from now on.</summary>
    public bool FallBack(string reason)
    {
        lock (this)
        {
            if (Fallback is not null) return false;
            Fallback = reason;
            _route = (int)Route.Eager;
            return true;
        }
    }

    public string State => Fallback is not null ? "eager (graph failed)"
        : !TryGetSteady(out Route route) ? "probing"
        : _options.Mode == DispatchMode.Auto ? route switch { Route.Graph => "graph", Route.Captured => "cuda graph", Route.Onnx => "onnx", _ => "eager" }
        : $"{route.ToString().ToLowerInvariant()} (forced)";

    public static double Median(IReadOnlyCollection<double> values) => MedianOfSorted(values.OrderBy(v => v).ToArray());

    private static double MedianOfSorted(double[] sorted)
    {
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
