using System;

namespace HybridGen.Torch;

/// <summary>A failure inside libtorch (a shape, dtype or device mismatch, a bad dimension, a TorchScript error),
/// carrying libtorch's own message without its C++ backtrace.</summary>
public class TorchException : Exception
{
    public TorchException(string message) : base(message) { }
    public TorchException(string message, Exception inner) : base(message, inner) { }
}
