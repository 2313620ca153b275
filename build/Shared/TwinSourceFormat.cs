using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace HybridGen.Formats;

/// <summary>
/// How a twin's TorchScript points back at C#, defined once for the generator (which writes it), the runtime and the
/// build tasks (which read it). Above every statement of a twin is a line comment naming the C# line it came from,
/// <c># Blocks.cs(15): y = x.matmul(w)</c>; TorchScript's messages name the twin line that failed as
/// <c>File "&lt;string&gt;", line 7</c> (the twin is compiled from a string). A twin record's location names the
/// hybridized method's declaration as <c>Blocks.cs(12)</c>.
/// </summary>
internal static class TwinSourceFormat
{
    private static readonly Regex s_originComment = new(@"^\s*# (.+?)\((\d+)\): (.*)$", RegexOptions.CultureInvariant);
    private static readonly Regex s_scriptLine = new(@"File ""<string>"", line (\d+)", RegexOptions.CultureInvariant);
    private static readonly Regex s_location = new(@"^(.+)\((\d+)\)$", RegexOptions.CultureInvariant);

    /// <summary>The text of the comment above a twin statement, after <c>"# "</c>: <c>Blocks.cs(15): code</c>.</summary>
    public static string Origin(string fileName, int line, string code) =>
        string.Format(CultureInfo.InvariantCulture, "{0}({1}): {2}", fileName, line, code);

    /// <summary>A twin record's location: <c>Blocks.cs(12)</c>.</summary>
    public static string Location(string fileName, int line) =>
        string.Format(CultureInfo.InvariantCulture, "{0}({1})", fileName, line);

    /// <summary>Reads an origin comment line of a twin (<c>    # Blocks.cs(15): code</c>).</summary>
    public static bool TryParseOriginComment(string twinLine, out string fileName, out int line, out string code)
    {
        Match match = s_originComment.Match(twinLine.TrimEnd('\r'));
        fileName = match.Success ? match.Groups[1].Value : "";
        line = match.Success ? Number(match.Groups[2].Value) : 0;
        code = match.Success ? match.Groups[3].Value : "";
        return match.Success;
    }

    /// <summary>Reads a twin record's location (<c>Blocks.cs(12)</c>).</summary>
    public static bool TryParseLocation(string location, out string fileName, out int line)
    {
        Match match = s_location.Match(location);
        fileName = match.Success ? match.Groups[1].Value : "";
        line = match.Success ? Number(match.Groups[2].Value) : 0;
        return match.Success;
    }

    /// <summary>The twin lines (1-based) a TorchScript message names, in the order it names them. A compile error
    /// names the failing line first (then the calls that led to it); a run-time traceback names the innermost
    /// call last.</summary>
    public static IReadOnlyList<int> ScriptLines(string message)
    {
        var lines = new List<int>();
        foreach (Match match in s_scriptLine.Matches(message)) lines.Add(Number(match.Groups[1].Value));
        return lines;
    }

    /// <summary>The origin comment that governs twin line <paramref name="scriptLine"/> (1-based): the nearest one at
    /// or above it in the same function. False for a line with none, such as a <c>def</c> line.</summary>
    public static bool TryFindOrigin(string twinSource, int scriptLine, out string fileName, out int line, out string code)
    {
        string[] lines = twinSource.Split('\n');
        for (int k = Math.Min(scriptLine, lines.Length) - 1; k >= 0; k--)
        {
            if (TryParseOriginComment(lines[k], out fileName, out line, out code)) return true;
            if (lines[k].StartsWith("def ", StringComparison.Ordinal)) break;
        }
        fileName = code = "";
        line = 0;
        return false;
    }

    private static int Number(string digits) =>
        int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out int value) ? value : 0;
}
