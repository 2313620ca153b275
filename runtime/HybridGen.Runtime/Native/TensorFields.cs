using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Native;

/// <summary>
/// Reads a dense tensor's dtype, device, sizes and whether it has autograd metadata straight from libtorch's
/// <c>c10::TensorImpl</c>, for the dispatch key: the getters cost a native call each (3 to 11 ns, about 40 ns a
/// one-dimensional tensor), and the key of a call with 7 tensor inputs read that way was most of the dispatcher's
/// cost (docs/benchmarks/fast-path.md). A field read costs about a nanosecond.
/// <para>
/// Nothing here is taken on faith. The field offsets are not compiled in: at first use they are found in tensors
/// made for the purpose, each offset must be the only one that fits every such tensor, and the reads are then
/// checked against the getters on views, transposes, resized tensors and tensors with grad. A libtorch whose layout
/// does not pass leaves <see cref="Available"/> false and every key to the getters. Per tensor, the fast read is
/// taken only for an object of the plain <c>TensorImpl</c> class (its vtable; sparse, nested, quantized and
/// wrapper tensors are subclasses), on the CPU, with at most 5 dimensions held inline and sizes whose product is
/// the element count libtorch keeps; anything else goes to the getters. The reads are exact or not taken: the key
/// a tensor gets is the same either way (tests compare them).
/// </para>
/// </summary>
internal static unsafe class TensorFields
{
    // What is scanned for the fields: a TensorImpl's first 192 bytes, which is the whole object on 64-bit builds of
    // libtorch 2.x (its header asserts sizeof(TensorImpl) == 24 words; the inline sizes end near byte 152), so no
    // read of the scan leaves the object.
    private const int ScanBytes = 192;
    private const int InlineDimensions = 5; // c10::impl::SizesAndStrides keeps up to 5 sizes and strides inline

    // The offsets, found once by the static constructor; static readonly, so the JIT compiles them into the reads
    // as constants. Available is false (and the rest unused) where field reads are off: the layout did not pass,
    // or HYBRIDGEN_TENSOR_FIELDS=getters.
    private static readonly bool s_available;
    private static readonly nint s_vtable;
    private static readonly int s_sizes, s_numel, s_dtype, s_autograd;

    static TensorFields()
    {
        if (FindLayout() is not { } layout) return;
        (s_vtable, s_sizes, s_numel, s_dtype, s_autograd) = layout;
        s_available = true;
    }

    /// <summary>Whether field reads are used on this libtorch (false: every key reads the getters). Reading it
    /// runs the calibration on this thread if it has not run.</summary>
    internal static bool Available => s_available;

    /// <summary>
    /// Whether the calibration has run and passed. Keys read the getters until then: the calibration makes and reads
    /// tensors (and the JIT compiles all that), a few milliseconds a method's first call need not wait for, so it
    /// runs on a thread-pool thread (<see cref="Start"/>). A nested class, so that asking does not start it here.
    /// </summary>
    internal static class Calibration
    {
        private static int s_started;
        private static volatile bool s_ready;

        internal static bool Ready => s_ready;

        /// <summary>Tests: keys read through the getters until disposed (the keys must not change).</summary>
        internal static IDisposable GettersOnly()
        {
            s_ready = false;
            return new Restore(static () => s_ready = Available); // the calibration's outcome, whenever it ran
        }

        private sealed class Restore(Action undo) : IDisposable
        {
            public void Dispose() => undo();
        }

        /// <summary>Starts the calibration off the caller's thread (once a process).</summary>
        internal static void Start()
        {
            if (Interlocked.Exchange(ref s_started, 1) != 0) return;
            Twins.BackgroundCompiles.Run(static () => s_ready = Available);
        }
    }

    /// <summary>A tensor's key fields, read directly; false where the tensor is not a plain dense CPU tensor with at
    /// most 5 dimensions (then the caller reads the getters). <paramref name="sizes"/> points into the tensor: read
    /// it before anything can resize the tensor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static bool TryRead(nint handle, out sbyte dtype, out int deviceIndex, out bool requiresGrad, out int dimensions, out long* sizes)
    {
        if (s_available && handle != 0)
            return Read(handle, s_vtable, s_sizes, s_numel, s_dtype, s_autograd, out dtype, out deviceIndex, out requiresGrad, out dimensions, out sizes);
        dtype = 0;
        deviceIndex = -1;
        requiresGrad = false;
        dimensions = 0;
        sizes = null;
        return false;
    }

    /// <summary>Where the key's fields are in a TensorImpl, and the vtable of the plain class.</summary>
    private readonly record struct Layout(nint Vtable, int Sizes, int Numel, int DType, int Autograd);

    /// <summary>The read itself, with the offsets as arguments: the calibration checks candidate offsets with it,
    /// and <see cref="TryRead"/> inlines it with the found ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Read(nint handle, nint vtable, int sizesAt, int numelAt, int dtypeAt, int autogradAt,
        out sbyte dtype, out int deviceIndex, out bool requiresGrad, out int dimensions, out long* sizes)
    {
        dtype = 0;
        deviceIndex = -1;
        requiresGrad = false;
        dimensions = 0;
        sizes = null;
        byte* impl = *(byte**)handle; // at::Tensor is one intrusive_ptr<TensorImpl>
        if (impl == null || *(nint*)impl != vtable) return false;
        byte* type = impl + dtypeAt; // caffe2::TypeMeta (2 bytes), then std::optional<c10::Device>: type, index, engaged
        if (type[2] != 0 || type[4] != 1) return false; // the CPU only: other devices read the getters
        long count = *(long*)(impl + sizesAt);
        if ((ulong)count > InlineDimensions) return false;
        long* inline = (long*)(impl + sizesAt + 8);
        long product = 1;
        for (int d = 0; d < count; d++) product *= inline[d];
        if (product != *(long*)(impl + numelAt)) return false; // sizes not kept inline (a custom sizes policy)
        dtype = (sbyte)*(ushort*)type;
        deviceIndex = (sbyte)type[3];
        // No autograd metadata means requires_grad is false; with it, the getter decides (a grad_fn counts too).
        requiresGrad = *(nint*)(impl + autogradAt) != 0 && LibTorchSharp.RequiresGrad(handle);
        dimensions = (int)count;
        sizes = inline;
        return true;
    }

    private static Layout? FindLayout()
    {
        try
        {
            if (Environment.GetEnvironmentVariable("HYBRIDGEN_TENSOR_FIELDS") == "getters") return null;
            return Calibrate();
        }
        catch (Exception)
        {
            return null; // any surprise while looking: the getters, always correct
        }
    }

    private static Layout? Calibrate()
    {
        // Grad on and inference mode off, whatever the first caller's modes: the samples need requires_grad_ and grad_fn.
        using var grad = torch.enable_grad();
        using var inference = torch.inference_mode(false);
        using DisposeScope scope = torch.NewDisposeScope();
        // Distinct dimension counts, sizes, element counts and dtypes, so each field fits at one offset only.
        var samples = new List<Tensor>
        {
            zeros(new long[] { 3, 5, 7 }, ScalarType.Float32, CPU),
            zeros(new long[] { 11, 13 }, ScalarType.Float64, CPU),
            zeros(new long[] { 17 }, ScalarType.Int64, CPU),
            zeros(new long[] { 2, 3, 4, 5, 6 }, ScalarType.Int32, CPU),
            zeros(Array.Empty<long>(), ScalarType.Bool, CPU),
            zeros(new long[] { 19, 1 }, ScalarType.Int16, CPU),
            zeros(new long[] { 0, 4 }, ScalarType.Byte, CPU),
            zeros(new long[] { 4, 2, 3, 1 }, ScalarType.Float16, CPU),
        };
        nint vtable = *(nint*)Impl(samples[0]);
        foreach (Tensor t in samples)
            if (*(nint*)Impl(t) != vtable) return null;

        int sizes = OnlyOffset(8, ScanBytes - 8 * (1 + InlineDimensions), 8, samples, (impl, t) =>
        {
            long* at = (long*)impl;
            if (at[0] != t.dim()) return false;
            for (int d = 0; d < t.dim(); d++)
                if (at[1 + d] != t.size(d)) return false;
            return true;
        });
        int numel = OnlyOffset(8, ScanBytes - 8, 8, samples, (impl, t) => *(long*)impl == t.numel());
        int dtype = OnlyOffset(8, ScanBytes - 5, 2, samples, (impl, t) =>
            *(ushort*)impl == (ushort)(sbyte)t.dtype && ((byte*)impl)[2] == (byte)LibTorchSharp.DeviceType(t.Handle)
            && (sbyte)((byte*)impl)[3] == LibTorchSharp.DeviceIndex(t.Handle) && ((byte*)impl)[4] == 1);
        if (sizes < 0 || numel < 0 || dtype < 0) return null;

        // The autograd metadata pointer: the one word that requires_grad_() turns from null into an object.
        Tensor leaf = zeros(new long[] { 2 }, ScalarType.Float32, CPU);
        nint* leafImpl = (nint*)Impl(leaf);
        var before = new nint[ScanBytes / 8];
        for (int k = 0; k < before.Length; k++) before[k] = leafImpl[k];
        leaf.requires_grad_(true);
        int autograd = -1;
        for (int k = 1; k < before.Length; k++)
        {
            if (before[k] != 0 || leafImpl[k] == 0) continue;
            if (autograd >= 0) return null;
            autograd = k * 8;
        }
        if (autograd < 0) return null;
        foreach (Tensor t in samples)
            if (*(nint*)(Impl(t) + autograd) != 0) return null;

        var layout = new Layout(vtable, sizes, numel, dtype, autograd);
        return AgreesWithGetters(layout, samples, leaf) ? layout : null;
    }

    /// <summary>The offset (from <paramref name="from"/> to <paramref name="to"/>, in steps) where the field fits
    /// every sample; -1 when none or more than one does.</summary>
    private static int OnlyOffset(int from, int to, int step, List<Tensor> samples, Func<nint, Tensor, bool> fits)
    {
        int found = -1;
        for (int offset = from; offset <= to; offset += step)
        {
            bool all = true;
            foreach (Tensor t in samples)
            {
                if (fits((nint)(Impl(t) + offset), t)) continue;
                all = false;
                break;
            }
            if (!all) continue;
            if (found >= 0) return -1;
            found = offset;
        }
        return found;
    }

    /// <summary>Whether reads with the found offsets say what the getters say, on the samples and on tensors unlike
    /// them: views, a transpose, an expand, a tensor reshaped in place, a leaf with grad, a result with a grad_fn, a detached
    /// copy, other dtypes.</summary>
    private static bool AgreesWithGetters(Layout layout, List<Tensor> samples, Tensor leaf)
    {
        // No random tensors: this runs on a pool thread, and drawing from the global generator there would change
        // what a seeded program draws. On the CPU whatever the default device (other devices read the getters).
        Tensor matrix = arange(24, ScalarType.Float32, CPU).reshape(6, 4);
        Tensor reshaped = zeros(new long[] { 3, 1, 4 }, ScalarType.Float32, CPU);
        reshaped.squeeze_(1).unsqueeze_(0); // sizes changed in place: [1, 3, 4]
        var checks = new List<Tensor>(samples)
        {
            leaf,
            leaf * 2,
            (leaf * 2).detach(),
            matrix.t(),
            matrix[1..3],
            matrix.unsqueeze(0).expand(5, 6, 4),
            matrix.view(2, 3, 4),
            reshaped,
            zeros(new long[] { 1, 1, 1, 1, 1 }, ScalarType.ComplexFloat32, CPU),
            zeros(new long[] { 7 }, ScalarType.BFloat16, CPU),
        };
        foreach (Tensor t in checks)
        {
            if (!Read(t.Handle, layout.Vtable, layout.Sizes, layout.Numel, layout.DType, layout.Autograd, out sbyte dtype, out int deviceIndex, out bool requiresGrad, out int dimensions, out long* sizes)) return false;
            if (dtype != (sbyte)t.dtype || requiresGrad != t.requires_grad || dimensions != t.dim()) return false;
            for (int d = 0; d < dimensions; d++)
                if (sizes[d] != t.size(d)) return false;
        }
        return true;
    }

    private static byte* Impl(Tensor t) => *(byte**)t.Handle;
}
