using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HybridGen;
using HybridGen.Dispatch;

namespace HybridGen.Runtime.Tests;

/// <summary>The persisted profile: round trip, invalidation, and never half a file.</summary>
public sealed class ProfileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hybridgen-profile-" + Guid.NewGuid().ToString("N"));
    private string File => Path.Combine(_dir, "profile.json");

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private static HybridMethodInfo Info(string source = "def f(x: Tensor) -> Tensor:\n    return x\n") => new("A.B.F", "B.cs(3)", "f", source);

    private static SignatureState Decided(ulong key, bool cuda, double eager, double graph)
    {
        var state = new SignatureState(key, "s", new DispatchOptions { ReprobeInterval = 0 }, cuda);
        while (!state.TryGetSteady(out _))
        {
            ProbeStep step = state.NextStep();
            state.Record(step, step.Route == Route.Eager ? eager : graph);
        }
        return state;
    }

    [Fact]
    public void DecisionsRoundTrip()
    {
        var profile = DispatchProfile.Open(File, _ => { }, libtorch: "1.13.1");
        profile.Record(Info(), Decided(42, cuda: false, eager: 100, graph: 20), Route.Graph);
        profile.Record(Info(), Decided(43, cuda: false, eager: 10, graph: 20), Route.Eager);

        var reopened = DispatchProfile.Open(File, _ => { }, libtorch: "1.13.1");
        var graph = reopened.Lookup(Info(), 42, cuda: false);
        Assert.Equal(Route.Graph, graph!.Value.Route);
        Assert.Equal(100, graph.Value.EagerMedian);
        Assert.Equal(20, graph.Value.GraphMedian);
        Assert.Equal(Route.Eager, reopened.Lookup(Info(), 43, cuda: false)!.Value.Route);
        Assert.Null(reopened.Lookup(Info(), 44, cuda: false));
    }

    [Fact]
    public void AChangedTwinDeviceOrLibtorchInvalidates()
    {
        var profile = DispatchProfile.Open(File, _ => { }, libtorch: "1.13.1");
        profile.Record(Info(), Decided(7, cuda: false, eager: 100, graph: 20), Route.Graph);
        var reopened = DispatchProfile.Open(File, _ => { }, libtorch: "1.13.1");
        Assert.Null(reopened.Lookup(Info("def f(x: Tensor) -> Tensor:\n    return x * 2\n"), 7, cuda: false)); // another twin
        Assert.Null(reopened.Lookup(Info(), 7, cuda: true));                                                  // another device
        var warnings = new List<string>();
        var newer = DispatchProfile.Open(File, warnings.Add, libtorch: "2.11.0");                              // another libtorch
        Assert.Null(newer.Lookup(Info(), 7, cuda: false));
        Assert.Contains(warnings, w => w.Contains("libtorch 1.13.1"));
    }

    [Fact]
    public void ACorruptProfileIsReportedAndRewritten()
    {
        Directory.CreateDirectory(_dir);
        System.IO.File.WriteAllText(File, "{ not json");
        var warnings = new List<string>();
        var profile = DispatchProfile.Open(File, warnings.Add, libtorch: "1.13.1");
        Assert.Single(warnings);
        profile.Record(Info(), Decided(1, false, 10, 5), Route.Graph);
        Assert.NotNull(DispatchProfile.Open(File, _ => { }, libtorch: "1.13.1").Lookup(Info(), 1, false));
    }

    [Fact]
    public async Task WritesAreAtomicAReaderNeverSeesHalfAFile()
    {
        var profile = DispatchProfile.Open(File, _ => { }, libtorch: "1.13.1");
        profile.Record(Info(), Decided(0, false, 10, 5), Route.Graph);
        using var stop = new CancellationTokenSource();
        int reads = 0, failures = 0;
        Task reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var doc = System.Text.Json.JsonDocument.Parse(System.IO.File.ReadAllText(File));
                    reads++;
                }
                catch (System.Text.Json.JsonException) { failures++; }
                catch (IOException) { }
            }
        });
        for (ulong k = 1; k <= 5000 && Volatile.Read(ref reads) < 50; k++) profile.Record(Info(), Decided(k, false, 10, 5), Route.Graph);
        stop.Cancel();
        await reader;
        Assert.True(reads > 0);
        Assert.Equal(0, failures);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }
}
