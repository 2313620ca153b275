using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HybridGen.Torch.Native;

namespace HybridGen.Torch;

/// <summary>The entry point of the API, as in TorchSharp: <c>using static HybridGen.Torch.torch;</c>.</summary>
public static partial class torch
{
    // ---- tensors from .NET values -------------------------------------------------------------------------

    /// <summary>A tensor holding a copy of <paramref name="data"/>, row-major, with the given shape (the data's
    /// length when none is given). <paramref name="dtype"/> converts it; the element type sets the dtype otherwise.</summary>
    public static Tensor tensor(float[] data, long[]? dimensions = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromSpan<float>(data ?? throw new ArgumentNullException(nameof(data)), dimensions, dtype, device, requires_grad);
    /// <inheritdoc cref="tensor(float[], long[], ScalarType?, Device?, bool)"/>
    public static Tensor tensor(double[] data, long[]? dimensions = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromSpan<double>(data ?? throw new ArgumentNullException(nameof(data)), dimensions, dtype, device, requires_grad);
    /// <inheritdoc cref="tensor(float[], long[], ScalarType?, Device?, bool)"/>
    public static Tensor tensor(long[] data, long[]? dimensions = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromSpan<long>(data ?? throw new ArgumentNullException(nameof(data)), dimensions, dtype, device, requires_grad);
    /// <inheritdoc cref="tensor(float[], long[], ScalarType?, Device?, bool)"/>
    public static Tensor tensor(int[] data, long[]? dimensions = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromSpan<int>(data ?? throw new ArgumentNullException(nameof(data)), dimensions, dtype, device, requires_grad);
    /// <inheritdoc cref="tensor(float[], long[], ScalarType?, Device?, bool)"/>
    public static Tensor tensor(short[] data, long[]? dimensions = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromSpan<short>(data ?? throw new ArgumentNullException(nameof(data)), dimensions, dtype, device, requires_grad);
    /// <inheritdoc cref="tensor(float[], long[], ScalarType?, Device?, bool)"/>
    public static Tensor tensor(sbyte[] data, long[]? dimensions = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromSpan<sbyte>(data ?? throw new ArgumentNullException(nameof(data)), dimensions, dtype, device, requires_grad);
    /// <inheritdoc cref="tensor(float[], long[], ScalarType?, Device?, bool)"/>
    public static Tensor tensor(byte[] data, long[]? dimensions = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromSpan<byte>(data ?? throw new ArgumentNullException(nameof(data)), dimensions, dtype, device, requires_grad);
    /// <inheritdoc cref="tensor(float[], long[], ScalarType?, Device?, bool)"/>
    public static Tensor tensor(bool[] data, long[]? dimensions = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromSpan<bool>(data ?? throw new ArgumentNullException(nameof(data)), dimensions, dtype, device, requires_grad);
    /// <inheritdoc cref="tensor(float[], long[], ScalarType?, Device?, bool)"/>
    public static Tensor tensor(Half[] data, long[]? dimensions = null, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => FromSpan<Half>(data ?? throw new ArgumentNullException(nameof(data)), dimensions, dtype, device, requires_grad);

    /// <summary>A tensor from a multi-dimensional array (<c>new float[,] {{1, 2}, {3, 4}}</c>): its shape is the array's.</summary>
    public static Tensor tensor(Array data, ScalarType? dtype = null, Device? device = null, bool requires_grad = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        long[] dims = new long[data.Rank];
        for (int d = 0; d < dims.Length; d++) dims[d] = data.GetLength(d);
        return data switch
        {
            float[,] or float[,,] or float[,,,] => FromArray<float>(data, dims, dtype, device, requires_grad),
            double[,] or double[,,] or double[,,,] => FromArray<double>(data, dims, dtype, device, requires_grad),
            long[,] or long[,,] or long[,,,] => FromArray<long>(data, dims, dtype, device, requires_grad),
            int[,] or int[,,] or int[,,,] => FromArray<int>(data, dims, dtype, device, requires_grad),
            bool[,] or bool[,,] or bool[,,,] => FromArray<bool>(data, dims, dtype, device, requires_grad),
            byte[,] or byte[,,] or byte[,,,] => FromArray<byte>(data, dims, dtype, device, requires_grad),
            float[] f => tensor(f, null, dtype, device, requires_grad),
            double[] f => tensor(f, null, dtype, device, requires_grad),
            long[] f => tensor(f, null, dtype, device, requires_grad),
            int[] f => tensor(f, null, dtype, device, requires_grad),
            _ => throw new ArgumentException($"{data.GetType().Name} is not an array of a tensor element type of rank 1 to 4", nameof(data)),
        };
    }

    /// <summary>A 0-dimensional tensor holding one value.</summary>
    public static Tensor tensor(float value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => tensor(new[] { value }, Array.Empty<long>(), dtype, device, requires_grad);
    /// <inheritdoc cref="tensor(float, ScalarType?, Device?, bool)"/>
    public static Tensor tensor(double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) => tensor(new[] { value }, Array.Empty<long>(), dtype, device, requires_grad);
    /// <inheritdoc cref="tensor(float, ScalarType?, Device?, bool)"/>
    public static Tensor tensor(long value, ScalarType? dtype = null, Device? device = null) => tensor(new[] { value }, Array.Empty<long>(), dtype, device);
    /// <inheritdoc cref="tensor(float, ScalarType?, Device?, bool)"/>
    public static Tensor tensor(bool value, Device? device = null) => tensor(new[] { value }, Array.Empty<long>(), null, device);

    private static Tensor FromArray<T>(Array data, long[] dims, ScalarType? dtype, Device? device, bool requiresGrad) where T : unmanaged
    {
        ReadOnlySpan<T> values = MemoryMarshal.CreateReadOnlySpan(
            ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(data)), data.Length);
        return FromSpan(values, dims, dtype, device, requiresGrad);
    }

    private static unsafe Tensor FromSpan<T>(ReadOnlySpan<T> data, long[]? dimensions, ScalarType? dtype, Device? device, bool requiresGrad) where T : unmanaged
    {
        dimensions ??= new long[] { data.Length };
        long count = 1;
        foreach (long size in dimensions)
        {
            if (size < 0) throw new ArgumentException($"negative dimension {size} in the shape", nameof(dimensions));
            count *= size;
        }
        if (count != data.Length)
            throw new ArgumentException(
                $"the shape [{string.Join(", ", dimensions)}] holds {count} values but {data.Length} were given", nameof(data));
        Tensor result;
        fixed (T* values = data)
        fixed (long* shape = dimensions)
        {
            NativeMethods.Check(NativeMethods.hg_tensor_from_data(values, (int)DType.Of<T>(), shape, dimensions.Length, out nint handle));
            result = new Tensor(handle);
        }
        return Finish(result, dtype, device, requiresGrad);
    }

    /// <summary>Applies the dtype, device and requires_grad a creation call asked for.</summary>
    private static Tensor Finish(Tensor t, ScalarType? dtype, Device? device, bool requiresGrad)
    {
        if (dtype is not null || device is not null)
        {
            Tensor converted = AtenOps.to_dtype_layout.Call(t, Arg.Optional(dtype), Arg.None, Arg.Optional(device));
            t.Dispose();
            t = converted;
        }
        return requiresGrad ? t.requires_grad_() : t;
    }

    // ---- filled tensors ---------------------------------------------------------------------------------------

    [AtenOp("aten::zeros(size, dtype=dtype)")]
    public static Tensor zeros(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Finish(AtenOps.zeros.Call(size, Arg.Optional(dtype), Arg.None, Arg.Optional(device)), null, null, requires_grad);

    [AtenOp("aten::ones(size, dtype=dtype)")]
    public static Tensor ones(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Finish(AtenOps.ones.Call(size, Arg.Optional(dtype), Arg.None, Arg.Optional(device)), null, null, requires_grad);

    [AtenOp("aten::empty.memory_format(size, dtype=dtype)")]
    public static Tensor empty(long[] size, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Finish(AtenOps.empty_memory_format.Call(size, Arg.Optional(dtype), Arg.None, Arg.Optional(device)), null, null, requires_grad);

    [AtenOp("aten::full(size, value, dtype=dtype)")]
    public static Tensor full(long[] size, double value, ScalarType? dtype = null, Device? device = null, bool requires_grad = false) =>
        Finish(AtenOps.full.Call(size, value, Arg.Optional(dtype ?? ScalarType.Float32), Arg.None, Arg.Optional(device)), null, null, requires_grad);

    [AtenOp("aten::zeros")] public static Tensor zeros(params long[] size) => AtenOps.zeros.Call(size);
    [AtenOp("aten::ones")] public static Tensor ones(params long[] size) => AtenOps.ones.Call(size);
    [AtenOp("aten::empty.memory_format")] public static Tensor empty(params long[] size) => AtenOps.empty_memory_format.Call(size);

    /// <summary>Values from <paramref name="start"/> up to (not including) <paramref name="end"/> by <paramref name="step"/>.
    /// Integer bounds give an int64 tensor, floating ones float32, as in PyTorch.</summary>
    [AtenOp("aten::arange.start_step(start, end, step, dtype=dtype)")]
    public static Tensor arange(double start, double end, double step = 1, ScalarType? dtype = null, Device? device = null) =>
        AtenOps.arange_start_step.Call(start, end, step, Arg.Optional(dtype), Arg.None, Arg.Optional(device));

    [AtenOp("aten::arange.start_step(start, end, step, dtype=dtype)")]
    public static Tensor arange(long start, long end, long step = 1, ScalarType? dtype = null, Device? device = null) =>
        AtenOps.arange_start_step.Call(start, end, step, Arg.Optional(dtype), Arg.None, Arg.Optional(device));

    [AtenOp("aten::arange.start_step(0, end, 1)")]
    public static Tensor arange(long end) => AtenOps.arange_start_step.Call(0L, end, 1L);

    [AtenOp("aten::linspace(start, end, steps, dtype=dtype)")]
    public static Tensor linspace(double start, double end, long steps, ScalarType? dtype = null, Device? device = null) =>
        AtenOps.linspace.Call(start, end, steps, Arg.Optional(dtype), Arg.None, Arg.Optional(device));

    [AtenOp("aten::eye(n, dtype=dtype)")]
    public static Tensor eye(long n, ScalarType? dtype = null, Device? device = null) =>
        AtenOps.eye.Call(n, Arg.Optional(dtype), Arg.None, Arg.Optional(device));

    [AtenOp("aten::zeros_like(input, dtype=dtype)")]
    public static Tensor zeros_like(Tensor input, ScalarType? dtype = null) => AtenOps.zeros_like.Call(input, Arg.Optional(dtype));

    [AtenOp("aten::ones_like(input, dtype=dtype)")]
    public static Tensor ones_like(Tensor input, ScalarType? dtype = null) => AtenOps.ones_like.Call(input, Arg.Optional(dtype));

    [AtenOp("aten::empty_like(input, dtype=dtype)")]
    public static Tensor empty_like(Tensor input, ScalarType? dtype = null) => AtenOps.empty_like.Call(input, Arg.Optional(dtype));

    [AtenOp("aten::full_like(input, value, dtype=dtype)")]
    public static Tensor full_like(Tensor input, double value, ScalarType? dtype = null) => AtenOps.full_like.Call(input, value, Arg.Optional(dtype));

    // ---- random -----------------------------------------------------------------------------------------------

    /// <summary>Uniform samples in [0, 1) from <paramref name="generator"/> or the default generator.</summary>
    [AtenOp("aten::rand.generator(size, generator=generator, dtype=dtype)")]
    public static Tensor rand(long[] size, Generator? generator = null, ScalarType? dtype = null, Device? device = null) =>
        AtenOps.rand_generator.Call(size, Arg.Optional(generator), Arg.Optional(dtype), Arg.None, Arg.Optional(device));

    /// <summary>Standard-normal samples from <paramref name="generator"/> or the default generator (seed it with
    /// <see cref="manual_seed"/>).</summary>
    [AtenOp("aten::randn.generator(size, generator=generator, dtype=dtype)")]
    public static Tensor randn(long[] size, Generator? generator = null, ScalarType? dtype = null, Device? device = null) =>
        AtenOps.randn_generator.Call(size, Arg.Optional(generator), Arg.Optional(dtype), Arg.None, Arg.Optional(device));

    [AtenOp("aten::rand")] public static Tensor rand(params long[] size) => AtenOps.rand.Call(size);
    [AtenOp("aten::randn")] public static Tensor randn(params long[] size) => AtenOps.randn.Call(size);

    /// <summary>Integers uniform in [<paramref name="low"/>, <paramref name="high"/>), int64 unless told otherwise.</summary>
    [AtenOp("aten::randint.low_generator(low, high, size, generator=generator, dtype=dtype)")]
    public static Tensor randint(long low, long high, long[] size, Generator? generator = null, ScalarType? dtype = null, Device? device = null) =>
        AtenOps.randint_low_generator.Call(low, high, size, Arg.Optional(generator), dtype ?? ScalarType.Int64, Arg.None, Arg.Optional(device));

    /// <summary>A random permutation of 0 .. n-1 (int64).</summary>
    [AtenOp("aten::randperm.generator(n, generator=generator)")]
    public static Tensor randperm(long n, Generator? generator = null) => AtenOps.randperm_generator.Call(n, Arg.Optional(generator), ScalarType.Int64);

    [AtenOp("aten::rand_like(input, dtype=dtype)")]
    public static Tensor rand_like(Tensor input, ScalarType? dtype = null) => AtenOps.rand_like.Call(input, Arg.Optional(dtype));

    [AtenOp("aten::randn_like(input, dtype=dtype)")]
    public static Tensor randn_like(Tensor input, ScalarType? dtype = null) => AtenOps.randn_like.Call(input, Arg.Optional(dtype));

    [AtenOp("aten::randint_like.low_dtype(input, low, high, dtype=dtype)")]
    public static Tensor randint_like(Tensor input, long low, long high, ScalarType? dtype = null) =>
        AtenOps.randint_like_low_dtype.Call(input, low, high, Arg.Optional(dtype));
}
