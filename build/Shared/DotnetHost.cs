using System;
using System.IO;
using System.Runtime.InteropServices;

namespace HybridGen.Validation;

/// <summary>The <c>dotnet</c> to run a .NET program (the twin validator) with: the one running this build (MSBuild
/// sets DOTNET_HOST_PATH for its tasks), the one running this process, the installation this process's runtime
/// comes from, then the first on PATH. Linked into the build tasks and the runtime.</summary>
internal static class DotnetHost
{
    public static string? Find()
    {
        string name = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        // `dotnet app.dll` and `dotnet test`: this process is the host. An apphost-launched app is not.
        string? self = Environment.ProcessPath;
        if (self is not null && string.Equals(Path.GetFileName(self), name, StringComparison.OrdinalIgnoreCase)) return self;
        foreach (string? root in new[] { Environment.GetEnvironmentVariable("DOTNET_ROOT"), InstallationOfThisRuntime() })
        {
            if (string.IsNullOrEmpty(root)) continue;
            string candidate = Path.Combine(root, name);
            if (File.Exists(candidate)) return candidate;
        }
        foreach (string folder in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(folder, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>ROOT of ROOT/shared/Microsoft.NETCore.App/VERSION/, where this process's runtime is loaded from.</summary>
    private static string? InstallationOfThisRuntime()
    {
        string runtime = RuntimeEnvironment.GetRuntimeDirectory().TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar);
        DirectoryInfo? root = Directory.GetParent(runtime)?.Parent?.Parent;
        return root?.FullName;
    }
}
