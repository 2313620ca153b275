namespace HybridGen.Dispatch;

/// <summary>64-bit FNV-1a (build/Shared/Fnv.cs) for keys built from a few values or a string (a misfit's reason, a
/// session's input shapes), and a tensor's sizes mixed in through native calls. The per-call signature key has its
/// own faster mix (SignatureBuilder).</summary>
internal static unsafe class StableKey
{
    public const ulong Start = Formats.Fnv.Start64;

    public static ulong Mix(ulong key, ulong value) => Formats.Fnv.Mix64(key, value);

    /// <summary>Mixes in a tensor's sizes (no array per call, as Tensor.shape makes): read in place where the
    /// TensorImpl's layout is known (a model passes dozens of tensors at every call), else through native calls;
    /// both give the same key.</summary>
    public static ulong MixSizes(ulong key, nint tensor)
    {
        if (Native.TensorFields.Calibration.Ready && Native.TensorFields.TryRead(tensor, out _, out _, out _, out int known, out long* sizes))
            return MixSizes(key, known, sizes);
        long dimensions = Native.LibTorchSharp.Dimensions(tensor);
        for (long d = 0; d < dimensions; d++) key = Mix(key, (ulong)Native.LibTorchSharp.Size(tensor, d));
        return Mix(key, ulong.MaxValue); // ends the sizes, so [2,3] then [4] differs from [2] then [3,4]
    }

    /// <summary>Mixes in sizes read in place (<see cref="Native.TensorFields"/>), as <see cref="MixSizes(ulong, nint)"/> does.</summary>
    public static ulong MixSizes(ulong key, int dimensions, long* sizes)
    {
        for (int d = 0; d < dimensions; d++) key = Mix(key, (ulong)sizes[d]);
        return Mix(key, ulong.MaxValue);
    }

    public static ulong Of(string text) => Formats.Fnv.Hash64(text);
}
