using System;
using System.IO;

namespace HybridGen.Tests;

/// <summary>Finds files of the repository from a test's output folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Of(params string[] parts) => Path.Combine(Root, Path.Combine(parts));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HybridGen.sln"))) return dir.FullName;
        throw new InvalidOperationException("HybridGen.sln not found above " + AppContext.BaseDirectory);
    }
}
