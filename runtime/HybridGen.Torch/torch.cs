using System;
using HybridGen.Torch.Native;

namespace HybridGen.Torch;

/// <summary>The entry point of the API, as in TorchSharp: <c>using static HybridGen.Torch.torch;</c>.</summary>
public static partial class torch
{
    /// <summary>A tensor holding a copy of <paramref name="data"/> with the given shape (row-major).</summary>
    public static Tensor tensor(float[] data, params long[] dimensions) => FromData<float>(data, dimensions);

    /// <inheritdoc cref="tensor(float[], long[])"/>
    public static Tensor tensor(double[] data, params long[] dimensions) => FromData<double>(data, dimensions);

    /// <inheritdoc cref="tensor(float[], long[])"/>
    public static Tensor tensor(long[] data, params long[] dimensions) => FromData<long>(data, dimensions);

    private static unsafe Tensor FromData<T>(T[] data, long[] dimensions) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(dimensions);
        if (dimensions.Length == 0 && data.Length != 1) dimensions = new long[] { data.Length };
        long count = 1;
        foreach (long size in dimensions)
        {
            if (size < 0) throw new ArgumentException($"negative dimension {size} in the shape", nameof(dimensions));
            count *= size;
        }
        if (count != data.Length)
            throw new ArgumentException(
                $"the shape [{string.Join(", ", dimensions)}] holds {count} values but {data.Length} were given", nameof(data));
        fixed (T* values = data)
        fixed (long* shape = dimensions)
        {
            NativeMethods.Check(NativeMethods.hg_tensor_from_data(values, (int)DType.Of<T>(), shape, dimensions.Length, out nint handle));
            return new Tensor(handle);
        }
    }

    [AtenOp("aten::zeros")] public static Tensor zeros(long[] size, ScalarType? dtype = null) => AtenOps.zeros.Call(size, dtype);
    [AtenOp("aten::ones")] public static Tensor ones(long[] size, ScalarType? dtype = null) => AtenOps.ones.Call(size, dtype);

    /// <summary>Standard-normal samples from the default generator (seed it with <see cref="manual_seed"/>).</summary>
    [AtenOp("aten::randn")] public static Tensor randn(long[] size, ScalarType? dtype = null) => AtenOps.randn.Call(size, dtype);

    public static Tensor zeros(params long[] size) => zeros(size, null);
    public static Tensor ones(params long[] size) => ones(size, null);
    public static Tensor randn(params long[] size) => randn(size, null);

    /// <summary>Seeds the default random generators (CPU and, where present, CUDA).</summary>
    public static void manual_seed(long seed) => NativeMethods.Check(NativeMethods.hg_manual_seed(unchecked((ulong)seed)));

    /// <summary>Sets the number of intra-op threads libtorch uses.</summary>
    public static void set_num_threads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread");
        NativeMethods.Check(NativeMethods.hg_set_num_threads(threads));
    }

    [AtenOp("aten::matmul")] public static Tensor matmul(Tensor input, Tensor other) => AtenOps.matmul.Call(input, other);
    [AtenOp("aten::relu")] public static Tensor relu(Tensor input) => AtenOps.relu.Call(input);
    [AtenOp("aten::tanh")] public static Tensor tanh(Tensor input) => AtenOps.tanh.Call(input);
    [AtenOp("aten::sigmoid")] public static Tensor sigmoid(Tensor input) => AtenOps.sigmoid.Call(input);
    [AtenOp("aten::sum")] public static Tensor sum(Tensor input) => AtenOps.sum.Call(input);

    public static partial class nn
    {
        public static partial class functional
        {
            [AtenOp("aten::relu")] public static Tensor relu(Tensor input) => AtenOps.relu.Call(input);
            [AtenOp("aten::tanh")] public static Tensor tanh(Tensor input) => AtenOps.tanh.Call(input);
            [AtenOp("aten::sigmoid")] public static Tensor sigmoid(Tensor input) => AtenOps.sigmoid.Call(input);
        }
    }
}
