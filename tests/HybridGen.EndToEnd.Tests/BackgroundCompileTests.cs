using System;
using System.Linq;
using System.Threading;
using HybridGen;
using HybridGen.Twins;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>No call waits for a TorchScript compile: in auto mode a method's first calls run eager while its twin
/// compiles on a thread-pool thread, probing starts once it is ready, results never change; the opt-out compiles
/// on the caller's thread; a twin that fails to compile in the background is reported like any other.</summary>
public class BackgroundCompileTests
{
    private const string Source = "def add(x: Tensor, y: Tensor) -> Tensor:\n    return torch.add(x, y)\n";

    /// <summary>A real twin whose compile waits for <see cref="Release"/> and records the thread it ran on.</summary>
    private sealed class GatedTwin : IGraphTwin
    {
        private readonly IGraphTwin _inner;
        private readonly ManualResetEventSlim _gate = new(false);
        private readonly string? _failure;

        public GatedTwin(string? failure = null)
        {
            _inner = TorchScriptTwin.Trusted(Source, "add");
            _failure = failure;
        }

        public int CompileThread { get; private set; } = -1;

        /// <summary>What <see cref="Observe"/> said when the compile started.</summary>
        public bool ObservedAtStart { get; private set; }

        public Func<bool>? Observe { get; init; }

        public void Release() => _gate.Set();

        public void Prepare()
        {
            if (CompileThread < 0)
            {
                CompileThread = Environment.CurrentManagedThreadId;
                ObservedAtStart = Observe?.Invoke() ?? false;
            }
            _gate.Wait(TimeSpan.FromSeconds(30));
            if (_failure is not null) throw new TwinUnavailableException(_failure);
            _inner.Prepare();
        }

        public int Invoke(ReadOnlySpan<TwinValue> arguments, Span<TwinValue> results) => _inner.Invoke(arguments, results);

        public CapturedGraph Capture(ReadOnlySpan<TwinValue> arguments) => _inner.Capture(arguments);
    }

    private static HybridFunction<(T, T), T> Add(GatedTwin twin, bool background, Func<(T, T), T>? eager = null) => new(
        new HybridMethodInfo("Tests.BackgroundCompile." + Guid.NewGuid().ToString("N"), "BackgroundCompileTests.cs(1)", "add", Source),
        eager: eager ?? (static a => a.Item1 + a.Item2),
        writeArguments: static (in (T, T) a, Span<TwinValue> g) => { g[0] = a.Item1; g[1] = a.Item2; },
        argumentCount: 2,
        readResult: static r => r[0].Tensor!,
        resultCount: 1,
        options: new DispatchOptions { Mode = DispatchMode.Auto, BackgroundCompile = background, WarmupCalls = 0, ProbeCalls = 2 },
        twin: twin);

    private static HybridMethodReport ReportOf(HybridFunction<(T, T), T> f) => HybridRuntime.GetReport().Single(r => r.Name == f.Info.Name);

    private static volatile bool s_slowBodyDone;

    // On a machine with few cores a compile thread would compete with the first call: it starts only once the first
    // call's eager body is done (the body takes 300 ms, so a compile started with the call would start inside it).
    [Fact]
    public void TheCompileStartsOnceTheFirstCallsBodyIsDone()
    {
        s_slowBodyDone = false;
        var twin = new GatedTwin { Observe = static () => s_slowBodyDone };
        var slow = Add(twin, background: true, eager: static a =>
        {
            Thread.Sleep(300);
            T sum = a.Item1 + a.Item2;
            s_slowBodyDone = true;
            return sum;
        });
        using T x = ones(3), y = ones(3);
        try
        {
            using (T r = slow.Invoke((x, y))) Assert.Equal(new[] { 2f, 2f, 2f }, r.data<float>().ToArray());
        }
        finally
        {
            twin.Release(); // never leave a held compile behind: WaitForTwins waits for every test's
        }
        Assert.True(HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(30)));
        Assert.NotEqual(-1, twin.CompileThread);                // it did start, off the caller's thread
        Assert.NotEqual(Environment.CurrentManagedThreadId, twin.CompileThread);
        Assert.True(twin.ObservedAtStart);
    }

    [Fact]
    public void FirstCallsRunEagerWhileTheTwinCompilesThenProbingStarts()
    {
        var twin = new GatedTwin();
        var add = Add(twin, background: true);
        using T x = ones(3), y = ones(3);
        for (int i = 0; i < 5; i++)
            using (T r = add.Invoke((x, y))) Assert.Equal(new[] { 2f, 2f, 2f }, r.data<float>().ToArray());
        HybridMethodReport report = ReportOf(add);
        Assert.Equal(5, report.EagerCalls);                  // the compile is held: every call ran eager, at once
        Assert.Equal(0, report.GraphCalls);
        Assert.Null(report.Fallback);                        // waiting for a compile is not a fallback
        Assert.NotEqual(Environment.CurrentManagedThreadId, twin.CompileThread);

        twin.Release();
        Assert.True(HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(30)));
        for (int i = 0; i < 10; i++)
            using (T r = add.Invoke((x, y))) Assert.Equal(new[] { 2f, 2f, 2f }, r.data<float>().ToArray());
        Assert.True(ReportOf(add).GraphCalls > 0);            // probing ran the twin once it was ready
    }

    [Fact]
    public void TheOptOutCompilesOnTheCallersThread()
    {
        var twin = new GatedTwin();
        twin.Release();
        var add = Add(twin, background: false);
        using T x = ones(3), y = ones(3);
        using (T r = add.Invoke((x, y))) { }
        Assert.Equal(Environment.CurrentManagedThreadId, twin.CompileThread);
    }

    [Fact]
    public void ATwinThatFailsToCompileInTheBackgroundIsReported()
    {
        var twin = new GatedTwin(failure: "its graph twin did not compile: test");
        var add = Add(twin, background: true);
        using T x = ones(3), y = ones(3);
        using (T r = add.Invoke((x, y))) { }
        twin.Release();
        Assert.True(HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(30)));
        using (T r = add.Invoke((x, y))) Assert.Equal(new[] { 2f, 2f, 2f }, r.data<float>().ToArray());
        Assert.Contains("did not compile: test", ReportOf(add).Fallback);
    }
}
