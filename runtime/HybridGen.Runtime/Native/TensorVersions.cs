using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Native;

/// <summary>
/// Whether a tensor is still the one, with the same values, that a backend copied: its <c>TensorImpl</c>, its data
/// address and libtorch's version counter, which every in-place op bumps (an optimizer step, <c>copy_</c> in
/// <c>load_state_dict</c>, <c>add_</c> under <c>no_grad</c>). TorchSharp 0.107 does not export the counter;
/// <c>at::TensorBase::_version()</c> is a plain export of libtorch_cpu, found through the libLibTorchSharp that
/// TorchSharp loaded (a TorchSharp tensor handle is an <c>at::Tensor*</c>, which is the <c>this</c> it takes).
/// Writes that bypass libtorch's ops (TorchSharp's <c>data&lt;T&gt;()</c> accessors, memory written from native code)
/// bump nothing and are not seen: where the counter is missing, nothing counts as unchanged.
/// </summary>
internal static unsafe class TensorVersions
{
    private const string VersionExport = "_ZNK2at10TensorBase8_versionEv";

    private static readonly delegate* unmanaged<nint, long> s_version = Find();

    /// <summary>Whether this libtorch exports the version counter (when false, <see cref="Of"/> is never equal twice).</summary>
    public static bool Available => s_version != null;

    /// <summary>The tensor's identity and version, or a fresh value that matches nothing where the counter is missing.</summary>
    public static TensorVersion Of(Tensor tensor)
    {
        nint handle = tensor.Handle;
        if (s_version == null) return new TensorVersion(handle, 0, System.Threading.Interlocked.Increment(ref s_unknown));
        return new TensorVersion(*(nint*)handle, LibTorchSharp.DataPointer(handle), s_version(handle));
    }

    private static long s_unknown = long.MinValue;

    private static delegate* unmanaged<nint, long> Find()
    {
        try
        {
            return NativeLibrary.TryGetExport(TorchSharpLibrary.Handle, VersionExport, out nint export) ? (delegate* unmanaged<nint, long>)export : null;
        }
        catch (DllNotFoundException)
        {
            return null;
        }
    }
}

/// <summary>A tensor's <c>TensorImpl</c> address, data address and version counter at one moment.</summary>
internal readonly record struct TensorVersion(nint Impl, nint Data, long Version);
