using System;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Native;

/// <summary>
/// Whether a tensor is still the one, with the same values, that a backend copied: its <c>TensorImpl</c>, its data
/// address, its sizes and libtorch's version counter, which every in-place op bumps (an optimizer step, <c>copy_</c>
/// in <c>load_state_dict</c>, <c>add_</c> under <c>no_grad</c>). TorchSharp 0.107 does not export the counter;
/// <c>at::TensorBase::_version()</c> is a plain export of libtorch_cpu, found through the libLibTorchSharp that
/// TorchSharp loaded (a TorchSharp tensor handle is an <c>at::Tensor*</c>, the <c>this</c> it takes; Linux and macOS,
/// where a library's handle also finds its dependencies' exports). Inference tensors have no counter (reading it
/// throws a C++ exception, which would end the process), so they are asked about first and never count as unchanged.
/// Writes that bypass libtorch's ops (TorchSharp's <c>data&lt;T&gt;()</c> accessors, memory written from native code)
/// bump nothing and are not seen. Where the exports are missing, nothing counts as unchanged.
/// </summary>
internal static unsafe class TensorVersions
{
    private const string VersionExport = "_ZNK2at10TensorBase8_versionEv";
    private const string IsInferenceExport = "_ZN2at6native12is_inferenceERKNS_6TensorE";

    private static readonly delegate* unmanaged<nint, long> s_version = (delegate* unmanaged<nint, long>)Find(VersionExport);
    private static readonly delegate* unmanaged<nint, byte> s_isInference = (delegate* unmanaged<nint, byte>)Find(IsInferenceExport);
    private static long s_unknown = long.MinValue;

    /// <summary>Whether this libtorch exports what the check needs (when false, <see cref="Of"/> is never equal twice).</summary>
    public static bool Available => s_version != null && s_isInference != null;

    /// <summary>The tensor's identity, sizes and version, or a fresh value that matches nothing where there is no counter.</summary>
    public static TensorVersion Of(Tensor tensor)
    {
        nint handle = tensor.Handle;
        if (!Available || s_isInference(handle) != 0)
            return new TensorVersion(handle, 0, 0, System.Threading.Interlocked.Increment(ref s_unknown));
        ulong sizes = Dispatch.StableKey.MixSizes(Dispatch.StableKey.Start, handle);
        return new TensorVersion(*(nint*)handle, LibTorchSharp.DataPointer(handle), sizes, s_version(handle));
    }

    private static nint Find(string export)
    {
        try
        {
            return NativeLibrary.TryGetExport(TorchSharpLibrary.Handle, export, out nint address) ? address : 0;
        }
        catch (DllNotFoundException)
        {
            return 0;
        }
    }
}

/// <summary>A tensor's <c>TensorImpl</c> address, data address, sizes (hashed) and version counter at one moment.</summary>
internal readonly record struct TensorVersion(nint Impl, nint Data, ulong Sizes, long Version);
