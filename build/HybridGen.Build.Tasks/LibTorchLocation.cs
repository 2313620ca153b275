using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;

namespace HybridGen.Build.Tasks;

/// <summary>Finds a libtorch CMake package (the folder holding TorchConfig.cmake) from the places a user may
/// point at, in a fixed order, and remembers what each attempt found so a failure can say what was tried.</summary>
internal sealed class LibTorchLocation
{
    private static readonly string[] s_systemDirs =
    {
        "/usr/lib/x86_64-linux-gnu/cmake/Torch",
        "/usr/lib/aarch64-linux-gnu/cmake/Torch",
        "/usr/lib/cmake/Torch",
        "/usr/local/share/cmake/Torch",
        "/usr/local/lib/cmake/Torch",
        "/opt/libtorch/share/cmake/Torch",
    };

    public List<string> Attempts { get; } = new();

    /// <summary>The folder with TorchConfig.cmake under a libtorch root (or the root itself), or null.</summary>
    public static string? CMakeDirUnder(string root)
    {
        string[] relative = { "", "share/cmake/Torch", "lib/cmake/Torch", "lib/x86_64-linux-gnu/cmake/Torch", "Torch" };
        foreach (string rel in relative)
        {
            string dir = Path.GetFullPath(Path.Combine(root, rel));
            if (File.Exists(Path.Combine(dir, "TorchConfig.cmake"))) return dir;
        }
        return null;
    }

    /// <summary>The first place that has libtorch. A place the user named explicitly (the property, the variable)
    /// that holds none ends the search: quietly using another libtorch would hide the mistake.</summary>
    public (string cmakeDir, string source)? Find(string? property, string? environment, string python)
    {
        if (FromRoot("the MSBuild property HybridGenLibTorchDir", property) is { } p) return (p, "HybridGenLibTorchDir");
        if (!string.IsNullOrWhiteSpace(property)) return null;
        if (FromRoot($"the environment variable {LocateLibTorch.EnvironmentVariable}", environment) is { } e)
            return (e, LocateLibTorch.EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(environment)) return null;
        if (FromPython(python) is { } py) return (py, $"the torch package of {python}");
        foreach (string dir in s_systemDirs)
            if (File.Exists(Path.Combine(dir, "TorchConfig.cmake"))) return (dir, "the system's libtorch");
        Attempts.Add($"the system's libtorch: none of {string.Join(", ", s_systemDirs)} holds TorchConfig.cmake");
        return null;
    }

    private string? FromRoot(string what, string? root)
    {
        if (string.IsNullOrWhiteSpace(root))
        {
            Attempts.Add($"{what}: not set");
            return null;
        }
        string? dir = Directory.Exists(root) ? CMakeDirUnder(root!) : null;
        if (dir is null) Attempts.Add($"{what} = {root}: no TorchConfig.cmake there or under share/cmake/Torch");
        return dir;
    }

    private string? FromPython(string python)
    {
        const string script = "import torch.utils; print(torch.utils.cmake_prefix_path)";
        try
        {
            var info = new ProcessStartInfo(python, $"-c \"{script}\"")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using Process process = Process.Start(info)!;
            string stdout = process.StandardOutput.ReadToEnd();
            string stderr = process.StandardError.ReadToEnd();
            if (!process.WaitForExit(60_000) || process.ExitCode != 0)
            {
                string reason = LastLine(stderr);
                Attempts.Add($"{python} -c 'import torch': {(reason.Length > 0 ? reason : "failed")}");
                return null;
            }
            string? dir = CMakeDirUnder(Path.Combine(stdout.Trim(), "Torch"));
            if (dir is null) Attempts.Add($"{python}'s torch: no TorchConfig.cmake under {stdout.Trim()}");
            return dir;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Attempts.Add($"{python}: not runnable ({ex.Message})");
            return null;
        }
    }

    private static string LastLine(string text)
    {
        string[] lines = text.Trim().Split('\n');
        return lines[lines.Length - 1].Trim();
    }
}
