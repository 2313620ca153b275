namespace HybridGen.Generator.Model;

/// <summary>
/// The one hash of generated names (hint names, overload suffixes, accessor names): 32-bit FNV-1a over the UTF-16
/// code units, stable across builds, processes and machines (string.GetHashCode is not), so a name does not change
/// unless its input does.
/// </summary>
internal static class StableHash
{
    public static uint Of(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text) hash = unchecked((hash ^ c) * 16777619);
        return hash;
    }

    /// <summary>Eight lowercase hex digits.</summary>
    public static string Hex(string text) => Of(text).ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
}
