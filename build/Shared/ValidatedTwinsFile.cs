using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;

namespace HybridGen.Formats;

/// <summary>
/// The record the build writes next to an assembly after compiling its twins with libtorch
/// (<c>NAME.twins.validated</c>): which twin sources compiled, and with which libtorch. The runtime compiles only
/// twins listed for the libtorch it runs on, because a TorchScript compile error aborts the process
/// (docs/architecture.md, decision 3). A twin that failed is listed too, with the reason (a line "! HASH MESSAGE"),
/// so that the runtime can say why its method runs eager. Linked into the build tasks and the runtime, so both read
/// and write one format.
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

    private const string FailedPrefix = "! ";

    /// <summary>The record's text: the header, the libtorch version, then one line per validated twin.</summary>
    /// <param name="libtorchVersion">The libtorch the twins were compiled with; another one makes the record void.</param>
    /// <param name="sources">The TorchScript of each twin that compiled.</param>
    /// <param name="failures">Each twin that failed, with the one-line reason the build reported (HG0302).</param>
    public static string Format(string libtorchVersion, IEnumerable<string> sources, IEnumerable<(string source, string reason)>? failures = null)
    {
        var text = new StringBuilder().Append(Header).Append('\n').Append("libtorch ").Append(libtorchVersion).Append('\n');
        foreach (string source in sources) text.Append(Hash(source)).Append('\n');
        foreach ((string source, string reason) in failures ?? Array.Empty<(string, string)>())
            text.Append(FailedPrefix).Append(Hash(source)).Append(' ').Append(reason.Replace('\r', ' ').Replace('\n', ' ')).Append('\n');
        return text.ToString();
    }

    /// <summary>The libtorch version, the hashes of the twins that compiled, and those that failed with their reasons,
    /// of a record; null if the text is not one.</summary>
    public static (string libtorch, HashSet<string> hashes, Dictionary<string, string> failures)? Parse(string text)
    {
        string[] lines = text.Replace("\r", "").Split('\n');
        if (lines.Length < 2 || lines[0] != Header || !lines[1].StartsWith("libtorch ", StringComparison.Ordinal)) return null;
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        var failures = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int k = 2; k < lines.Length; k++)
        {
            string line = lines[k];
            if (line.StartsWith(FailedPrefix, StringComparison.Ordinal))
            {
                int space = line.IndexOf(' ', FailedPrefix.Length);
                if (space > 0) failures[line.Substring(FailedPrefix.Length, space - FailedPrefix.Length)] = line.Substring(space + 1);
            }
            else if (line.Length > 0)
            {
                hashes.Add(line);
            }
        }
        return (lines[1].Substring("libtorch ".Length), hashes, failures);
    }
}
