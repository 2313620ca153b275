using System;
using System.Collections.Generic;
using HybridGen.Torch.Native;

namespace HybridGen.Torch;

/// <summary>One position of an indexer: an integer, a slice (a C# range or <see cref="Slice"/>), a tensor of
/// indices or a boolean mask, <see cref="Ellipsis"/> or <see cref="None"/> (a new dimension of size 1).</summary>
public readonly struct TensorIndex
{
    internal enum Kinds { Single, Slice, Tensor, Ellipsis, None }

    internal Kinds Kind { get; }
    internal long Index { get; }
    internal long? Start { get; }
    internal long? Stop { get; }
    internal long Step { get; }
    internal Tensor? Tensor { get; }

    private TensorIndex(Kinds kind, long index = 0, long? start = null, long? stop = null, long step = 1, Tensor? tensor = null)
    {
        Kind = kind;
        Index = index;
        Start = start;
        Stop = stop;
        Step = step;
        Tensor = tensor;
    }

    public static readonly TensorIndex Ellipsis = new(Kinds.Ellipsis);
    public static readonly TensorIndex None = new(Kinds.None);
    public static readonly TensorIndex Colon = new(Kinds.Slice);

    /// <summary>start:stop:step, as in Python; negative values count from the end.</summary>
    public static TensorIndex Slice(long? start = null, long? stop = null, long step = 1) =>
        step > 0 ? new(Kinds.Slice, start: start, stop: stop, step: step) : throw new ArgumentOutOfRangeException(nameof(step), "slice step must be positive");

    public static implicit operator TensorIndex(long index) => new(Kinds.Single, index: index);
    public static implicit operator TensorIndex(int index) => new(Kinds.Single, index: index);
    public static implicit operator TensorIndex(Tensor indices) => new(Kinds.Tensor, tensor: indices ?? throw new ArgumentNullException(nameof(indices)));

    /// <summary>A C# index: <c>x[^1]</c> is the last row.</summary>
    public static implicit operator TensorIndex(Index index) => new(Kinds.Single, index: index.IsFromEnd ? -index.Value : index.Value);

    /// <summary>A C# range: <c>x[1..3]</c>, <c>x[..^1]</c>.</summary>
    public static implicit operator TensorIndex(Range range) => new(Kinds.Slice,
        start: range.Start.IsFromEnd ? -range.Start.Value : range.Start.Value,
        stop: range.End.IsFromEnd ? (range.End.Value == 0 ? null : -range.End.Value) : range.End.Value);
}

public partial class Tensor
{
    /// <summary>Indexing as in PyTorch: <c>x[0]</c>, <c>x[1..3, TensorIndex.Ellipsis]</c>, <c>x[mask]</c>.
    /// Integers and slices give views; tensors give copies (advanced indexing).</summary>
    public Tensor this[params TensorIndex[] indices] => index(indices);

    /// <summary>See the indexer: selects with ops aten::select.int, aten::slice.Tensor, aten::unsqueeze and
    /// aten::index.Tensor.</summary>
    public Tensor index(params TensorIndex[] indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        long rank = dim();
        int consumed = 0;
        foreach (TensorIndex i in indices)
            if (i.Kind is TensorIndex.Kinds.Single or TensorIndex.Kinds.Slice or TensorIndex.Kinds.Tensor) consumed++;
        if (consumed > rank) throw new TorchException($"too many indices for tensor of dimension {rank}");

        Tensor current = this;
        var advanced = new List<(long dim, Tensor index)>();
        long d = 0;
        try
        {
            foreach (TensorIndex i in indices)
            {
                switch (i.Kind)
                {
                    case TensorIndex.Kinds.Single:
                        current = Step(current, AtenOps.select_int.Call(current, d, i.Index));
                        break;
                    case TensorIndex.Kinds.Slice:
                        current = Step(current, AtenOps.slice_Tensor.Call(current, d, Arg.Optional(i.Start), Arg.Optional(i.Stop), i.Step));
                        d++;
                        break;
                    case TensorIndex.Kinds.None:
                        current = Step(current, AtenOps.unsqueeze.Call(current, d));
                        d++;
                        break;
                    case TensorIndex.Kinds.Ellipsis:
                        d += rank - consumed;
                        break;
                    case TensorIndex.Kinds.Tensor:
                        advanced.Add((d, i.Tensor!));
                        d += i.Tensor!.dtype == torch.ScalarType.Bool ? i.Tensor.dim() : 1;
                        break;
                }
            }
            if (advanced.Count == 0) return ReferenceEquals(current, this) ? AtenOps.slice_Tensor.Call(this, 0L, Arg.None, Arg.None, 1L) : current;
            var list = new Tensor?[advanced[^1].dim + 1];
            foreach ((long dim, Tensor index) in advanced) list[dim] = index;
            return Step(current, AtenOps.index_Tensor.Call(current, Arg.OptionalTensorList(list)));
        }
        catch
        {
            if (!ReferenceEquals(current, this)) current.Dispose();
            throw;
        }
    }

    private Tensor Step(Tensor previous, Tensor next)
    {
        if (!ReferenceEquals(previous, this)) previous.Dispose();
        return next;
    }
}
