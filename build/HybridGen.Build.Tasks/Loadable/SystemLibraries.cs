using System.Collections.Generic;
using System.IO;

namespace HybridGen.Build.Tasks.Loadable;

/// <summary>Finds the copy of a system library that the dynamic loader would give a library on Linux x64.</summary>
internal static class SystemLibraries
{
    /// <summary>The loader's trusted folders on Debian, Ubuntu (multiarch) and Fedora-like systems (lib64).</summary>
    public static readonly IReadOnlyList<string> DefaultFolders = new[]
    {
        "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
    };

    /// <summary>
    /// The first <paramref name="soname"/> in <paramref name="beside"/> (TorchSharp's natives have RUNPATH
    /// $ORIGIN/, so a copy shipped next to them would be taken first), then in <paramref name="folders"/>; null if
    /// there is none.
    /// </summary>
    public static string? Find(string soname, string? beside, IReadOnlyList<string>? folders = null)
    {
        var candidates = new List<string>();
        if (!string.IsNullOrEmpty(beside)) candidates.Add(beside!);
        candidates.AddRange(folders ?? DefaultFolders);
        foreach (string folder in candidates)
        {
            string path = Path.Combine(folder, soname);
            if (File.Exists(path)) return path;
        }
        return null;
    }
}
