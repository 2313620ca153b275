using System;
using System.Threading;
using HybridGen.Torch.Native;

namespace HybridGen.Torch;

/// <summary>
/// A libtorch tensor. Its native storage is released by <see cref="Dispose"/>, by the
/// <see cref="DisposeScope"/> it was created in, or, as a backstop, when the garbage collector finds it unreachable. Operators and methods follow
/// TorchSharp's names; each declares the ATen operator it is with <see cref="AtenOpAttribute"/>.
/// </summary>
/// <remarks>Tensors may be used from many threads at once, as libtorch's are; grad mode is per thread.</remarks>
public partial class Tensor : IDisposable
{
    private nint _handle;

    // The backstop. Allocating an object with a finalizer costs ~130 ns here (a quarter of a small op), so Tensor
    // has none: a tensor that a dispose scope owns is covered by the scope's finalizer, and a tensor that no scope
    // owns holds a small finalizable guard that frees the handle if the tensor is dropped undisposed. Guards are
    // recycled per thread, still registered for finalization, so a steady loop allocates none.
    private HandleGuard? _guard;

    internal Tensor(nint handle)
    {
        _handle = handle;
        TensorThreadState state = TensorThreadState.Current;
        state.Live++;
        if (!DisposeScope.Track(this, state)) _guard = HandleGuard.Rent(handle, state);
    }

    /// <summary>Takes over the native tensor of <paramref name="source"/> (which is left disposed).</summary>
    private protected Tensor(Tensor source) : this(source.Release()) { }

    /// <summary>How many tensors hold native storage right now (created and not yet disposed or finalized).</summary>
    public static long LiveCount => TensorThreadState.LiveCount;

    internal nint Handle
    {
        get
        {
            nint handle = Volatile.Read(ref _handle);
            return handle != 0 ? handle : throw new ObjectDisposedException(nameof(Tensor));
        }
    }

    public bool IsDisposed => Volatile.Read(ref _handle) == 0;

    /// <summary>The scope that will dispose this tensor, if any.</summary>
    internal DisposeScope? OwningScope { get; set; }

    /// <summary>Where this tensor sits in its owning scope's list.</summary>
    internal int ScopeIndex { get; set; }

    public void Dispose()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle == 0) return;
        TensorThreadState state = TensorThreadState.Current;
        DropGuard(state);
        NativeMethods.hg_tensor_free(handle);
        state.Live--;
    }

    /// <summary>Hands the native tensor over (to a subclass instance); this object is left disposed.</summary>
    private nint Release()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle == 0) throw new ObjectDisposedException(nameof(Tensor));
        TensorThreadState state = TensorThreadState.Current;
        DropGuard(state);
        state.Live--;
        OwningScope?.Forget(this);
        return handle;
    }

    /// <summary>Called when no scope owns this tensor any more: from now on the guard is its backstop.</summary>
    internal void Unowned()
    {
        nint handle = Volatile.Read(ref _handle);
        if (handle != 0 && _guard is null) _guard = HandleGuard.Rent(handle, TensorThreadState.Current);
    }

    /// <summary>Called when a scope takes this tensor over: the scope is its backstop now.</summary>
    internal void Owned() => DropGuard(TensorThreadState.Current);

    private void DropGuard(TensorThreadState state)
    {
        HandleGuard? guard = _guard;
        if (guard is null) return;
        _guard = null;
        HandleGuard.Return(guard, state);
    }

    /// <summary>Frees the native tensor when the Tensor that holds this guard is collected undisposed.</summary>
    private sealed class HandleGuard
    {
        public nint Handle;

        private HandleGuard(nint handle) => Handle = handle;

        public static HandleGuard Rent(nint handle, TensorThreadState state)
        {
            if (state.Pooled > 0)
            {
                var guard = (HandleGuard)state.GuardPool[--state.Pooled]!;
                state.GuardPool[state.Pooled] = null;
                guard.Handle = handle;
                return guard;
            }
            return new HandleGuard(handle);
        }

        /// <summary>Takes back a guard whose tensor was disposed. A pooled guard is reachable, so it is never
        /// finalized while it waits, and it keeps its finalization registration for its next tensor.</summary>
        public static void Return(HandleGuard guard, TensorThreadState state)
        {
            guard.Handle = 0;
            if (state.Pooled < state.GuardPool.Length) state.GuardPool[state.Pooled++] = guard;
            else GC.SuppressFinalize(guard);
        }

        ~HandleGuard()
        {
            nint handle = Interlocked.Exchange(ref Handle, 0);
            if (handle == 0) return;
            NativeMethods.hg_tensor_free(handle);
            TensorThreadState.Current.Live--;
        }
    }

    /// <summary>Frees the native tensor from a finalizer (a collected scope's): no managed state is touched.</summary>
    internal void FreeFromFinalizer()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle == 0) return;
        NativeMethods.hg_tensor_free(handle);
        TensorThreadState.Current.Live--;
    }

    /// <summary>Moves this tensor from its dispose scope to the one around it (or to none): it outlives the scope.</summary>
    public Tensor MoveToOuterDisposeScope()
    {
        DisposeScope? owner = OwningScope;
        owner?.Forget(this);
        owner?.Outer?.Adopt(this);
        return this;
    }

    /// <summary>Takes this tensor out of every dispose scope: the caller disposes it.</summary>
    public Tensor DetachFromDisposeScope()
    {
        OwningScope?.Forget(this);
        return this;
    }

    private Info Read()
    {
        NativeMethods.Check(NativeMethods.hg_tensor_info(Handle, out int dtype, out int ndim, out int deviceType, out int deviceIndex, out int requiresGrad));
        GC.KeepAlive(this);
        return new Info((torch.ScalarType)dtype, ndim, new torch.Device((torch.DeviceType)deviceType, deviceIndex), requiresGrad != 0);
    }

    private readonly record struct Info(torch.ScalarType DType, int NDim, torch.Device Device, bool RequiresGrad);

    public torch.ScalarType dtype => Read().DType;

    public torch.Device device => Read().Device;

    public long Dimensions => Read().NDim;

    public long dim() => Read().NDim;

    /// <summary>The size of each dimension.</summary>
    public unsafe long[] shape
    {
        get
        {
            long[] sizes = new long[Read().NDim];
            fixed (long* p = sizes) NativeMethods.Check(NativeMethods.hg_tensor_shape(Handle, p, sizes.Length));
            GC.KeepAlive(this);
            return sizes;
        }
    }

    /// <summary>The size of dimension <paramref name="dim"/> (negative counts from the end).</summary>
    public long size(long dim)
    {
        long[] sizes = shape;
        long d = dim < 0 ? dim + sizes.Length : dim;
        if (d < 0 || d >= sizes.Length)
            throw new TorchException($"Dimension out of range (expected to be in range of [{-sizes.Length}, {sizes.Length - 1}], but got {dim})");
        return sizes[d];
    }

    public long numel()
    {
        long n = 1;
        foreach (long size in shape) n *= size;
        return n;
    }

    /// <summary>Copies the values to the host (a host read: it waits for the device).</summary>
    public TensorAccessor<T> data<T>() where T : unmanaged => new(CopyToArray<T>());

    /// <summary>The single value of a one-element tensor.</summary>
    public T item<T>() where T : unmanaged
    {
        T[] values = CopyToArray<T>();
        return values.Length == 1
            ? values[0]
            : throw new TorchException($"a Tensor with {values.Length} elements cannot be converted to Scalar");
    }

    internal unsafe T[] CopyToArray<T>() where T : unmanaged
    {
        torch.ScalarType expected = DType.Of<T>();
        torch.ScalarType actual = dtype;
        if (actual != expected)
            throw new TorchException($"the tensor's dtype is {actual}; reading it as {typeof(T).Name} needs {expected} (convert it with .to(...) first)");
        T[] values = new T[numel()];
        fixed (T* p = values)
            NativeMethods.Check(NativeMethods.hg_tensor_copy_data(Handle, p, (long)values.Length * sizeof(T)));
        GC.KeepAlive(this);
        return values;
    }

    public override string ToString() => IsDisposed ? "tensor(<disposed>)" : TensorFormatter.Format(this);
}

/// <summary>The values of a tensor, copied to the host.</summary>
public sealed class TensorAccessor<T> where T : unmanaged
{
    private readonly T[] _values;
    internal TensorAccessor(T[] values) => _values = values;
    public long Count => _values.Length;
    public T this[long index] => _values[index];
    public T[] ToArray() => (T[])_values.Clone();
}

internal static class DType
{
    public static torch.ScalarType Of<T>() where T : unmanaged =>
        typeof(T) == typeof(float) ? torch.ScalarType.Float32
        : typeof(T) == typeof(double) ? torch.ScalarType.Float64
        : typeof(T) == typeof(long) ? torch.ScalarType.Int64
        : typeof(T) == typeof(int) ? torch.ScalarType.Int32
        : typeof(T) == typeof(short) ? torch.ScalarType.Int16
        : typeof(T) == typeof(sbyte) ? torch.ScalarType.Int8
        : typeof(T) == typeof(byte) ? torch.ScalarType.Byte
        : typeof(T) == typeof(bool) ? torch.ScalarType.Bool
        : typeof(T) == typeof(Half) ? torch.ScalarType.Float16
        : throw new NotSupportedException($"{typeof(T).Name} is not a tensor element type");

    public static bool IsFloating(torch.ScalarType t) =>
        t is torch.ScalarType.Float16 or torch.ScalarType.Float32 or torch.ScalarType.Float64 or torch.ScalarType.BFloat16;

    public static int Size(torch.ScalarType t) => t switch
    {
        torch.ScalarType.Byte or torch.ScalarType.Int8 or torch.ScalarType.Bool => 1,
        torch.ScalarType.Int16 or torch.ScalarType.Float16 or torch.ScalarType.BFloat16 => 2,
        torch.ScalarType.Int32 or torch.ScalarType.Float32 => 4,
        _ => 8,
    };
}
