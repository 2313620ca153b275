using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Build.Framework;

// The tests rewrite Linux shared libraries and make hard links through libc.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

namespace HybridGen.Build.Tests;

/// <summary>A fresh folder under the temp folder, deleted afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder(string prefix = "hg-build-") => Path = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N"))).FullName;

    public string Path { get; }

    public string File(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

internal static class Files
{
    /// <summary>TorchSharp 0.107.0's libLibTorchSharp.so in the NuGet cache: read only, never written.</summary>
    public static string TorchSharpNative
    {
        get
        {
            string? package = typeof(Files).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .FirstOrDefault(a => a.Key == "TorchSharpPackage")?.Value;
            if (string.IsNullOrEmpty(package))
            {
                string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p ? p
                    : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
                package = System.IO.Path.Combine(cache, "torchsharp", "0.107.0");
            }
            string path = System.IO.Path.Combine(package, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            Assert.True(File.Exists(path), $"TorchSharp 0.107.0 is not restored: {path} is missing");
            return path;
        }
    }

    public static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));

    /// <summary>The symbol versions Debian 12's libstdc++ (GCC 12) defines: GLIBCXX_3.4 … 3.4.30, CXXABI_1.3 … 1.3.13.</summary>
    public static IReadOnlyList<string> Debian12LibStdCxx { get; } =
        new[] { "GLIBCXX_3.4" }.Concat(Enumerable.Range(1, 30).Select(k => $"GLIBCXX_3.4.{k}"))
            .Concat(new[] { "CXXABI_1.3" }).Concat(Enumerable.Range(1, 13).Select(k => $"CXXABI_1.3.{k}")).ToArray();

    /// <summary>Debian 13's (GCC 14): up to GLIBCXX_3.4.33 and CXXABI_1.3.15.</summary>
    public static IReadOnlyList<string> Debian13LibStdCxx { get; } =
        Debian12LibStdCxx.Concat(new[] { "GLIBCXX_3.4.31", "GLIBCXX_3.4.32", "GLIBCXX_3.4.33", "CXXABI_1.3.14", "CXXABI_1.3.15" }).ToArray();

    [DllImport("libc", SetLastError = true, EntryPoint = "link")]
    private static extern int Link(string existing, string link);

    public static void HardLink(string existing, string link)
    {
        if (Link(existing, link) != 0) throw new IOException($"link({existing}, {link}) failed: errno {Marshal.GetLastPInvokeError()}");
    }

    [DllImport("libc", SetLastError = true, EntryPoint = "stat")]
    private static extern int Stat(string path, byte[] buffer);

    /// <summary>The inode number (st_ino, the second field of struct stat on Linux x64).</summary>
    public static ulong Inode(string path)
    {
        var buffer = new byte[256];
        if (Stat(path, buffer) != 0) throw new IOException($"stat({path}) failed: errno {Marshal.GetLastPInvokeError()}");
        return BitConverter.ToUInt64(buffer, 8);
    }
}

/// <summary>A build engine that records what a task logs.</summary>
internal sealed class RecordingBuildEngine : IBuildEngine
{
    public List<BuildErrorEventArgs> Errors { get; } = new();
    public List<BuildWarningEventArgs> Warnings { get; } = new();
    public List<BuildMessageEventArgs> Messages { get; } = new();

    public IEnumerable<string> MessagesAbove(MessageImportance lowest) =>
        Messages.Where(m => m.Importance <= lowest).Select(m => m.Message ?? "");

    public bool ContinueOnError => false;
    public int LineNumberOfTaskNode => 0;
    public int ColumnNumberOfTaskNode => 0;
    public string ProjectFileOfTaskNode => "test.proj";

    public void LogErrorEvent(BuildErrorEventArgs e) => Errors.Add(e);
    public void LogWarningEvent(BuildWarningEventArgs e) => Warnings.Add(e);
    public void LogMessageEvent(BuildMessageEventArgs e) => Messages.Add(e);
    public void LogCustomEvent(CustomBuildEventArgs e) { }
    public bool BuildProjectFile(string projectFileName, string[] targetNames, System.Collections.IDictionary globalProperties, System.Collections.IDictionary targetOutputs) => false;
}
