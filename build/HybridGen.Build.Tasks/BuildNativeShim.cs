using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace HybridGen.Build.Tasks;

/// <summary>
/// Compiles the native shim with CMake against the located libtorch, once per (libtorch, shim sources): the result
/// is cached under CacheDir/shim/KEY/ and reused by every later build and project on the machine. Concurrent
/// builds serialize on a lock file; the library appears in the cache by an atomic rename, never half-written.
/// </summary>
public sealed class BuildNativeShim : Task
{
    /// <summary>The library the CMake project builds (its target name with lib and .so around it).</summary>
    public string LibraryName { get; set; } = "libhybridgen_shim.so";

    /// <summary>The shim's sources: CMakeLists.txt and the C++ files next to it.</summary>
    [Required] public ITaskItem[] Sources { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The folder holding TorchConfig.cmake.</summary>
    [Required] public string TorchCMakeDir { get; set; } = "";

    /// <summary>Where compiled shims are kept; empty means $XDG_CACHE_HOME/hybridgen or ~/.cache/hybridgen.</summary>
    public string? CacheDir { get; set; }

    public string CMake { get; set; } = "cmake";

    [Output] public string? ShimPath { get; set; }

    public override bool Execute()
    {
        string sourceDir = Path.GetDirectoryName(Path.GetFullPath(
            Sources.First(s => Path.GetFileName(s.ItemSpec) == "CMakeLists.txt").ItemSpec))!;
        string root = Path.Combine(ResolveCacheDir(), LibraryName == "libhybridgen_shim.so" ? "shim" : Path.GetFileNameWithoutExtension(LibraryName));
        string key = CacheKey();
        string target = Path.Combine(root, key, LibraryName);
        ShimPath = target;
        if (File.Exists(target))
        {
            Log.LogMessage(MessageImportance.Low, $"HybridGen: native shim up to date ({target})");
            return true;
        }

        Directory.CreateDirectory(root);
        using FileStream? lockFile = AcquireLock(Path.Combine(root, key + ".lock"));
        if (lockFile is null) return false;
        if (File.Exists(target)) return true; // another build finished it while we waited

        string work = Path.Combine(root, $"{key}.build-{Process.GetCurrentProcess().Id}");
        try
        {
            Log.LogMessage(MessageImportance.High,
                $"HybridGen: compiling {LibraryName} against libtorch at {TorchCMakeDir} (once per libtorch; about a minute)...");
            var timer = Stopwatch.StartNew();
            if (!RunCMake(work, $"-S \"{sourceDir}\" -B \"{work}\" -DCMAKE_BUILD_TYPE=Release \"-DTorch_DIR={TorchCMakeDir}\"", "configure"))
                return false;
            if (!RunCMake(work, $"--build \"{work}\" --parallel {Math.Max(1, Environment.ProcessorCount)}", "build"))
                return false;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            string staged = target + ".tmp";
            File.Copy(Path.Combine(work, LibraryName), staged, overwrite: true);
            File.Move(staged, target, overwrite: true);
            Log.LogMessage(MessageImportance.High, $"HybridGen: {LibraryName} built in {timer.Elapsed.TotalSeconds:F0} s ({target})");
            return true;
        }
        finally
        {
            TryDelete(work);
        }
    }

    private string ResolveCacheDir()
    {
        if (!string.IsNullOrWhiteSpace(CacheDir)) return Path.GetFullPath(CacheDir!);
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrEmpty(xdg) ? Path.Combine(home, ".cache") : xdg!, "hybridgen");
    }

    /// <summary>A hash of everything the compiled shim depends on: its sources and the libtorch it links.</summary>
    private string CacheKey()
    {
        using var sha = SHA256.Create();
        var text = new StringBuilder();
        text.Append(TorchCMakeDir).Append('\n').Append(LibraryName).Append('\n');
        foreach (string file in new[] { "TorchConfig.cmake", "TorchConfigVersion.cmake" })
        {
            string path = Path.Combine(TorchCMakeDir, file);
            if (File.Exists(path)) text.Append(File.ReadAllText(path));
        }
        foreach (ITaskItem source in Sources.OrderBy(s => Path.GetFileName(s.ItemSpec), StringComparer.Ordinal))
            text.Append(Path.GetFileName(source.ItemSpec)).Append('\n').Append(File.ReadAllText(source.ItemSpec));
        byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(text.ToString()));
        return BitConverter.ToString(hash, 0, 8).Replace("-", "").ToLowerInvariant();
    }

    private FileStream? AcquireLock(string path)
    {
        var deadline = DateTime.UtcNow.AddMinutes(15);
        bool told = false;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                if (!told) Log.LogMessage(MessageImportance.High, "HybridGen: waiting for another build compiling the same native shim...");
                told = true;
                Thread.Sleep(500);
            }
            catch (IOException ex)
            {
                Log.LogError(null, "HG9003", null, null, 0, 0, 0, 0, $"HybridGen: timed out waiting for the shim build lock {path}: {ex.Message}");
                return null;
            }
        }
    }

    private bool RunCMake(string work, string arguments, string step)
    {
        Directory.CreateDirectory(work);
        string logPath = Path.Combine(Path.GetDirectoryName(work)!, "last-failure.log");
        var output = new StringBuilder();
        try
        {
            var info = new ProcessStartInfo(CMake, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            process.WaitForExit();
            if (process.ExitCode == 0) return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Log.LogError(null, "HG9002", null, null, 0, 0, 0, 0,
                $"HybridGen needs CMake and a C++ compiler to build its native shim, and '{CMake}' could not be run. " +
                "To fix: on Debian or Ubuntu run 'sudo apt-get install cmake g++'.");
            return false;
        }
        string log = output.ToString();
        File.WriteAllText(logPath, log);
        if (log.Contains("CMAKE_CXX_COMPILER"))
        {
            Log.LogError(null, "HG9002", null, null, 0, 0, 0, 0,
                "HybridGen needs a C++ compiler to build its native shim and CMake found none. " +
                $"To fix: on Debian or Ubuntu run 'sudo apt-get install g++'. CMake's output: {logPath}");
            return false;
        }
        string tail = string.Join("\n", log.Split('\n').TakeLast(25));
        Log.LogError(null, "HG9003", null, null, 0, 0, 0, 0,
            $"HybridGen: CMake {step} of the native shim failed (full output: {logPath}):\n{tail}");
        return false;
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
