using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace HybridGen.TwinValidator;

/// <summary>
/// Makes the application's TorchSharp the one this process uses. Managed: TorchSharp.dll (and what it references)
/// is resolved from the application's folder when the runtime does not find it next to the validator, where it
/// never is. Native: TorchSharp loads its natives by name ("torch_cpu", "LibTorchSharp"), which would only be found
/// through the application's deps.json; loaded here first by full path, the dynamic loader matches those names to
/// the libraries already loaded (by soname), so TorchSharp's own load succeeds and never falls back to copying the
/// NuGet cache's natives into the application's folder.
/// </summary>
internal static class TorchSharpLoader
{
    /// <summary>Where TorchSharp's natives are in an output folder: the portable layout first, then RID-specific.</summary>
    private static IEnumerable<string> NativeFolders(string appDirectory)
    {
        yield return Path.Combine(appDirectory, "runtimes", Rid, "native");
        yield return appDirectory;
    }

    private static string Rid =>
        OperatingSystem.IsWindows() ? "win-x64" : OperatingSystem.IsMacOS() ? "osx-arm64" : "linux-x64";

    private static string NativeName(string name) =>
        OperatingSystem.IsWindows() ? name + ".dll" : OperatingSystem.IsMacOS() ? "lib" + name + ".dylib" : "lib" + name + ".so";

    /// <summary>Null when TorchSharp can be used now; else why not, in one line.</summary>
    public static string? Prepare(string appDirectory)
    {
        string managed = Path.Combine(appDirectory, "TorchSharp.dll");
        if (!File.Exists(managed))
            return $"TorchSharp.dll is not in {appDirectory} (the project must reference TorchSharp-cpu or TorchSharp-cuda-linux)";
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            string candidate = Path.Combine(appDirectory, name.Name + ".dll");
            return File.Exists(candidate) ? context.LoadFromAssemblyPath(candidate) : null;
        };

        string? folder = null;
        foreach (string candidate in NativeFolders(appDirectory))
            if (File.Exists(Path.Combine(candidate, NativeName("LibTorchSharp")))) { folder = candidate; break; }
        if (folder is null)
            return $"TorchSharp's native library ({NativeName("LibTorchSharp")}) is not in {appDirectory} or its runtimes/{Rid}/native folder (the project must reference TorchSharp-cpu or TorchSharp-cuda-linux)";
        // libtorch first (CUDA's when the application has it, as TorchSharp itself tries), then the wrapper.
        foreach (string name in new[] { "torch_cpu", "torch_cuda", "LibTorchSharp" })
        {
            string path = Path.Combine(folder, NativeName(name));
            if (name != "LibTorchSharp" && !File.Exists(path)) continue;
            try
            {
                NativeLibrary.Load(path);
            }
            catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
            {
                return $"loading {path} failed: {LoaderReason(ex.Message)}";
            }
        }
        return null;
    }

    /// <summary>The dynamic loader's own reason (such as "version `GLIBCXX_3.4.32' not found"), without the
    /// runtime's advice around it.</summary>
    private static string LoaderReason(string message)
    {
        const string marker = "environment variable:";
        int at = message.IndexOf(marker, StringComparison.Ordinal);
        return OneLine(at < 0 ? message : message.Substring(at + marker.Length)).Trim();
    }

    public static string OneLine(string text) => HybridGen.Formats.TwinValidatorProtocol.OneLine(text);
}
