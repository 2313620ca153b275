using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace HybridGen.Formats;

/// <summary>One twin to compile: its name (for messages) and its TorchScript source.</summary>
internal sealed record TwinToValidate(string Name, string Source);

/// <summary>
/// What the ValidateTwins build task and the validator process (build/HybridGen.TwinValidator) say to each other,
/// defined once and linked into both. The task writes the twins to a JSON file and starts
/// <c>dotnet HybridGen.TwinValidator.dll APP_DIR TWINS_FILE FIRST</c>; the validator answers on standard output,
/// one line each, flushed at once, so the task knows how far it got when libtorch aborts the process:
/// <code>
/// ready LIBTORCH_VERSION      TorchSharp loaded from APP_DIR
/// begin K                     compiling twin K (0-based)
/// ok K                        it compiled
/// error K MESSAGE             it failed with an exception (MESSAGE escaped: \\ \n \r)
/// fatal MESSAGE               the validator could not start (exit code 3, or 2 for bad arguments)
/// </code>
/// A <c>begin K</c> without its answer means the process ended while compiling twin K (an abort: the reason is
/// on standard error, after "what():").
/// </summary>
internal static class TwinValidatorProtocol
{
    public const int ExitBadArguments = 2;
    public const int ExitCannotLoad = 3;

    public static void WriteTwins(string path, IReadOnlyList<TwinToValidate> twins) =>
        File.WriteAllText(path, JsonSerializer.Serialize(twins), new UTF8Encoding(false));

    public static IReadOnlyList<TwinToValidate> ReadTwins(string path) =>
        JsonSerializer.Deserialize<List<TwinToValidate>>(File.ReadAllText(path)) ?? new List<TwinToValidate>();

    public static string Ready(string libtorchVersion) => "ready " + libtorchVersion;
    public static string Begin(int index) => "begin " + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    public static string Ok(int index) => "ok " + index.ToString(System.Globalization.CultureInfo.InvariantCulture);
    public static string Error(int index, string message) => "error " + index.ToString(System.Globalization.CultureInfo.InvariantCulture) + " " + Escape(message);
    public static string Fatal(string message) => "fatal " + Escape(message);

    /// <summary>One line of the validator's output: its kind ("ready", "begin", "ok", "error", "fatal"), twin index
    /// (-1 where it has none) and text (unescaped); null for a line that is none of these.</summary>
    public static (string kind, int index, string text)? Parse(string line)
    {
        int space = line.IndexOf(' ');
        string kind = space < 0 ? line : line.Substring(0, space);
        string rest = space < 0 ? "" : line.Substring(space + 1);
        switch (kind)
        {
            case "ready": return (kind, -1, rest);
            case "fatal": return (kind, -1, Unescape(rest));
            case "begin" or "ok" or "error":
                int end = rest.IndexOf(' ');
                string number = end < 0 ? rest : rest.Substring(0, end);
                if (!int.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int index)) return null;
                return (kind, index, end < 0 ? "" : Unescape(rest.Substring(end + 1)));
            default: return null;
        }
    }

    /// <summary>A message on one line (its line breaks become spaces), as build messages and reports show it.</summary>
    public static string OneLine(string text) => string.Join(" ", text.Split(new[] { '\r', '\n' }, StringSplitOptions.RemoveEmptyEntries));

    public static string Escape(string text) => text.Replace("\\", "\\\\").Replace("\r", "\\r").Replace("\n", "\\n");

    public static string Unescape(string text)
    {
        var result = new StringBuilder(text.Length);
        for (int k = 0; k < text.Length; k++)
        {
            if (text[k] != '\\' || k + 1 == text.Length) { result.Append(text[k]); continue; }
            char next = text[++k];
            result.Append(next switch { 'n' => '\n', 'r' => '\r', _ => next });
        }
        return result.ToString();
    }
}
