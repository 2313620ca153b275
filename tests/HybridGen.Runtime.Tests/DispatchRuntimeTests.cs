using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using System.Diagnostics.Tracing;
using HybridGen;
using HybridGen.Dispatch;
using HybridGen.Twins;
using TorchSharp;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace HybridGen.Runtime.Tests;

/// <summary>The dispatcher around a real (TorchScript) twin: per-signature decisions, the signature cap,
/// concurrency, the report, the event counters and logging. The runtime's static state is shared, so these run alone.</summary>
[Collection(nameof(RuntimeCollection))]
public class DispatchRuntimeTests
{
    private const string AddSource = "def add(x: Tensor, y: Tensor) -> Tensor:\n    return torch.add(x, y)\n";

    internal static HybridFunction<(Tensor, Tensor), Tensor> Add(DispatchOptions options, string? name = null) => new(
        new HybridMethodInfo(name ?? "Tests.Add." + Guid.NewGuid().ToString("N"), "DispatchRuntimeTests.cs(1)", "add", AddSource),
        eager: static a => a.Item1 + a.Item2,
        writeArguments: static (in (Tensor, Tensor) a, Span<TwinValue> g) => { g[0] = a.Item1; g[1] = a.Item2; },
        argumentCount: 2,
        readResult: static r => r[0].Tensor!,
        resultCount: 1,
        options: options with { BackgroundCompile = false }, // these tests count probing calls from the first one
        twin: TorchScriptTwin.Trusted(AddSource, "add"));

    private static HybridMethodReport ReportOf<T>(HybridFunction<T, Tensor> f) => HybridRuntime.GetReport().Single(r => r.Name == f.Info.Name);

    [Fact]
    public void EachSignatureIsDecidedOnItsOwn()
    {
        var add = Add(new DispatchOptions());
        using Tensor a = ones(3), b = ones(2, 2), c = ones(new long[] { 3 }, ScalarType.Float64);
        // 60 calls each: enough to decide even where noisy timings make probing take 4 + 2 x 20 calls.
        for (int i = 0; i < 60; i++)
        {
            using (add.Invoke((a, a))) { }
            using (add.Invoke((b, b))) { }
            using (add.Invoke((c, c))) { }
        }
        HybridMethodReport report = ReportOf(add);
        Assert.Equal(3, report.Signatures.Count);
        Assert.Contains(report.Signatures, s => s.Signature == "float32[3] cpu, float32[3] cpu");
        Assert.Contains(report.Signatures, s => s.Signature == "float32[2,2] cpu, float32[2,2] cpu");
        Assert.Contains(report.Signatures, s => s.Signature == "float64[3] cpu, float64[3] cpu");
        Assert.All(report.Signatures, s => Assert.Equal(60, s.EagerCalls + s.GraphCalls));
        Assert.All(report.Signatures, s => Assert.NotEqual("probing", s.State));
        Assert.All(report.Signatures, s => Assert.NotNull(s.SpeedUp));
    }

    // The twin's arguments are read once per call, for the key and the twin alike; a value no twin can take (here a
    // null tensor, as a model's weight set to null would be) runs the eager body, which decides what the caller sees,
    // and the reason is reported once, where before the twin route threw at the caller.
    [Fact]
    public void ArgumentsNoTwinCanTakeRunEagerAndSaySo()
    {
        var warnings = new StringWriter();
        TextWriter? previous = HybridRuntime.Warnings;
        HybridRuntime.Warnings = warnings;
        try
        {
            var add = new HybridFunction<(Tensor, Tensor?), Tensor>(
                new HybridMethodInfo("Tests.NullArgument." + Guid.NewGuid().ToString("N"), "DispatchRuntimeTests.cs(2)", "add", AddSource),
                eager: static a => a.Item2 is null ? a.Item1 * 2 : a.Item1 + a.Item2,
                writeArguments: static (in (Tensor, Tensor?) a, Span<TwinValue> g) => { g[0] = a.Item1; g[1] = a.Item2!; },
                argumentCount: 2,
                readResult: static r => r[0].Tensor!,
                resultCount: 1,
                options: new DispatchOptions { Mode = DispatchMode.Graph, BackgroundCompile = false },
                twin: TorchScriptTwin.Trusted(AddSource, "add"));
            using Tensor a = ones(3);
            for (int i = 0; i < 3; i++)
                using (Tensor r = add.Invoke((a, null))) Assert.Equal(new[] { 2f, 2f, 2f }, r.data<float>().ToArray());
            using (Tensor r = add.Invoke((a, a))) Assert.Equal(new[] { 2f, 2f, 2f }, r.data<float>().ToArray());
            HybridMethodReport report = ReportOf(add);
            Assert.Contains(report.Signatures, s => s.State == "eager (graph failed)" && s.EagerCalls == 3 && s.Fallback!.Contains("a value the twin reads is null (ArgumentNullException"));
            Assert.Contains(report.Signatures, s => s.Signature == "float32[3] cpu, float32[3] cpu" && s.GraphCalls == 1);
            Assert.Single(warnings.ToString().Split('\n'), line => line.Contains("a value the twin reads is null"));
        }
        finally
        {
            HybridRuntime.Warnings = previous;
        }
    }

    // Under grad a probing call is timed with a backward of its own graph (autograd.grad, graph kept): the caller's
    // own backward after every call still works, and .grad gets exactly the caller's gradients.
    [Fact]
    public void UnderGradProbingTimesTheBackwardAndLeavesGradientsAlone()
    {
        var add = Add(new DispatchOptions());
        using Tensor a = ones(3).requires_grad_(), b = full(3, 2f);
        // Enough calls to decide in the worst case: 4 warm-ups, 4 x 5 timed calls of each path, 20 left untimed
        // while HybridGen's background work runs.
        for (int i = 0; i < 100; i++)
        {
            using Tensor r = add.Invoke((a, b));
            using Tensor loss = r.sum();
            loss.backward();
        }
        Assert.Equal(new[] { 100f, 100f, 100f }, a.grad!.data<float>().ToArray());
        SignatureReport grad = Assert.Single(ReportOf(add).Signatures);
        Assert.NotEqual("probing", grad.State);
        Assert.True(grad.TimedWithBackward);
        Assert.Null(grad.BackwardNote);
        var report = new StringWriter();
        HybridRuntime.WriteReport(report);
        Assert.Contains($"{add.Info.Name} [float32[3] cpu grad, float32[3] cpu]: medians of a forward and its backward", report.ToString());

        // Under no_grad, or with the option off, the forward alone.
        using (no_grad())
            for (int i = 0; i < 100; i++) using (add.Invoke((a, b))) { }
        var off = Add(new DispatchOptions { TimeBackward = false });
        for (int i = 0; i < 100; i++) using (off.Invoke((a, b))) { }
        Assert.Equal(2, ReportOf(add).Signatures.Count);
        Assert.Single(ReportOf(add).Signatures, s => s.TimedWithBackward);
        Assert.All(ReportOf(off).Signatures, s => Assert.False(s.TimedWithBackward));
    }

    // One parameter read through two wrappers (tied weights: two modules' getters each make one): the probe sets each
    // aside and must put back the caller's gradient, not the null it set aside the second time.
    [Fact]
    public void AParameterReadTwiceKeepsTheCallersGradient()
    {
        var add = Add(new DispatchOptions());
        using Tensor a = ones(3).requires_grad_();
        using Tensor same = a.alias(); // another wrapper of the same leaf
        for (int i = 0; i < 100; i++)
        {
            using Tensor r = add.Invoke((a, same));
            using Tensor loss = r.sum();
            loss.backward();
        }
        Assert.Equal(new[] { 200f, 200f, 200f }, a.grad!.data<float>().ToArray());
        Assert.True(Assert.Single(ReportOf(add).Signatures).TimedWithBackward);
    }

    // A hybridized call inside another's eager body (a block in its model's forward): both probe under grad, the
    // inner one's calls inside the outer one's timed probing calls are not timed, and the caller's gradients are
    // exactly its own however the probes' backwards nest.
    [Fact]
    public void NestedCallsUnderGradDecideAndLeaveGradientsAlone()
    {
        var inner = Add(new DispatchOptions());
        const string source = "def outer(x: Tensor, y: Tensor) -> Tensor:\n    return torch.add(torch.add(x, y), y)\n";
        var outer = new HybridFunction<(Tensor, Tensor), Tensor>(
            new HybridMethodInfo("Tests.Outer." + Guid.NewGuid().ToString("N"), "DispatchRuntimeTests.cs(4)", "outer", source),
            eager: a => { using Tensor once = inner.Invoke((a.Item1, a.Item2)); return once + a.Item2; },
            writeArguments: static (in (Tensor, Tensor) a, Span<TwinValue> g) => { g[0] = a.Item1; g[1] = a.Item2; },
            argumentCount: 2,
            readResult: static r => r[0].Tensor!,
            resultCount: 1,
            options: new DispatchOptions { BackgroundCompile = false },
            twin: TorchScriptTwin.Trusted(source, "outer"));
        using Tensor a = ones(3).requires_grad_(), b = full(3, 2f);
        for (int i = 0; i < 150; i++)
        {
            using Tensor r = outer.Invoke((a, b));
            Assert.Equal(new[] { 5f, 5f, 5f }, r.data<float>().ToArray());
            using Tensor loss = r.sum();
            loss.backward();
        }
        Assert.Equal(new[] { 150f, 150f, 150f }, a.grad!.data<float>().ToArray());
        Assert.All(ReportOf(outer).Signatures, s => Assert.NotEqual("probing", s.State));
        Assert.All(ReportOf(outer).Signatures, s => Assert.True(s.TimedWithBackward));
    }

    // A result that needs no gradient has no backward to time: the forward alone, and the report says why.
    [Fact]
    public void AResultWithoutGradientIsTimedOnItsForward()
    {
        const string source = "def f(x: Tensor) -> Tensor:\n    return torch.mul(x.detach(), 2.0)\n";
        var f = new HybridFunction<ValueTuple<Tensor>, Tensor>(
            new HybridMethodInfo("Tests.Detached." + Guid.NewGuid().ToString("N"), "DispatchRuntimeTests.cs(3)", "f", source),
            eager: static a => a.Item1.detach() * 2,
            writeArguments: static (in ValueTuple<Tensor> a, Span<TwinValue> g) => g[0] = a.Item1,
            argumentCount: 1,
            readResult: static r => r[0].Tensor!,
            resultCount: 1,
            options: new DispatchOptions { BackgroundCompile = false },
            twin: TorchScriptTwin.Trusted(source, "f"));
        using Tensor x = ones(3).requires_grad_();
        for (int i = 0; i < 100; i++) using (f.Invoke(new ValueTuple<Tensor>(x))) { }
        SignatureReport s = Assert.Single(ReportOf(f).Signatures);
        Assert.NotEqual("probing", s.State);
        Assert.False(s.TimedWithBackward);
        Assert.Equal("its results need no gradient", s.BackwardNote);
    }

    [Fact]
    public void RequiresGradMakesADifferentSignature()
    {
        var add = Add(new DispatchOptions());
        using Tensor a = ones(3), g = ones(new long[] { 3 }, requires_grad: true);
        using (add.Invoke((a, a))) { }
        using (add.Invoke((g, a))) { }
        Assert.Equal(2, ReportOf(add).Signatures.Count);
    }

    [Fact]
    public void PastTheCapNewSignaturesRunEagerAndItIsSaidOnce()
    {
        var warnings = new StringWriter();
        TextWriter? previous = HybridRuntime.Warnings;
        HybridRuntime.Warnings = warnings;
        try
        {
            var add = Add(new DispatchOptions { SignatureCap = 2 });
            for (int n = 1; n <= 5; n++)
            {
                using Tensor t = ones(n);
                for (int i = 0; i < 3; i++) using (add.Invoke((t, t))) { }
            }
            HybridMethodReport report = ReportOf(add);
            Assert.Equal(3, report.Signatures.Count); // two dispatched, one shared overflow state
            SignatureReport overflow = report.Signatures.Single(s => s.Signature.Contains("past the cap"));
            Assert.Equal(9, overflow.EagerCalls);
            Assert.Equal(0, overflow.GraphCalls);
            Assert.Equal(1, warnings.ToString().Split('\n').Count(l => l.Contains("its cap")));
        }
        finally
        {
            HybridRuntime.Warnings = previous;
        }
    }

    [Fact]
    public void SixteenThreadsTimesTenThousandCallsAreCorrectAndAllCounted()
    {
        var add = Add(new DispatchOptions { ReprobeInterval = 2000 });
        using Tensor x = ones(4), y = full(new long[] { 4 }, 2.0);
        bool[] correct = new bool[16];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, t =>
        {
            bool ok = true;
            for (int i = 0; i < 10_000; i++)
            {
                using Tensor r = add.Invoke((x, y));
                if (i % 1000 == 0) ok &= r.data<float>().ToArray().All(v => v == 3f);
                else ok &= r.shape[0] == 4;
            }
            correct[t] = ok;
        });
        Assert.All(correct, Assert.True);
        HybridMethodReport report = ReportOf(add);
        Assert.Equal(160_000, report.EagerCalls + report.GraphCalls);
    }

    [Fact]
    public void DecisionsAreLogged()
    {
        var logger = new ListLoggerFactory();
        HybridRuntime.LoggerFactory = logger;
        try
        {
            var add = Add(new DispatchOptions());
            using Tensor a = ones(2);
            // Until decided: noisy timings of a 2-element add can take up to 4 times ProbeCalls of each path.
            bool Logged() { lock (logger.Messages) return logger.Messages.Any(m => m.Contains(add.Info.Name)); }
            for (int i = 0; i < 200 && !Logged(); i++) using (add.Invoke((a, a))) { }
            Assert.Contains(logger.Messages, m => m.Contains(add.Info.Name) && (m.Contains("Graph") || m.Contains("Eager")));
        }
        finally
        {
            HybridRuntime.LoggerFactory = null!;
        }
    }

    [Fact]
    public void EventCountersReportCallsAndGraphShare()
    {
        var add = Add(new DispatchOptions { Mode = DispatchMode.Graph });
        using Tensor a = ones(2);
        for (int i = 0; i < 10; i++) using (add.Invoke((a, a))) { }
        using var listener = new CounterListener();
        Assert.True(listener.Received.Wait(TimeSpan.FromSeconds(10)), "no counters within 10 s");
        Assert.Contains("calls", listener.Names);
        Assert.Contains("graph-share", listener.Names);
    }

    private sealed class CounterListener : EventListener
    {
        public readonly ManualResetEventSlim Received = new();
        public readonly HashSet<string> Names = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "HybridGen")
                EnableEvents(source, EventLevel.Verbose, EventKeywords.All, new Dictionary<string, string?> { ["EventCounterIntervalSec"] = "0.1" });
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName != "EventCounters" || e.Payload?[0] is not IDictionary<string, object> payload) return;
            lock (Names) Names.Add((string)payload["Name"]);
            if (Names.Contains("calls") && Names.Contains("graph-share")) Received.Set();
        }
    }

    private sealed class ListLoggerFactory : ILoggerFactory, ILogger
    {
        public readonly List<string> Messages = new();
        public void AddProvider(ILoggerProvider provider) { }
        public ILogger CreateLogger(string categoryName) => this;
        public void Dispose() { }
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Messages) Messages.Add(formatter(state, exception));
        }
    }
}

[CollectionDefinition(nameof(RuntimeCollection), DisableParallelization = true)]
public class RuntimeCollection { }
