using System.Globalization;

namespace HybridGen.Composition;

/// <summary>Numbers as graph literals (TorchScript's spelling: a float always with its '.' or exponent).</summary>
internal static class LiteralText
{
    public static string Float(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.Contains('.') || text.Contains('E') ? text : text + ".0";
    }

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);
}
