using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using HybridGen;
using HybridGen.Twins;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>The dispatcher: forced modes are obeyed, auto decides, libtorch errors surface on both paths, and a
/// graph that fails where eager does not falls back without changing the caller's result.</summary>
public class DispatchTests
{
    private const string AddSource = "def add(x: Tensor, y: Tensor) -> Tensor:\n    return torch.add(x, y)\n";

    private static HybridFunction<(T, T), T> AddFunction(DispatchMode mode, string source = AddSource, bool trusted = true) => new(
        new HybridMethodInfo("Tests.Add." + mode + "." + Guid.NewGuid().ToString("N"), "DispatchTests.cs(1)", "add", source),
        eager: static a => a.Item1 + a.Item2,
        writeArguments: static (in (T, T) a, Span<TwinValue> g) => { g[0] = a.Item1; g[1] = a.Item2; },
        argumentCount: 2,
        readResult: static r => r[0].Tensor!,
        resultCount: 1,
        options: new DispatchOptions { Mode = mode, BackgroundCompile = false }, // probing counted from the first call
        twin: trusted ? TorchScriptTwin.Trusted(source, "add") : null);

    private static HybridMethodReport ReportOf<TArgs>(HybridFunction<TArgs, T> function) =>
        HybridRuntime.GetReport().Single(r => r.Name == function.Info.Name);

    // A twin that shows the grad mode it ran in: 2x under grad mode, 3x under no_grad.
    private const string GradModeSource = "def f(x: Tensor) -> Tensor:\n    return torch.mul(x, 2.0) if torch.is_grad_enabled() else torch.mul(x, 3.0)\n";

    // The twin runs in the caller's grad mode, also where no input requires grad (docs/dispatch.md says why).
    [Fact]
    public void ATwinRunsInTheCallersGradMode()
    {
        var f = new HybridFunction<ValueTuple<T>, T>(
            new HybridMethodInfo("Tests.GradMode." + Guid.NewGuid().ToString("N"), "DispatchTests.cs(2)", "f", GradModeSource),
            eager: static a => a.Item1 * 2.0,
            writeArguments: static (in ValueTuple<T> a, Span<TwinValue> g) => g[0] = a.Item1,
            argumentCount: 1,
            readResult: static r => r[0].Tensor!,
            resultCount: 1,
            options: new DispatchOptions { Mode = DispatchMode.Graph, BackgroundCompile = false },
            twin: TorchScriptTwin.Trusted(GradModeSource, "f"));
        using T x = ones(2);
        using (T r = f.Invoke(new ValueTuple<T>(x))) Assert.Equal(new[] { 2f, 2f }, r.data<float>().ToArray());
        using (no_grad())
        using (T r = f.Invoke(new ValueTuple<T>(x))) Assert.Equal(new[] { 3f, 3f }, r.data<float>().ToArray());
        Assert.True(is_grad_enabled());
    }

    [Theory]
    [InlineData(DispatchMode.Eager)]
    [InlineData(DispatchMode.Graph)]
    public void ForcedModeRunsOnlyThatPath(DispatchMode mode)
    {
        var add = AddFunction(mode);
        using T x = ones(3), y = ones(3);
        for (int i = 0; i < 20; i++)
            using (T r = add.Invoke((x, y))) Assert.Equal(new[] { 2f, 2f, 2f }, r.data<float>().ToArray());
        HybridMethodReport report = ReportOf(add);
        Assert.Equal(mode == DispatchMode.Eager ? 20 : 0, report.EagerCalls);
        Assert.Equal(mode == DispatchMode.Graph ? 20 : 0, report.GraphCalls);
        Assert.Contains("forced", report.State);
    }

    [Fact]
    public void AutoProbesBothThenDecides()
    {
        var add = AddFunction(DispatchMode.Auto);
        using T x = ones(3), y = ones(3);
        // 60 calls: warm-up (2 graph + 2 eager), then 5 to 20 timed calls of each path (more where the timings
        // are too noisy to tell the two apart), then the decision.
        for (int i = 0; i < 60; i++)
            using (T r = add.Invoke((x, y))) Assert.Equal(new[] { 2f, 2f, 2f }, r.data<float>().ToArray());
        HybridMethodReport report = ReportOf(add);
        Assert.Contains(report.State, new[] { "eager", "graph" });
        Assert.NotNull(report.EagerMedianMicroseconds);
        Assert.NotNull(report.GraphMedianMicroseconds);
        Assert.True(report.EagerCalls >= 7 && report.GraphCalls >= 7, $"{report.EagerCalls}/{report.GraphCalls}");
        Assert.Equal(60, report.EagerCalls + report.GraphCalls);
    }

    [Fact]
    public void LibtorchErrorSurfacesOnBothPaths()
    {
        manual_seed(1);
        // b1 does not fit (an add error: TorchSharp 0.107's eager matmul aborts the process on a shape error).
        using T x = randn(2, 3), w1 = randn(3, 5), b1 = randn(4), w2 = randn(5, 2), b2 = randn(2);
        var mlp = Twins.Of<(T, T, T, T, T)>(typeof(Corpus), nameof(Corpus.Mlp));
        var eager = Assert.Throws<ExternalException>(() => mlp.InvokeEager((x, w1, b1, w2, b2)));
        var graph = Assert.Throws<ExternalException>(() => mlp.InvokeGraph((x, w1, b1, w2, b2)));
        Assert.Contains("must match the size of tensor", eager.Message);
        Assert.Contains("must match the size of tensor", graph.Message);
        // Through the dispatcher the caller gets the same exception, and the process goes on.
        Assert.Throws<ExternalException>(() => Corpus.Mlp(x, w1, b1, w2, b2));
        using T ok = Corpus.Mlp(x, w1, randn(5), w2, b2);
        Assert.Equal(new long[] { 2, 2 }, ok.shape);
    }

    [Fact]
    public void GraphFailureWhereEagerSucceedsFallsBackToEager()
    {
        // A twin that disagrees with its body on these shapes: matmul of [2,3] by [2,3] fails.
        var add = AddFunction(DispatchMode.Auto, "def add(x: Tensor, y: Tensor) -> Tensor:\n    return torch.matmul(x, y)\n");
        var warnings = new System.IO.StringWriter();
        HybridRuntime.Warnings = warnings;
        try
        {
            using T x = ones(2, 3), y = ones(2, 3);
            for (int i = 0; i < 5; i++)
                using (T r = add.Invoke((x, y))) Assert.Equal(Enumerable.Repeat(2f, 6), r.data<float>().ToArray());
        }
        finally
        {
            HybridRuntime.Warnings = Console.Error;
        }
        HybridMethodReport report = ReportOf(add);
        Assert.Equal("eager (graph failed)", report.State);
        Assert.Contains("cannot be multiplied", report.Fallback);
        Assert.Contains("runs eager for [", warnings.ToString());
    }

    [Fact]
    public void TwinTheBuildDidNotValidateIsNeverCompiled()
    {
        // libtorch aborts the process on a TorchScript compile error: text the build did not validate for this
        // libtorch never reaches it, and the method runs eager.
        var add = AddFunction(DispatchMode.Auto, "def add(x: Tensor, y: Tensor) -> Tensor:\n    return torch.nosuch(x)\n", trusted: false);
        HybridRuntime.Warnings = null;
        try
        {
            using T x = ones(2), y = ones(2);
            using T r = add.Invoke((x, y));
            Assert.Equal(new[] { 2f, 2f }, r.data<float>().ToArray());
        }
        finally
        {
            HybridRuntime.Warnings = Console.Error;
        }
        Assert.Contains("validation record", ReportOf(add).Fallback);
    }

    [Fact]
    public void ForcedGraphModeCountsAGraphCallOnlyWhereTheTwinRanIt()
    {
        // Forced graph mode on a twin this process may not compile: every call runs eager, and the report says so.
        var add = AddFunction(DispatchMode.Graph, "def add(x: Tensor, y: Tensor) -> Tensor:\n    return torch.nosuch(x)\n", trusted: false);
        var warnings = new StringWriter();
        HybridRuntime.Warnings = warnings;
        try
        {
            using T x = ones(2), y = ones(2);
            for (int call = 0; call < 5; call++)
                using (T r = add.Invoke((x, y))) Assert.Equal(new[] { 2f, 2f }, r.data<float>().ToArray());
        }
        finally
        {
            HybridRuntime.Warnings = Console.Error;
        }
        HybridMethodReport report = ReportOf(add);
        Assert.Equal(5, report.EagerCalls);
        Assert.Equal(0, report.GraphCalls);
        var table = new StringWriter();
        HybridRuntime.WriteReport(table);
        Assert.Matches(System.Text.RegularExpressions.Regex.Escape(add.Info.Name) + @"\s.*\s5/0\r?\n", table.ToString());
        // Reported once (HybridRuntime.Warnings is the process's: tests running in parallel may warn there too).
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(warnings.ToString(), System.Text.RegularExpressions.Regex.Escape(add.Info.Name) + ".*runs eager for"));
    }

    [Fact]
    public void AGraphCallThatFellBackToEagerCountsAsEager()
    {
        // A twin that fails where eager does not (auto mode): that call's result is eager's, and so is its count.
        var add = AddFunction(DispatchMode.Auto, "def add(x: Tensor, y: Tensor) -> Tensor:\n    return torch.mm(x, y)\n");
        HybridRuntime.Warnings = null;
        try
        {
            using T x = ones(3), y = ones(3);
            for (int call = 0; call < 6; call++)
                using (T r = add.Invoke((x, y))) Assert.Equal(new[] { 2f, 2f, 2f }, r.data<float>().ToArray());
        }
        finally
        {
            HybridRuntime.Warnings = Console.Error;
        }
        HybridMethodReport report = ReportOf(add);
        Assert.Equal((6L, 0L), (report.EagerCalls, report.GraphCalls));
        Assert.Equal("eager (graph failed)", report.State);
    }

    [Fact]
    public void TwoHybridizedOverloadsKeepTheirOwnDispatchers()
    {
        using T x = ones(3), s = full(3, 2.0f);
        for (int i = 0; i < 30; i++)
        {
            using (T a = Corpus.Scaled(x, 3.0)) Assert.Equal(new[] { 3f, 3f, 3f }, a.data<float>().ToArray());
            using (T b = Corpus.Scaled(x, s)) Assert.Equal(new[] { 3f, 3f, 3f }, b.data<float>().ToArray());
        }
        string[] names = HybridRuntime.GetReport().Select(r => r.Name).Where(n => n.StartsWith("HybridGen.EndToEnd.Tests.Corpus.Scaled(", StringComparison.Ordinal)).ToArray();
        Assert.Equal(new[] { "HybridGen.EndToEnd.Tests.Corpus.Scaled(Tensor, Tensor)", "HybridGen.EndToEnd.Tests.Corpus.Scaled(Tensor, double)" }, names.OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(HybridRuntime.GetReport().Where(r => names.Contains(r.Name)), r => Assert.Equal(30, r.EagerCalls + r.GraphCalls));
    }
}
