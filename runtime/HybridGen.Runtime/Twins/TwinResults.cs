using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HybridGen.Native;
using TorchSharp;
using static TorchSharp.torch;
using Cell = HybridGen.Native.LibTorchSharp.TensorOrScalar;

namespace HybridGen.Twins;

/// <summary>
/// Where libtorch writes a twin's results: TorchSharp's invoke asks an allocator for one cell array per result
/// level (the top level, then one per nested tuple or list). The arrays live per thread and are reused, so a call
/// allocates nothing; a result is read (and its tensors wrapped) before the thread's next call.
/// </summary>
internal static unsafe class TwinResults
{
    [ThreadStatic] private static nint[]? t_arrays; // Cell* each
    [ThreadStatic] private static int[]? t_capacity;
    [ThreadStatic] private static int[]? t_length;

    internal static delegate* unmanaged<int, nuint, Cell*> Allocator => &Allocate;

    [UnmanagedCallersOnly]
    private static Cell* Allocate(int index, nuint length)
    {
        if (index < 0 || length > int.MaxValue) return null; // TorchSharp reports a null array as an error
        t_arrays ??= new nint[4];
        t_capacity ??= new int[4];
        t_length ??= new int[4];
        if (index >= t_arrays.Length)
        {
            int size = Math.Max(index + 1, t_arrays.Length * 2);
            Array.Resize(ref t_arrays, size);
            Array.Resize(ref t_capacity, size);
            Array.Resize(ref t_length, size);
        }
        int needed = Math.Max(1, (int)length);
        if (t_capacity[index] < needed)
        {
            NativeMemory.Free((void*)t_arrays[index]);
            int capacity = Math.Max(needed, 8);
            t_arrays[index] = (nint)NativeMemory.Alloc((nuint)capacity, (nuint)sizeof(Cell));
            t_capacity[index] = capacity;
        }
        t_length[index] = (int)length;
        return (Cell*)t_arrays[index];
    }

    /// <summary>Flattens the call's result into <paramref name="results"/> (tuples flattened, lists kept whole) and
    /// returns the count. Tensors become TorchSharp tensors owned by the caller's current dispose scope.</summary>
    internal static int Read(sbyte typeCode, Span<TwinValue> results)
    {
        int count = 0;
        switch (typeCode)
        {
            case LibTorchSharp.ResultNone:
                Put(results, ref count, TwinValue.None);
                break;
            case LibTorchSharp.ResultTensor:
                Put(results, ref count, Tensor.UnsafeCreateTensor(((Cell*)t_arrays![0])[0].Handle));
                break;
            case LibTorchSharp.ResultScalar:
                Put(results, ref count, ReadScalar(((Cell*)t_arrays![0])[0].Handle));
                break;
            case LibTorchSharp.ResultTensorTuple or LibTorchSharp.ResultScalarTuple or LibTorchSharp.ResultTuple:
                ReadTuple(0, results, ref count);
                break;
            case LibTorchSharp.ResultTensorList:
                Put(results, ref count, ReadTensorList(0));
                break;
            default:
                throw new ExternalException($"a graph twin returned a value HybridGen cannot read (TorchSharp result kind {typeCode})");
        }
        return count;
    }

    private static void ReadTuple(int array, Span<TwinValue> results, ref int count)
    {
        Cell* cells = (Cell*)t_arrays![array];
        int length = t_length![array];
        for (int k = 0; k < length; k++)
        {
            Cell cell = cells[k];
            switch (cell.TypeCode)
            {
                case 0: Put(results, ref count, Tensor.UnsafeCreateTensor(cell.Handle)); break;
                case 4: Put(results, ref count, ReadScalar(cell.Handle)); break;
                case 8: Put(results, ref count, TwinValue.None); break;
                case LibTorchSharp.ResultTensorTuple or LibTorchSharp.ResultScalarTuple or LibTorchSharp.ResultTuple:
                    ReadTuple((int)cell.ArrayIndex, results, ref count);
                    break;
                case LibTorchSharp.ResultTensorList:
                    Put(results, ref count, ReadTensorList((int)cell.ArrayIndex));
                    break;
                default:
                    throw new ExternalException($"a graph twin returned a tuple element HybridGen cannot read (TorchSharp kind {cell.TypeCode})");
            }
        }
    }

    private static TwinValue ReadTensorList(int array)
    {
        Cell* cells = (Cell*)t_arrays![array];
        var tensors = new Tensor[t_length![array]];
        for (int k = 0; k < tensors.Length; k++) tensors[k] = Tensor.UnsafeCreateTensor(cells[k].Handle);
        return TwinValue.OwnedTensors(tensors);
    }

    private static TwinValue ReadScalar(nint scalar)
    {
        try
        {
            // c10 ScalarType codes: 0-4 integers, 5-7 floating, 11 bool.
            sbyte type = LibTorchSharp.ScalarType(scalar);
            return type switch
            {
                11 => LibTorchSharp.ScalarToBool(scalar),
                <= 4 => LibTorchSharp.ScalarToInt64(scalar),
                _ => LibTorchSharp.ScalarToDouble(scalar),
            };
        }
        finally
        {
            LibTorchSharp.DisposeScalar(scalar);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(Span<TwinValue> results, ref int count, TwinValue value)
    {
        if (count < results.Length) results[count] = value;
        else if (value.Tensor is { } extra) extra.Dispose(); // more results than the method has: counted, not kept
        count++;
    }
}
