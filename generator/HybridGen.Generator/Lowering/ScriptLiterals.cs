using System;
using System.Globalization;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Lowering;

/// <summary>C# constants as TorchScript literals: ints stay ints, floating values always carry a '.', as the
/// eager binding passes them as a C++ int64 or double.</summary>
internal static class ScriptLiterals
{
    public static string? Format(object? value, ITypeSymbol? type)
    {
        switch (value)
        {
            case null:
                return "None";
            case Enum:
                return Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
            case bool b:
                return b ? "True" : "False";
            case string text:
                return "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n") + "\"";
            case float f:
                return Float(f);
            case double d:
                return Float(d);
            case sbyte or byte or short or ushort or int or uint or long:
                return Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
            default:
                return null;
        }
    }

    private static string Float(double value)
    {
        if (double.IsNaN(value)) return "float('nan')";
        if (double.IsPositiveInfinity(value)) return "float('inf')";
        if (double.IsNegativeInfinity(value)) return "float('-inf')";
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E', 'e' }) >= 0 ? text : text + ".0";
    }
}
