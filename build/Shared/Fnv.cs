namespace HybridGen.Formats;

/// <summary>
/// FNV-1a, the one hash HybridGen uses where a value must be the same across builds, processes and machines
/// (string.GetHashCode is not): 32 bits over UTF-16 code units for generated names (hint names, overload suffixes,
/// accessor names), 64 bits for the runtime's keys built from a few values (a specialization, a session's input
/// shapes, a misfit's reason). Compiled into the generator and the runtime. (The per-call signature key has a
/// faster mix of its own, SignatureBuilder.)
/// </summary>
internal static class Fnv
{
    public static uint Hash32(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text) hash = unchecked((hash ^ c) * 16777619);
        return hash;
    }

    /// <summary><see cref="Hash32"/> as eight lowercase hex digits.</summary>
    public static string Hex32(string text) => Hash32(text).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);

    public const ulong Start64 = 0xcbf29ce484222325UL;

    public static ulong Mix64(ulong key, ulong value) => unchecked((key ^ value) * 0x100000001b3UL);

    public static ulong Hash64(string text)
    {
        ulong key = Start64;
        foreach (char c in text) key = Mix64(key, c);
        return key;
    }
}
