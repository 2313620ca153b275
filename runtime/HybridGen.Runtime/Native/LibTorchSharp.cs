using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

// Every P/Invoke of this assembly passes only blittable values (pointers, numbers, C++ one-byte bools): no
// marshalling stubs, which matters on the per-call path (signatures read several getters per tensor).
[assembly: DisableRuntimeMarshalling]

namespace HybridGen.Native;

/// <summary>
/// The few exports of TorchSharp's C wrapper (libLibTorchSharp) that HybridGen calls directly, so a twin call is one
/// native transition instead of the ~14 that <c>CompilationUnit.invoke</c> makes (it boxes every argument, makes a
/// native Scalar per number and wraps results through several calls). The library is the one TorchSharp loaded:
/// <see cref="TorchSharpLibrary"/> resolves the name through TorchSharp's own assembly.
/// </summary>
internal static unsafe class LibTorchSharp
{
    private const string Library = "LibTorchSharp";

    /// <summary>TorchSharp's argument and result cell (THSJIT.h): a type code, a list length or nesting index, and a
    /// handle (a <c>torch::Tensor*</c>, a <c>torch::Scalar*</c>, an int, a bool, or a pointer to more cells).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct TensorOrScalar
    {
        public long TypeCode;
        public long ArrayIndex;
        public nint Handle;
    }

    // Argument type codes (THSJIT.cpp, toIValue).
    internal const long ArgTensor = 0, ArgScalar = 1, ArgBool = 2, ArgInt32 = 3, ArgTensorList = 5, ArgNone = 8;

    // Result type codes (THSJIT.cpp, ReturnHelper).
    internal const sbyte ResultTensor = 1, ResultTensorTuple = 2, ResultTensorList = 3, ResultScalar = 4, ResultScalarTuple = 5,
        ResultScalarList = 6, ResultMixedList = 7, ResultNone = 8, ResultList = 9, ResultTuple = 10;

    /// <summary>Compiles TorchScript source into a unit (a <c>shared_ptr&lt;CompilationUnit&gt;*</c>). ABORTS the
    /// process on a compile error (the error type escapes TorchSharp's catch): call only with validated text.</summary>
    [DllImport(Library, EntryPoint = "THSJIT_compile")]
    internal static extern nint Compile(byte* script);

    [DllImport(Library, EntryPoint = "THSJIT_CompilationUnit_Invoke")]
    internal static extern void Invoke(nint unit, byte* function, TensorOrScalar* arguments, int count,
        delegate* unmanaged<int, nuint, TensorOrScalar*> allocator, sbyte* typeCode, int index);

    /// <summary>TorchSharp's thread-local error text after a failed call (null when none), reset by the read.</summary>
    [DllImport(Library, EntryPoint = "THSTorch_get_and_reset_last_err")]
    internal static extern nint TakeLastError();

    [DllImport(Library, EntryPoint = "THSTorch_int64_to_scalar")]
    internal static extern nint ScalarFromInt64(long value);

    [DllImport(Library, EntryPoint = "THSTorch_float64_to_scalar")]
    internal static extern nint ScalarFromDouble(double value);

    [DllImport(Library, EntryPoint = "THSTorch_dispose_scalar")]
    internal static extern void DisposeScalar(nint scalar);

    [DllImport(Library, EntryPoint = "THSTorch_scalar_type")]
    internal static extern sbyte ScalarType(nint scalar);

    [DllImport(Library, EntryPoint = "THSTorch_scalar_to_int64")]
    internal static extern long ScalarToInt64(nint scalar);

    [DllImport(Library, EntryPoint = "THSTorch_scalar_to_float64")]
    internal static extern double ScalarToDouble(nint scalar);

    [DllImport(Library, EntryPoint = "THSTorch_scalar_to_bool")]
    internal static extern bool ScalarToBool(nint scalar); // C++ bool: one byte, as runtime marshalling is off

    // Metadata reads for signatures: plain getters that neither block nor call back, so the GC transition is skipped.

    [DllImport(Library, EntryPoint = "THSAutograd_isGradEnabled"), SuppressGCTransition]
    [return: MarshalAs(UnmanagedType.U1)]
    internal static extern bool IsGradEnabled();

    [DllImport(Library, EntryPoint = "THSTensor_ndimension"), SuppressGCTransition]
    internal static extern long Dimensions(nint tensor);

    [DllImport(Library, EntryPoint = "THSTensor_size"), SuppressGCTransition]
    internal static extern long Size(nint tensor, long dim);

    [DllImport(Library, EntryPoint = "THSTensor_type"), SuppressGCTransition]
    internal static extern sbyte DType(nint tensor);

    [DllImport(Library, EntryPoint = "THSTensor_device_type"), SuppressGCTransition]
    internal static extern int DeviceType(nint tensor);

    [DllImport(Library, EntryPoint = "THSTensor_device_index"), SuppressGCTransition]
    internal static extern int DeviceIndex(nint tensor);

    /// <summary>The address of a tensor's first element (its storage offset included).</summary>
    [DllImport(Library, EntryPoint = "THSTensor_data"), SuppressGCTransition]
    internal static extern nint DataPointer(nint tensor);

    [DllImport(Library, EntryPoint = "THSTensor_requires_grad"), SuppressGCTransition]
    internal static extern bool RequiresGrad(nint tensor);

    /// <summary>Throws TorchSharp's exception type for a failure the last call left behind.</summary>
    internal static void ThrowIfFailed()
    {
        nint error = TakeLastError();
        if (error != 0) throw new ExternalException(Marshal.PtrToStringAnsi(error));
    }
}
