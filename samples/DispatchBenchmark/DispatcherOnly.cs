using System;
using System.Threading;
using HybridGen;
using HybridGen.Twins;
using static TorchSharp.torch;

namespace Benchmarks;

/// <summary>
/// The dispatcher with the work taken out, to measure what it costs by itself: a 7-tensor method whose eager body
/// returns its first input (no op, nothing allocated) and whose twin is slower by construction, so auto settles on
/// eager. Its calls through the dispatcher minus the same calls of the eager body alone are the dispatch: the
/// signature (7 tensors read), the lookup, the steady read and count. Built the way the generated code builds a
/// dispatcher; the [Hybridize] method <see cref="Workloads.Seven"/> has a one-op body, whose own variance (a Scalar
/// left to the finalizer each call) swamps a difference of this size.
/// </summary>
internal static class DispatcherOnly
{
    public static HybridFunction<(Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor), Tensor> Create() => new(
        new HybridMethodInfo("Benchmarks.DispatcherOnly.Seven", "DispatcherOnly.cs(19)", "f", "def f(a: Tensor) -> Tensor:\n    return a\n"),
        eager: static a => a.Item1,
        writeArguments: static (in (Tensor, Tensor, Tensor, Tensor, Tensor, Tensor, Tensor) a, Span<TwinValue> g) =>
        {
            g[0] = a.Item1; g[1] = a.Item2; g[2] = a.Item3; g[3] = a.Item4; g[4] = a.Item5; g[5] = a.Item6; g[6] = a.Item7;
        },
        argumentCount: 7,
        readResult: static r => r[0].Tensor!,
        resultCount: 1,
        twin: new SlowTwin());

    /// <summary>A twin that returns its first input after spinning ~50 µs: never the faster path.</summary>
    private sealed class SlowTwin : IGraphTwin
    {
        public void Prepare() { }

        public int Invoke(ReadOnlySpan<TwinValue> arguments, Span<TwinValue> results)
        {
            Thread.SpinWait(20_000);
            results[0] = arguments[0].Tensor!;
            return 1;
        }

        public CapturedGraph Capture(ReadOnlySpan<TwinValue> arguments) => throw new NotSupportedException();
    }
}
