using System;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;

namespace HybridGen.Native;

/// <summary>
/// Makes HybridGen's own P/Invokes bind to the libLibTorchSharp that TorchSharp itself loaded (never another copy,
/// and never Debian's libtorch: two libtorch versions in one process crash). TorchSharp is initialized first, so its
/// loader (CUDA first, then CPU, then its consolidated copy) decides which library that is.
/// </summary>
internal static class TorchSharpLibrary
{
    private static nint s_handle;

    // A library's module initializer (CA2255) is what is wanted here: the resolver must be in place before the
    // first P/Invoke of this assembly, whichever type makes it.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(TorchSharpLibrary).Assembly, Resolve);

    /// <summary>The handle of the libLibTorchSharp TorchSharp loaded (loading TorchSharp if it has not). Its
    /// exports, and through it those of the libtorch it was linked with, can be looked up with
    /// <see cref="NativeLibrary.GetExport"/>.</summary>
    internal static nint Handle => s_handle != 0 ? s_handle : Resolve("LibTorchSharp", typeof(TorchSharpLibrary).Assembly, null);

    private static nint Resolve(string name, Assembly requester, DllImportSearchPath? searchPath)
    {
        if (name != "LibTorchSharp") return 0;
        if (s_handle != 0) return s_handle;
        _ = torch.get_num_threads(); // runs TorchSharp's static constructor, which loads its native backend
        Assembly torchSharp = typeof(torch).Assembly;
        if (NativeLibrary.TryLoad(name, torchSharp, searchPath, out nint handle) ||
            NativeLibrary.TryLoad("libLibTorchSharp.so", out handle) || NativeLibrary.TryLoad("LibTorchSharp", out handle))
            return s_handle = handle;
        throw new DllNotFoundException("HybridGen could not find the libLibTorchSharp that TorchSharp loaded.");
    }
}
