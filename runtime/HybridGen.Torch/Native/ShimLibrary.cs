using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Threading;

namespace HybridGen.Torch.Native;

/// <summary>Finds libhybridgen_shim.so, which the build compiles against the machine's libtorch and copies next to
/// the app. Looked up: HYBRIDGEN_SHIM_PATH, the app's directory, this assembly's directory.</summary>
internal static class ShimLibrary
{
    public const string FileName = "libhybridgen_shim.so";
    public const string PathVariable = "HYBRIDGEN_SHIM_PATH";
    private static int s_installed;

    public static void EnsureResolver()
    {
        if (Interlocked.Exchange(ref s_installed, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(ShimLibrary).Assembly, Resolve);
    }

    private static nint Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != NativeMethods.Library) return 0;
        string? explicitPath = Environment.GetEnvironmentVariable(PathVariable);
        string[] candidates =
        {
            explicitPath ?? "",
            Path.Combine(AppContext.BaseDirectory, FileName),
            Path.Combine(Path.GetDirectoryName(assembly.Location) ?? "", FileName),
        };
        foreach (string candidate in candidates)
        {
            if (candidate.Length == 0 || !File.Exists(candidate)) continue;
            try
            {
                return NativeLibrary.Load(candidate);
            }
            catch (DllNotFoundException e)
            {
                // The shim is there but libtorch is not loadable from it: say so, with the loader's reason.
                throw new DllNotFoundException(
                    $"HybridGen found its native shim at {candidate} but could not load it: {e.Message} " +
                    "Is the libtorch it was built against still installed (apt-get install libtorch-dev)?", e);
            }
        }
        throw new DllNotFoundException(
            $"HybridGen's native shim {FileName} was not found (looked in {string.Join(", ", candidates[1..])}" +
            (explicitPath is null ? "" : $" and {PathVariable}={explicitPath}") +
            "). The build compiles it against libtorch and copies it next to the app: build the project that " +
            "references HybridGen, or set HYBRIDGEN_SHIM_PATH to the file.");
    }
}
