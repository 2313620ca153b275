using System;
using HybridGen.Torch;

namespace HybridGen.Twins;

/// <summary>A graph backend for one hybridized method (DESIGN.md decision 6: TorchScript is the first).</summary>
public interface IGraphTwin
{
    /// <summary>Prepares the twin (compiles it); calling it again does nothing. Throws a TorchException on failure.</summary>
    void Prepare();

    /// <summary>Runs the twin. Results (tuples flattened) go to <paramref name="results"/>; returns their count.</summary>
    int Invoke(ReadOnlySpan<ScriptValue> arguments, Span<ScriptValue> results);

    /// <summary>Captures the twin as a CUDA graph for these arguments (throws a TorchException where it cannot).</summary>
    CudaGraph Capture(ReadOnlySpan<ScriptValue> arguments);
}
