using System;
using System.IO;

namespace HybridGen.Build.Tasks;

/// <summary>The <c>dotnet</c> to run a .NET program with: the one running this build (MSBuild sets
/// DOTNET_HOST_PATH for its tasks), else the first on PATH.</summary>
internal static class DotnetHost
{
    public static string? Find()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        string name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }
}
