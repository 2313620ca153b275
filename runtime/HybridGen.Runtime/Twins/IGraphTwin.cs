using System;

namespace HybridGen.Twins;

/// <summary>A graph backend for one hybridized method (DESIGN.md decision 6: TorchScript is the first).</summary>
public interface IGraphTwin
{
    /// <summary>Prepares the twin (compiles it); calling it again does nothing. Throws a
    /// <see cref="TwinUnavailableException"/> when the twin may not or cannot be used.</summary>
    void Prepare();

    /// <summary>Runs the twin. Results (tuples flattened) go to <paramref name="results"/>; returns their count.
    /// A failure inside libtorch is an <see cref="System.Runtime.InteropServices.ExternalException"/>, as in eager.</summary>
    int Invoke(ReadOnlySpan<TwinValue> arguments, Span<TwinValue> results);
}

/// <summary>The twin cannot be used in this process (not validated for this libtorch, or failed to compile): the
/// method runs eager, and the reason is reported once.</summary>
public sealed class TwinUnavailableException : Exception
{
    public TwinUnavailableException(string message) : base(message) { }
}
