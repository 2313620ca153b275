using System;

namespace HybridGen.Twins;

/// <summary>A graph backend for one hybridized method (docs/architecture.md, decision 6: TorchScript is the first).</summary>
public interface IGraphTwin
{
    /// <summary>Prepares the twin (compiles it); calling it again does nothing. Throws a
    /// <see cref="TwinUnavailableException"/> when the twin may not or cannot be used.</summary>
    void Prepare();

    /// <summary>Runs the twin. Results (tuples flattened) go to <paramref name="results"/>; returns their count.
    /// A failure inside libtorch is an <see cref="System.Runtime.InteropServices.ExternalException"/>, as in eager.</summary>
    int Invoke(ReadOnlySpan<TwinValue> arguments, Span<TwinValue> results);

    /// <summary>Captures the twin as a CUDA graph for these arguments (an ExternalException where it cannot).</summary>
    CapturedGraph Capture(ReadOnlySpan<TwinValue> arguments);
}

/// <summary>A twin captured as a CUDA graph for one static signature (docs/cuda.md); replay copies new inputs into
/// the capture's buffers and returns clones of its outputs.</summary>
public sealed class CapturedGraph : IDisposable
{
    private nint _graph;

    internal CapturedGraph(nint graph) => _graph = graph;

    public int Replay(ReadOnlySpan<TwinValue> arguments, Span<TwinValue> results) =>
        CudaGraphBackend.Replay(_graph != 0 ? _graph : throw new ObjectDisposedException(nameof(CapturedGraph)), arguments, results);

    public void Dispose()
    {
        nint graph = System.Threading.Interlocked.Exchange(ref _graph, 0);
        if (graph != 0) CudaGraphBackend.Free(graph);
    }
}

/// <summary>The twin cannot be used in this process (not validated for this libtorch, or failed to compile): the
/// method runs eager, and the reason is reported once.</summary>
public sealed class TwinUnavailableException : Exception
{
    public TwinUnavailableException(string message) : base(message) { }
}
