using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace HybridGen.Formats;

/// <summary>
/// The record the build writes next to an assembly after compiling its twins with libtorch
/// (<c>NAME.twins.validated</c>): which twin sources compiled, and with which libtorch. The runtime compiles only
/// twins listed for the libtorch it runs on, because a TorchScript compile error aborts the process (DESIGN.md
/// decision 3). Linked into the build tasks and the runtime, so both read and write one format.
/// </summary>
internal static class ValidatedTwinsFile
{
    private const string Header = "hybridgen-validated-twins 1";

    public static string PathFor(string assemblyPath) =>
        Path.Combine(Path.GetDirectoryName(assemblyPath) ?? ".", Path.GetFileNameWithoutExtension(assemblyPath) + ".twins.validated");

    /// <summary>The hash that names a twin source (also the dispatch profile's key): 16 hex digits of its SHA-256.</summary>
    public static string Hash(string source)
    {
        using SHA256 sha = SHA256.Create();
        byte[] digest = sha.ComputeHash(Encoding.UTF8.GetBytes(source));
        var text = new StringBuilder(16);
        for (int k = 0; k < 8; k++) text.Append(digest[k].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return text.ToString();
    }

    public static string Format(string libtorchVersion, IEnumerable<string> sources)
    {
        var text = new StringBuilder().Append(Header).Append('\n').Append("libtorch ").Append(libtorchVersion).Append('\n');
        foreach (string source in sources) text.Append(Hash(source)).Append('\n');
        return text.ToString();
    }

    /// <summary>The libtorch version and twin hashes of a record, or null if the text is not one.</summary>
    public static (string libtorch, HashSet<string> hashes)? Parse(string text)
    {
        string[] lines = text.Replace("\r", "").Split('\n');
        if (lines.Length < 2 || lines[0] != Header || !lines[1].StartsWith("libtorch ", StringComparison.Ordinal)) return null;
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 2; k < lines.Length; k++)
            if (lines[k].Length > 0) hashes.Add(lines[k]);
        return (lines[1].Substring("libtorch ".Length), hashes);
    }
}
