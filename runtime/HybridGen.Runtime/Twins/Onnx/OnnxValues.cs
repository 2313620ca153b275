using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

/// <summary>The twin has no ONNX form for this call (a construct or op the ONNX emitter does not map, a condition on
/// a tensor's values...): the call takes another route; <see cref="Exception.Message"/> says why, for the report.</summary>
internal sealed class NoOnnxFormException : Exception
{
    public NoOnnxFormException(string reason) : base(reason) { }
}

/// <summary>A value while the ONNX emitter runs a twin's IR for one signature: host values (numbers, bools, strings,
/// None, lists, tuples) are computed there and then, tensors are ONNX values of the graph being built.</summary>
internal abstract class OnnxValue
{
    public static readonly OnnxHost None = new(null);
}

/// <summary>A host value: long, double, bool, string or null (None).</summary>
internal sealed class OnnxHost : OnnxValue
{
    public OnnxHost(object? value) => Value = value;

    public object? Value { get; }

    public override string ToString() => Value?.ToString() ?? "None";
}

/// <summary>A tensor of the graph: its ONNX value name, dtype and shape as far as known (null: the rank is not
/// known; a null dimension: its size is not). <see cref="Root"/> is the tensor whose memory a view shares, and an
/// in-place op is mapped only on a tensor of the body's own that nothing else views.</summary>
internal sealed class OnnxTensor : OnnxValue
{
    public OnnxTensor(string name, ScalarType dtype, long?[]? shape, OnnxTensor? viewOf = null, bool isInput = false)
    {
        Name = name;
        DType = dtype;
        Shape = shape;
        Root = viewOf?.Root ?? this;
        IsInput = isInput;
        if (viewOf is not null) Root.Views++;
    }

    public string Name { get; }
    public ScalarType DType { get; }
    public long?[]? Shape { get; }
    public int? Rank => Shape?.Length;
    public OnnxTensor Root { get; }
    public bool IsInput { get; }

    /// <summary>How many views of this (root) tensor the body made.</summary>
    public int Views { get; set; }

    /// <summary>Whether an in-place op on it can be mapped (as the op's result rebound to its variables): nothing else
    /// sees its memory change, since it is the body's own (not an input), not a view, and not viewed.</summary>
    public bool Unshared => !IsInput && Root == this && Views == 0;

    /// <summary>A size tensor (an int64 [1] the graph computes from a shape the signature does not fix), usable
    /// where a list of sizes goes (a reshape's target) and in + - *.</summary>
    public bool IsSize { get; init; }

    public bool ShapeKnown => Shape is not null && Array.TrueForAll(Shape, d => d.HasValue);

    public long[] StaticShape() => Shape is not null && ShapeKnown ? Array.ConvertAll(Shape, d => d!.Value)
        : throw new NoOnnxFormException("a shape the signature does not fix");
}

/// <summary>A list (shared by reference, as TorchScript's and C#'s lists are).</summary>
internal sealed class OnnxList : OnnxValue
{
    public OnnxList(List<OnnxValue> items) => Items = items;

    public List<OnnxValue> Items { get; }
}

/// <summary>A tuple (several results, a deconstruction).</summary>
internal sealed class OnnxTuple : OnnxValue
{
    public OnnxTuple(OnnxValue[] items) => Items = items;

    public OnnxValue[] Items { get; }
}

/// <summary><c>x.shape</c> of a tensor whose shape the signature does not fix: indexing it gives a size tensor.</summary>
internal sealed class OnnxShapeOf : OnnxValue
{
    public OnnxShapeOf(OnnxTensor tensor) => Tensor = tensor;

    public OnnxTensor Tensor { get; }
}
