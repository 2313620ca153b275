using System;

namespace HybridGen.Generator.Catalog;

/// <summary>What the analysis must know about an op besides its spelling (docs/architecture.md, decision 2).</summary>
[Flags]
internal enum OpFacts
{
    None = 0,

    /// <summary>Writes into its receiver (<c>add_</c>, <c>relu_</c>, <c>copy_</c>): on an input, that is HG0110.</summary>
    InPlace = 1,

    /// <summary>The result may share storage with the receiver or an argument (views, <c>to</c>, <c>detach</c>).</summary>
    MayAlias = 2,

    /// <summary>The result's shape depends on tensor values (<c>nonzero</c>, <c>masked_select</c>): not capturable as a
    /// CUDA graph (HG0204, advice).</summary>
    DataDependentShape = 4,

    /// <summary>Copies values to the host (<c>item</c>): HG0103, no twin.</summary>
    HostRead = 8,

    /// <summary>Draws random numbers: the twin and eager agree in distribution, not in values.</summary>
    Random = 16,

    /// <summary>Produces a boolean mask (comparisons): the analysis tracks masks for HG0104.</summary>
    Mask = 32,

    /// <summary>Returns uninitialized memory (<c>empty</c>): twin and eager agree in dtype and shape only.</summary>
    Uninitialized = 64,
}

/// <summary>
/// One row of the op catalog: a TorchSharp method (every overload of <see cref="Name"/> on <see cref="Owner"/>,
/// or those whose parameters match <see cref="Overload"/>), how its call is spelled in TorchScript, what the
/// analysis must know of it, and an example call the catalog's equivalence test runs eager and as a twin.
/// </summary>
/// <param name="Owner">Where the method lives: <c>Tensor</c> (an instance method), <c>torch</c>,
/// <c>functional</c> (<c>torch.nn.functional</c>), <c>linalg</c>, <c>special</c>, or <c>operator</c> (a C# operator
/// on Tensor, named by its metadata name such as <c>op_Addition</c>).</param>
/// <param name="Spelling">The TorchScript call, in a small language: <c>aten::abs</c> alone means the aten op
/// called with the receiver (if any) and then the C# arguments in order; <c>aten::sum(self, dtype=type)</c> names
/// the C# parameters (<c>self</c> is the receiver) and may nest calls and literals (numbers, True, False, None,
/// quoted strings). A spelling that names parameters matches only overloads that have exactly those parameters.</param>
/// <param name="Overload">Null for every overload; else the parameter kinds in order, comma-separated:
/// <c>Tensor</c>, <c>Scalar</c> (a number or TorchSharp Scalar), an array of a number type (<c>long[]</c>),
/// <c>*</c> (anything); an empty string is the overload without parameters.</param>
/// <param name="Example">A C# expression over the fixture tensors <c>x</c>, <c>y</c> (float32 [3,4], values in
/// (0.1, 1)) and <c>m</c> (float32 [4,4]), for the generated equivalence test; null where the row shares the
/// previous row's example.</param>
internal sealed record OpRow(string Owner, string Name, string Spelling, OpFacts Facts = OpFacts.None, string? Overload = null, string? Example = null);
