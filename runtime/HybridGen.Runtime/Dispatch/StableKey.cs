namespace HybridGen.Dispatch;

/// <summary>64-bit FNV-1a, for keys built from a few values or a string (a misfit's reason, a session's input
/// shapes). The per-call signature key has its own faster mix (SignatureBuilder).</summary>
internal static class StableKey
{
    public const ulong Start = 0xcbf29ce484222325UL;

    public static ulong Mix(ulong key, ulong value) => unchecked((key ^ value) * 0x100000001b3UL);

    public static ulong Of(string text)
    {
        ulong key = Start;
        foreach (char c in text) key = Mix(key, c);
        return key;
    }
}
