using System;
using System.Runtime.InteropServices;

namespace HybridGen.Torch.Native;

/// <summary>The shim's exports (runtime/HybridGen.Torch/native/hybridgen_shim.cpp). Each returns 0 or an error
/// status whose message <see cref="hg_last_error"/> holds; <see cref="Check"/> turns it into a TorchException.</summary>
internal static unsafe partial class NativeMethods
{
    public const string Library = "hybridgen_shim";

    static NativeMethods()
    {
        ShimLibrary.EnsureResolver();
        // Unless the user tunes glibc's allocator, keep freed memory in the process (see hg_tune_allocator).
        if (Environment.GetEnvironmentVariable("HYBRIDGEN_KEEP_MALLOC_DEFAULTS") != "1" &&
            Environment.GetEnvironmentVariable("MALLOC_TRIM_THRESHOLD_") is null &&
            Environment.GetEnvironmentVariable("GLIBC_TUNABLES") is null)
            hg_tune_allocator();
    }

    [LibraryImport(Library)] private static partial nint hg_last_error();
    // Freeing is short and never blocks, so it skips the GC transition (it runs on every tensor's Dispose).
    [LibraryImport(Library), SuppressGCTransition] public static partial int hg_tensor_free(nint tensor);
    [LibraryImport(Library)] public static partial int hg_tensor_from_data(void* data, int dtype, long* shape, int ndim, out nint tensor);
    [LibraryImport(Library)] public static partial int hg_tensor_info(nint tensor, out int dtype, out int ndim, out int deviceType, out int deviceIndex, out int requiresGrad);
    [LibraryImport(Library)] public static partial int hg_tensor_shape(nint tensor, long* shape, int capacity);
    [LibraryImport(Library)] public static partial int hg_tensor_copy_data(nint tensor, void* destination, long bytes);
    [LibraryImport(Library)] public static partial int hg_tensor_grad(nint tensor, out nint grad);
    [LibraryImport(Library)] public static partial int hg_tensor_set_grad(nint tensor, nint grad);
    [LibraryImport(Library)] public static partial int hg_grad_mode(int enabled, out int previous);
    [LibraryImport(Library)] public static partial int hg_cuda_info(out int available, out int deviceCount);
    [LibraryImport(Library)] public static partial int hg_cuda_synchronize(long deviceIndex);
    [LibraryImport(Library)] public static partial int hg_generator_new(int deviceType, ulong seed, out nint generator);
    [LibraryImport(Library)] public static partial int hg_generator_free(nint generator);
    [LibraryImport(Library)] public static partial int hg_generator_seed(nint generator, ulong seed);
    [LibraryImport(Library)] public static partial int hg_manual_seed(ulong seed);
    [LibraryImport(Library)] public static partial int hg_set_num_threads(int threads);
    [LibraryImport(Library)] private static partial int hg_tune_allocator();
    // Reads metadata of a few tensors: short and never blocking, so no GC transition (it runs on every dispatch).
    [LibraryImport(Library), SuppressGCTransition] public static partial int hg_signature(nint* handles, int count, ulong seed, out ulong key, out int flags);
    [LibraryImport(Library)] public static partial nint hg_torch_version();
    [LibraryImport(Library)] public static partial int hg_cuda_graph_capture(nint function, NativeValue* args, int nargs, int warmups, out nint graph);
    [LibraryImport(Library)] public static partial int hg_cuda_graph_replay(nint graph, NativeValue* args, int nargs, NativeValue* outs, int capacity, out int nouts);
    [LibraryImport(Library)] public static partial int hg_cuda_graph_free(nint graph);
    [LibraryImport(Library)] public static partial int hg_cuda_graphs_supported();
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial int hg_op_find(string name, string overload, out nint op, out int signature);
    [LibraryImport(Library)] public static partial int hg_op_call_fast(nint op, nint a, nint b, NativeValue* scalars, int nscalars, nint* result);
    [LibraryImport(Library)] public static partial int hg_op_schema(nint op, out nint text);
    [LibraryImport(Library)] public static partial int hg_op_call(nint op, NativeValue* args, int nargs, NativeValue* outs, int capacity, int* nouts);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial int hg_script_compile(string source, out nint unit);
    [LibraryImport(Library)] public static partial int hg_script_free(nint unit);
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)] public static partial int hg_script_function(nint unit, string name, out nint function);
    [LibraryImport(Library)] public static partial int hg_script_call(nint function, NativeValue* args, int nargs, NativeValue* outs, int capacity, out int nouts);

    /// <summary>Throws the shim's last error as a <see cref="TorchException"/> when <paramref name="status"/> is not 0.</summary>
    public static void Check(int status)
    {
        if (status != 0) throw new TorchException(LastError());
    }

    public static string LastError() => Marshal.PtrToStringUTF8(hg_last_error()) ?? "unknown libtorch error";
}
