namespace HybridGen.Dispatch;

/// <summary>64-bit FNV-1a (build/Shared/Fnv.cs) for keys built from a few values or a string (a misfit's reason, a
/// session's input shapes), and a tensor's sizes mixed in through native calls. The per-call signature key has its
/// own faster mix (SignatureBuilder).</summary>
internal static class StableKey
{
    public const ulong Start = Formats.Fnv.Start64;

    public static ulong Mix(ulong key, ulong value) => Formats.Fnv.Mix64(key, value);

    /// <summary>Mixes in a tensor's sizes, read through native calls (no array per call, as Tensor.shape makes).</summary>
    public static ulong MixSizes(ulong key, nint tensor)
    {
        long dimensions = Native.LibTorchSharp.Dimensions(tensor);
        for (long d = 0; d < dimensions; d++) key = Mix(key, (ulong)Native.LibTorchSharp.Size(tensor, d));
        return Mix(key, ulong.MaxValue); // ends the sizes, so [2,3] then [4] differs from [2] then [3,4]
    }

    public static ulong Of(string text) => Formats.Fnv.Hash64(text);
}
