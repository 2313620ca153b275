using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HybridGen;
using HybridGen.Dispatch;

namespace HybridGen.Runtime.Tests;

/// <summary>The per-signature state machine, driven with made-up timings (no clock, no tensors): deterministic.</summary>
public class SignatureStateTests
{
    private static SignatureState State(DispatchOptions? options = null) => new(1, "test", options ?? new DispatchOptions { ReprobeInterval = 0 }, cuda: false);

    /// <summary>Runs the probing schedule with fixed timings until the state decides; returns the steps taken.</summary>
    private static List<ProbeStep> Probe(SignatureState state, double eager, double graph)
    {
        var steps = new List<ProbeStep>();
        while (!state.TryGetSteady(out _))
        {
            ProbeStep step = state.NextStep();
            steps.Add(step);
            state.Record(step, step.Route == Route.Eager ? eager : graph);
            Assert.True(steps.Count < 100, "never decided");
        }
        return steps;
    }

    /// <summary>Probes until the state decides, each route timed by <paramref name="time"/>; returns the steps taken.</summary>
    private static List<ProbeStep> Decide(SignatureState state, Func<Route, double> time)
    {
        var steps = new List<ProbeStep>();
        while (!state.TryGetSteady(out _))
        {
            ProbeStep step = state.NextStep();
            steps.Add(step);
            state.Record(step, time(step.Route));
            Assert.True(steps.Count < 200, "never decided");
        }
        return steps;
    }

    [Fact]
    public void WarmupThenInterleavedProbesThenDecision()
    {
        var state = State();
        List<ProbeStep> steps = Probe(state, eager: 100, graph: 50);
        Assert.Equal(new[] { new ProbeStep(Route.Graph, false), new ProbeStep(Route.Graph, false), new ProbeStep(Route.Eager, false), new ProbeStep(Route.Eager, false) }, steps.Take(4));
        ProbeStep[] timed = steps.Skip(4).ToArray();
        Assert.Equal(10, timed.Length);
        Assert.All(timed, s => Assert.True(s.Timed));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i % 2 == 0 ? Route.Eager : Route.Graph), timed.Select(s => s.Route));
        Assert.True(state.TryGetSteady(out Route route));
        Assert.Equal(Route.Graph, route);
        Assert.Equal(100, state.EagerMedian);
        Assert.Equal(50, state.GraphMedian);
        Assert.Equal("graph", state.State);
    }

    [Theory]
    [InlineData(100, 96, false)]   // 4 % faster: inside the 5 % margin, stay eager
    [InlineData(100, 94, true)]    // 6 % faster: keep the graph
    [InlineData(100, 150, false)]
    public void TheMarginKeepsEagerUnlessTheGraphClearlyWins(double eager, double graph, bool graphKept)
    {
        var state = State();
        Probe(state, eager, graph);
        state.TryGetSteady(out Route route);
        Assert.Equal(graphKept ? Route.Graph : Route.Eager, route);
    }

    /// <summary>Probes with timings that cycle through three values per path (low, middle, high: the median is the
    /// middle one for any count); returns the timed calls of each and the decision.</summary>
    private static (int eager, int graph, Route route) ProbeNoisy(double[] eagerCycle, double[] graphCycle)
    {
        var state = State();
        int e = 0, g = 0;
        while (!state.TryGetSteady(out _))
        {
            ProbeStep step = state.NextStep();
            double time = step.Route == Route.Eager ? eagerCycle[e % 3] : graphCycle[g % 3];
            if (step.Timed && step.Route == Route.Eager) e++;
            if (step.Timed && step.Route == Route.Graph) g++;
            state.Record(step, time);
            Assert.True(e + g < 200, "never decided");
        }
        state.TryGetSteady(out Route route);
        return (e, g, route);
    }

    [Fact]
    public void NoisyTimingsThatDoNotTellThePathsApartAreProbedLonger()
    {
        // Medians 4 % apart, each path varying by a third: probing goes on (to at most 4 times ProbeCalls) instead of
        // deciding after 5 timings of each.
        (int eager, int graph, Route route) = ProbeNoisy(new double[] { 100, 120, 140 }, new double[] { 96, 115, 134 });
        Assert.InRange(eager, 15, 20);
        Assert.InRange(graph, 15, 20);
        Assert.Equal(Route.Eager, route); // inside the margin
    }

    [Fact]
    public void NoisyTimingsWithAClearGapAreDecidedAtOnce()
    {
        (int eager, int graph, Route route) = ProbeNoisy(new double[] { 100, 115, 130 }, new double[] { 50, 57, 65 });
        Assert.Equal(5, eager);
        Assert.Equal(5, graph);
        Assert.Equal(Route.Graph, route);
    }

    [Fact]
    public void TheDecisionIsOnMediansSoOneOutlierDoesNotSwayIt()
    {
        var state = State();
        double[] graphTimes = { 50, 50, 5000, 50, 50 };
        int g = 0;
        while (!state.TryGetSteady(out _))
        {
            ProbeStep step = state.NextStep();
            state.Record(step, step.Route == Route.Eager ? 100 : (step.Timed ? graphTimes[g++] : 1));
        }
        state.TryGetSteady(out Route route);
        Assert.Equal(Route.Graph, route);
    }

    [Fact]
    public void ReprobesAfterTheIntervalAndBacksOff()
    {
        var state = State(new DispatchOptions { ReprobeInterval = 10 });
        Probe(state, eager: 100, graph: 50);
        for (int i = 0; i < 9; i++) state.CountSteady(Route.Graph);
        Assert.True(state.TryGetSteady(out _));
        state.CountSteady(Route.Graph);                                  // the 10th steady call
        Assert.False(state.TryGetSteady(out _));                         // probing again
        List<ProbeStep> steps = Probe(state, eager: 40, graph: 50);      // eager got faster
        Assert.All(steps, s => Assert.True(s.Timed));                    // no second warm-up
        state.TryGetSteady(out Route route);
        Assert.Equal(Route.Eager, route);
        for (int i = 0; i < 19; i++) state.CountSteady(Route.Eager);
        Assert.True(state.TryGetSteady(out _));                          // the interval doubled to 20
        state.CountSteady(Route.Eager);
        Assert.False(state.TryGetSteady(out _));
    }

    [Theory]
    [InlineData(DispatchMode.Eager)]
    [InlineData(DispatchMode.Graph)]
    public void ForcedModesAreSteadyAtOnceAndNeverReprobe(DispatchMode mode)
    {
        Route expected = mode == DispatchMode.Graph ? Route.Graph : Route.Eager;
        var state = State(new DispatchOptions { Mode = mode, ReprobeInterval = 1 });
        Assert.True(state.TryGetSteady(out Route route));
        Assert.Equal(expected, route);
        for (int i = 0; i < 5; i++) state.CountSteady(route);
        Assert.True(state.TryGetSteady(out _));
        Assert.Equal($"{expected.ToString().ToLowerInvariant()} (forced)", state.State);
    }

    [Fact]
    public void AFallbackIsEagerForGoodAndSaidOnce()
    {
        var state = State(new DispatchOptions { ReprobeInterval = 1 });
        Assert.True(state.FallBack("boom"));
        Assert.False(state.FallBack("again"));
        Assert.True(state.TryGetSteady(out Route route));
        Assert.Equal(Route.Eager, route);
        state.CountSteady(Route.Eager);
        Assert.True(state.TryGetSteady(out _));                          // no re-probe after a fallback
        Assert.Equal("eager (graph failed)", state.State);
        Assert.Equal("boom", state.Fallback);
    }

    [Fact]
    public void ARestoredDecisionSkipsProbing()
    {
        var state = State();
        state.Restore(Route.Graph, 80, 40);
        Assert.True(state.TryGetSteady(out Route route));
        Assert.Equal(Route.Graph, route);
        Assert.True(state.FromProfile);
    }

    [Fact]
    public void WithCaptureTheCapturedGraphIsAThirdCandidate()
    {
        var state = new SignatureState(1, "cuda", new DispatchOptions { ReprobeInterval = 0 }, cuda: true, captureAllowed: true);
        List<ProbeStep> steps = Decide(state, route => route switch { Route.Eager => 100, Route.Graph => 60, _ => 20 });
        Assert.Equal(new ProbeStep(Route.Captured, false), steps[4]);                         // the capture, untimed
        Assert.Equal(15, steps.Count(s => s.Timed));                                            // 5 timings each
        Assert.Equal(new[] { Route.Eager, Route.Graph, Route.Captured }, steps.Where(s => s.Timed).Take(3).Select(s => s.Route));
        state.TryGetSteady(out Route route);
        Assert.Equal(Route.Captured, route);
        Assert.Equal(20, state.CapturedMedian);
        Assert.Equal("cuda graph", state.State);
    }

    [Fact]
    public void AFailedCaptureDropsTheCandidateAndReprobes()
    {
        var state = new SignatureState(1, "cuda", new DispatchOptions { ReprobeInterval = 0 }, cuda: true, captureAllowed: true);
        Decide(state, route => route switch { Route.Eager => 100, Route.Graph => 60, _ => 20 });
        Assert.True(state.DisableCapture("replay failed"));
        Assert.False(state.TryGetSteady(out _));                 // it was the chosen path: probe again
        Probe(state, eager: 100, graph: 60);
        state.TryGetSteady(out Route route);
        Assert.Equal(Route.Graph, route);
        Assert.Equal("replay failed", state.CaptureFailure);
        Assert.False(state.DisableCapture("again"));             // said once
    }

    [Fact]
    public void CaptureIsNeverACandidateInForcedModes()
    {
        var state = new SignatureState(1, "cuda", new DispatchOptions { Mode = DispatchMode.Graph }, cuda: true, captureAllowed: true);
        Assert.False(state.CaptureAllowed);
    }

    [Fact]
    public void CallsAreCountedPerPath()
    {
        var state = State();
        Probe(state, 100, 50);
        for (int i = 0; i < 7; i++) state.CountSteady(Route.Graph);
        Assert.Equal(2 + 5, state.EagerCalls);
        Assert.Equal(2 + 5 + 7, state.GraphCalls);
    }
    private static SignatureState WithOnnx(DispatchOptions? options = null) =>
        new(1, "cpu", options ?? new DispatchOptions { ReprobeInterval = 0 }, cuda: false, onnxBlocked: null);

    [Fact]
    public void WhereTheCallsNeedNoGradientOnnxRuntimeIsACandidate()
    {
        var state = WithOnnx();
        Assert.True(state.OnnxAllowed);
        List<ProbeStep> steps = Decide(state, route => route switch { Route.Eager => 100, Route.Graph => 90, _ => 30 });
        // Warm-ups: graph, eager, then ONNX Runtime (its session's first runs), untimed; then 5 timings each.
        Assert.Equal(new[] { Route.Graph, Route.Graph, Route.Eager, Route.Eager, Route.Onnx, Route.Onnx }, steps.Where(s => !s.Timed).Select(s => s.Route));
        Assert.Equal(15, steps.Count(s => s.Timed));
        Assert.True(state.TryGetSteady(out Route route));
        Assert.Equal(Route.Onnx, route);
        Assert.Equal(30, state.OnnxMedian);
        Assert.Equal("onnx", state.State);
        state.CountSteady(Route.Onnx);
        Assert.Equal(2 + 5 + 1, state.OnnxCalls);
        Assert.Equal(state.OnnxCalls + 2 + 5, state.GraphCalls);                    // twin calls of every kind
    }

    [Fact]
    public void OnnxRuntimeIsKeptOnlyWhereItBeatsTheOtherRoutes()
    {
        var state = WithOnnx();
        Decide(state, route => route switch { Route.Eager => 100, Route.Graph => 40, _ => 60 });
        state.TryGetSteady(out Route route);
        Assert.Equal(Route.Graph, route);
    }

    [Fact]
    public void ASignatureWhoseCallsNeedGradientsNeverProbesOnnxRuntimeAndSaysWhy()
    {
        var state = new SignatureState(1, "cpu", new DispatchOptions { ReprobeInterval = 0 }, cuda: false, onnxBlocked: "the calls need gradients");
        Assert.False(state.OnnxAllowed);
        Assert.DoesNotContain(Probe(state, 100, 50), s => s.Route == Route.Onnx);
        Assert.Equal("the calls need gradients", state.OnnxNote);
        Assert.Null(state.OnnxMedian);
    }

    [Fact]
    public void NoOnnxFormDropsTheCandidateAndReprobesWhereItWasChosen()
    {
        var state = WithOnnx();
        Decide(state, route => route switch { Route.Eager => 100, Route.Graph => 60, _ => 20 });
        Assert.True(state.DisableOnnx("ONNX Runtime failed"));
        Assert.False(state.TryGetSteady(out _));
        Probe(state, eager: 100, graph: 60);
        state.TryGetSteady(out Route route);
        Assert.Equal(Route.Graph, route);
        Assert.Equal("ONNX Runtime failed", state.OnnxNote);
        Assert.False(state.DisableOnnx("again"));                                   // said once
    }

    [Fact]
    public void ForcedOnnxModeIsSteadyAtOnceAndARememberedOnnxDecisionNeedsTheRouteAllowed()
    {
        var forced = new SignatureState(1, "cpu", new DispatchOptions { Mode = DispatchMode.Onnx }, cuda: false, onnxBlocked: null);
        Assert.True(forced.TryGetSteady(out Route route));
        Assert.Equal(Route.Onnx, route);
        Assert.Equal("onnx (forced)", forced.State);
        var blocked = new SignatureState(1, "cpu", new DispatchOptions { ReprobeInterval = 0 }, cuda: false, onnxBlocked: "the calls need gradients");
        blocked.Restore(Route.Onnx, 100, 80);
        Assert.False(blocked.TryGetSteady(out _));                                  // probes instead
        var allowed = WithOnnx();
        allowed.Restore(Route.Onnx, 100, 80);
        Assert.True(allowed.TryGetSteady(out route));
        Assert.Equal(Route.Onnx, route);
    }

    [Fact]
    public void WithoutATorchScriptTwinEagerIsMeasuredAgainstOnnxRuntimeAlone()
    {
        // A run-time-composed module tree whose TorchScript could not be validated: the graph route is dropped
        // before probing and never tried.
        var state = WithoutTorchScript(new SignatureState(1, "cpu", new DispatchOptions { ReprobeInterval = 0 }, cuda: false, onnxBlocked: null));
        List<ProbeStep> steps = Decide(state, route => route switch { Route.Eager => 100, Route.Graph => 1, _ => 30 });
        Assert.DoesNotContain(steps, s => s.Route == Route.Graph);
        Assert.True(state.TryGetSteady(out Route route));
        Assert.Equal(Route.Onnx, route);
        Assert.Null(state.GraphMedian);

        var slower = WithoutTorchScript(new SignatureState(1, "cpu", new DispatchOptions { ReprobeInterval = 0 }, cuda: false, onnxBlocked: null));
        Decide(slower, route => route switch { Route.Eager => 30, _ => 100 });
        Assert.True(slower.TryGetSteady(out route));
        Assert.Equal(Route.Eager, route);
    }

    [Fact]
    public void WithoutATorchScriptTwinOrOnnxRuntimeTheSignatureRunsEagerWithoutProbing()
    {
        // Calls that need gradients, on a composed tree without TorchScript: no route but eager, from the first call.
        var blocked = WithoutTorchScript(new SignatureState(1, "cpu", new DispatchOptions(), cuda: false, onnxBlocked: "the calls need gradients"));
        Assert.True(blocked.TryGetSteady(out Route route));
        Assert.Equal(Route.Eager, route);
        for (int i = 0; i < 1000; i++) blocked.CountSteady(Route.Eager); // never sent back to probing
        Assert.True(blocked.TryGetSteady(out _));

        // ONNX Runtime dropped while probing (no ONNX form for this signature): eager, decided.
        var dropped = WithoutTorchScript(new SignatureState(1, "cpu", new DispatchOptions(), cuda: false, onnxBlocked: null));
        Assert.False(dropped.TryGetSteady(out _));
        dropped.Record(dropped.NextStep(), 10);
        dropped.DisableOnnx("no ONNX form");
        Assert.True(dropped.TryGetSteady(out route));
        Assert.Equal(Route.Eager, route);
    }

    [Fact]
    public void ATorchScriptRouteDroppedAfterItWasChosenSendsTheSignatureBackToProbing()
    {
        var state = WithOnnx();
        Decide(state, route => route switch { Route.Eager => 100, Route.Graph => 10, _ => 50 });
        Assert.True(state.TryGetSteady(out Route route));
        Assert.Equal(Route.Graph, route);
        Assert.True(state.DisableGraph("its TorchScript did not compile"));
        Assert.False(state.DisableGraph("again"));                   // once
        Assert.Equal("its TorchScript did not compile", state.GraphNote);
        Assert.Null(state.GraphMedian);                              // no stale median in the report
        Assert.False(state.TryGetSteady(out _));                     // probes eager against ONNX Runtime
        Assert.DoesNotContain(Decide(state, r => r switch { Route.Eager => 100, Route.Graph => 1, _ => 50 }), s => s.Route == Route.Graph);
        Assert.True(state.TryGetSteady(out route));
        Assert.Equal(Route.Onnx, route);
    }

    [Fact]
    public void AnOptionalTorchScriptRouteStillCompilingIsLeftOutOfProbingUntilReady()
    {
        var state = WithOnnx();
        state.GraphPending = true;                                  // validated in a child process meanwhile
        List<ProbeStep> steps = Decide(state, route => route switch { Route.Eager => 100, Route.Graph => 1, _ => 50 });
        Assert.DoesNotContain(steps, s => s.Route == Route.Graph);
        Assert.True(state.TryGetSteady(out Route route));
        Assert.Equal(Route.Onnx, route);
        Assert.Null(state.GraphMedian);
        Assert.True(state.DecidedWithoutGraph);                     // not final: no profile, probed again
        state.ProbeAgainWithGraph();                                // the twin is ready now
        Assert.False(state.TryGetSteady(out _));
        Assert.Contains(Decide(state, r => r switch { Route.Eager => 100, Route.Graph => 10, _ => 50 }), s => s.Route == Route.Graph);
        Assert.True(state.TryGetSteady(out route));
        Assert.Equal(Route.Graph, route);
        Assert.False(state.DecidedWithoutGraph);
        state.ProbeAgainWithGraph();                                // once only
        Assert.True(state.TryGetSteady(out _));

        // Ready during probing: from then on it is warmed up and timed with the others.
        var later = WithOnnx();
        later.GraphPending = true;
        later.Record(later.NextStep(), 100);
        later.GraphPending = false;
        Assert.Equal(new ProbeStep(Route.Graph, false), later.NextStep());
    }

    private static SignatureState WithoutTorchScript(SignatureState state)
    {
        state.DisableGraph("its TorchScript could not be validated");
        return state;
    }

    [Fact]
    public void ProbingLeavesBusyTimingsOutABoundedNumberOfTimes()
    {
        SignatureState state = State(new DispatchOptions { ProbeCalls = 5, ReprobeInterval = 0 });
        int discarded = 0;
        while (state.DiscardBusyTiming() && discarded < 1000) discarded++;
        // Four probing rounds' worth: a machine that is never quiet still gets a decision.
        Assert.Equal(20, discarded);
        Assert.False(state.DiscardBusyTiming());
    }
}
