using System;
using System.Text.RegularExpressions;
using System.Runtime.InteropServices;

namespace HybridGen.Twins;

/// <summary>
/// Points a failure inside a twin at C#: TorchScript's traceback names the line of the twin's source that failed,
/// and every statement of a twin is preceded by a comment naming the C# line it came from.
/// </summary>
internal static class TwinErrors
{
    private static readonly Regex s_line = new(@"File ""<string>"", line (\d+)", RegexOptions.Compiled);
    private static readonly Regex s_origin = new(@"^\s*# (.+?\(\d+\)): (.*)$", RegexOptions.Compiled);

    /// <summary>The C# origin ("Blocks.cs(15): y = x.matmul(w)") of the innermost failing twin line, or null.</summary>
    public static string? Origin(string message, string twinSource)
    {
        MatchCollection frames = s_line.Matches(message);
        if (frames.Count == 0) return null;
        int line = int.Parse(frames[frames.Count - 1].Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        string[] lines = twinSource.Split('\n');
        for (int k = Math.Min(line, lines.Length) - 1; k >= 0; k--)
        {
            Match origin = s_origin.Match(lines[k]);
            if (origin.Success) return $"{origin.Groups[1].Value}: {origin.Groups[2].Value}";
            if (lines[k].StartsWith("def ", StringComparison.Ordinal)) break;
        }
        return null;
    }

    /// <summary>The same failure, as eager's exception type, its message starting with the C# file and line (the
    /// failing statement's, else the hybridized method's declaration).</summary>
    public static ExternalException Map(ExternalException error, HybridMethodInfo info)
    {
        string? origin = Origin(error.Message, info.TwinSource); // "File.cs(12): code"
        int split = origin?.IndexOf("): ", StringComparison.Ordinal) ?? -1;
        string where = split > 0 ? origin!.Substring(0, split + 1) : info.Location;
        string at = split > 0 ? $" at '{origin!.Substring(split + 3)}'" : "";
        return new ExternalException($"{where}: {info.Name} failed in its graph twin{at}\n{error.Message}", error);
    }
}
