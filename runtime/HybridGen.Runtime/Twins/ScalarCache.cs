using System.Collections.Concurrent;
using HybridGen.Native;

namespace HybridGen.Twins;

/// <summary>
/// Native Scalars for float arguments, made once per value: a model's twin passes the same settings every call
/// (batch norm's eps and momentum, dropout's p), and TorchSharp's invoke takes a float only as a Scalar handle,
/// which otherwise costs two native calls and an allocation per argument per call. The first
/// <see cref="Capacity"/> distinct values a process passes are kept for its life (a few KB); values past that
/// are made and freed per call as before.
/// </summary>
internal static class ScalarCache
{
    public const int Capacity = 256;
    private static readonly ConcurrentDictionary<long, nint> s_doubles = new();

    /// <summary>The shared Scalar for <paramref name="value"/>, or 0 when the cache is full.</summary>
    public static nint Double(double value)
    {
        long bits = System.BitConverter.DoubleToInt64Bits(value);
        if (s_doubles.TryGetValue(bits, out nint scalar)) return scalar;
        if (s_doubles.Count >= Capacity) return 0;
        nint made = LibTorchSharp.ScalarFromDouble(value);
        if (s_doubles.TryAdd(bits, made)) return made;
        LibTorchSharp.DisposeScalar(made);                   // another thread added it first
        return s_doubles.TryGetValue(bits, out scalar) ? scalar : 0;
    }
}
