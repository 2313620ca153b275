using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using HybridGen.Torch.Native;

namespace HybridGen.Torch;

/// <summary>
/// A libtorch tensor. Dispose it (or let a finalizer do it, later) to release its native storage.
/// Operators and methods follow TorchSharp's names; each declares the ATen operator it is with
/// <see cref="AtenOpAttribute"/>.
/// </summary>
public sealed partial class Tensor : IDisposable
{
    private static long s_live;
    private nint _handle;

    internal Tensor(nint handle)
    {
        _handle = handle;
        Interlocked.Increment(ref s_live);
    }

    ~Tensor() => Free();

    /// <summary>How many tensors hold native storage right now (created and not yet disposed or finalized).</summary>
    public static long LiveCount => Interlocked.Read(ref s_live);

    internal nint Handle
    {
        get
        {
            nint handle = Volatile.Read(ref _handle);
            return handle != 0 ? handle : throw new ObjectDisposedException(nameof(Tensor));
        }
    }

    public bool IsDisposed => Volatile.Read(ref _handle) == 0;

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle == 0) return;
        NativeMethods.hg_tensor_free(handle);
        Interlocked.Decrement(ref s_live);
    }

    private (torch.ScalarType dtype, int ndim) Info()
    {
        NativeMethods.Check(NativeMethods.hg_tensor_info(Handle, out int dtype, out int ndim, out _, out _));
        GC.KeepAlive(this);
        return ((torch.ScalarType)dtype, ndim);
    }

    public torch.ScalarType dtype => Info().dtype;

    public long Dimensions => Info().ndim;

    public long dim() => Info().ndim;

    /// <summary>The size of each dimension.</summary>
    public unsafe long[] shape
    {
        get
        {
            long[] sizes = new long[Info().ndim];
            fixed (long* p = sizes) NativeMethods.Check(NativeMethods.hg_tensor_shape(Handle, p, sizes.Length));
            GC.KeepAlive(this);
            return sizes;
        }
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
            : throw new TorchException($"item() needs a tensor with one element; this one has {values.Length}");
    }

    private unsafe T[] CopyToArray<T>() where T : unmanaged
    {
        torch.ScalarType expected = DType.Of<T>();
        torch.ScalarType actual = dtype;
        if (actual != expected)
            throw new TorchException($"the tensor's dtype is {actual}; reading it as {typeof(T).Name} needs {expected} (convert it first)");
        T[] values = new T[numel()];
        fixed (T* p = values)
            NativeMethods.Check(NativeMethods.hg_tensor_copy_data(Handle, p, (long)values.Length * sizeof(T)));
        GC.KeepAlive(this);
        return values;
    }

    public override string ToString()
    {
        if (IsDisposed) return "Tensor (disposed)";
        string dims = string.Join("x", shape.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        return $"[{dims}], type = {dtype}, device = cpu";
    }
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
}
