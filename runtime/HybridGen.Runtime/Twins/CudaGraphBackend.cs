using System;
using System.IO;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace HybridGen.Twins;

/// <summary>
/// The optional CUDA-graph backend (native/cuda-graphs, docs/cuda.md): libhybridgen_cuda_graphs.so next to the
/// application, built against a CUDA libtorch matching TorchSharp's. Where it is absent (every machine without
/// such a libtorch) nothing is captured and CUDA twins run as TorchScript.
/// </summary>
internal static unsafe class CudaGraphBackend
{
    private const string FileName = "libhybridgen_cuda_graphs.so";

    private static readonly Lazy<Exports?> s_exports = new(Load);

    private sealed class Exports
    {
        public delegate* unmanaged<nint> LastError;
        public delegate* unmanaged<nint, byte*, nint*, int, int, nint*, int> Capture;
        public delegate* unmanaged<nint, nint*, int, nint*, int, int*, int> Replay;
        public delegate* unmanaged<nint, int> Free;
    }

    /// <summary>Whether captured graphs can be a dispatch candidate: the backend is there and a GPU is.</summary>
    public static bool Available => s_exports.Value is not null && cuda.is_available();

    private static Exports? Load()
    {
        string path = Path.Combine(AppContext.BaseDirectory, FileName);
        if (!File.Exists(path) || !NativeLibrary.TryLoad(path, out nint library)) return null;
        try
        {
            return new Exports
            {
                LastError = (delegate* unmanaged<nint>)NativeLibrary.GetExport(library, "hgcg_last_error"),
                Capture = (delegate* unmanaged<nint, byte*, nint*, int, int, nint*, int>)NativeLibrary.GetExport(library, "hgcg_capture"),
                Replay = (delegate* unmanaged<nint, nint*, int, nint*, int, int*, int>)NativeLibrary.GetExport(library, "hgcg_replay"),
                Free = (delegate* unmanaged<nint, int>)NativeLibrary.GetExport(library, "hgcg_free"),
            };
        }
        catch (EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static Exports Require() => s_exports.Value ?? throw new ExternalException($"HybridGen's CUDA-graph backend ({FileName}) is not next to the application");

    private static void Check(int status)
    {
        if (status != 0) throw new ExternalException(Marshal.PtrToStringUTF8(Require().LastError()) ?? "CUDA-graph backend failure");
    }

    /// <summary>Captures the twin's function for these (tensor-only) arguments after a few warm-up runs.</summary>
    public static nint Capture(nint unit, byte[] function, ReadOnlySpan<TwinValue> arguments, int warmups = 3)
    {
        Span<nint> handles = stackalloc nint[arguments.Length];
        for (int k = 0; k < arguments.Length; k++)
            handles[k] = arguments[k].Tensor?.Handle ?? throw new ExternalException("a CUDA graph is captured only for twins whose arguments are all tensors");
        nint graph;
        fixed (byte* name = function)
        fixed (nint* argv = handles)
            Check(Require().Capture(unit, name, argv, arguments.Length, warmups, &graph));
        return graph;
    }

    /// <summary>Replays a captured graph on new inputs; the results are new tensors in the caller's scope.</summary>
    public static int Replay(nint graph, ReadOnlySpan<TwinValue> arguments, Span<TwinValue> results)
    {
        Span<nint> handles = stackalloc nint[arguments.Length];
        for (int k = 0; k < arguments.Length; k++) handles[k] = arguments[k].Tensor!.Handle;
        Span<nint> outs = stackalloc nint[results.Length];
        int produced;
        fixed (nint* argv = handles)
        fixed (nint* outv = outs)
            Check(Require().Replay(graph, argv, arguments.Length, outv, results.Length, &produced));
        for (int k = 0; k < produced; k++) results[k] = Tensor.UnsafeCreateTensor(outs[k]);
        return produced;
    }

    public static void Free(nint graph) => Check(Require().Free(graph));
}
