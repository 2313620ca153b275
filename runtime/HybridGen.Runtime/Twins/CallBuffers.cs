using System;
using Cell = HybridGen.Native.LibTorchSharp.TensorOrScalar;

namespace HybridGen.Twins;

/// <summary>Per-thread argument cells for twin calls too long for the stack (a model's state); a twin call
/// never starts another on its thread, so one set per thread suffices.</summary>
internal static class CallBuffers
{
    [ThreadStatic] private static Cell[]? t_cells;
    [ThreadStatic] private static Cell[]? t_listCells;
    [ThreadStatic] private static nint[]? t_scalars;

    public static Span<Cell> Cells(int count) => Get(ref t_cells, count);

    public static Span<Cell> ListCells(int count) => Get(ref t_listCells, count);

    public static Span<nint> Scalars(int count) => Get(ref t_scalars, count);

    private static Span<T> Get<T>(ref T[]? buffer, int count)
    {
        if (buffer is null || buffer.Length < count) buffer = new T[Math.Max(count, 256)];
        return buffer.AsSpan(0, count);
    }
}
