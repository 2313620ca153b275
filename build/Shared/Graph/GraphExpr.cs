namespace HybridGen.Graph;

// The graph IR's values. Lowering builds them from the proven body; TorchScriptPrinter spells them (each node prints
// as the TorchScript the lowering wrote before the IR, so twins did not change); the ONNX emitter will read the
// same nodes. Records of strings and equatable arrays, as every model, so an incremental step can cache them.

/// <summary>A value in a twin function.</summary>
internal abstract record GraphExpr;

/// <summary>A local, a parameter, a graph input or a temporary, by its name in the function.</summary>
internal sealed record GraphName(string Name) : GraphExpr;

/// <summary>A constant, in TorchScript's spelling (<c>2</c>, <c>0.5</c>, <c>True</c>, <c>None</c>,
/// <c>"mean"</c>, <c>float('inf')</c>): ints without a '.', floats always with one.</summary>
internal sealed record GraphLiteral(string Text) : GraphExpr
{
    public static readonly GraphLiteral None = new("None");
    public static readonly GraphLiteral True = new("True");
    public static readonly GraphLiteral False = new("False");
}

/// <summary>A call: a catalog op (<c>torch.relu</c>, named by its aten schema), a host builtin (<c>len</c>,
/// <c>float</c>, <c>int</c>, <c>abs</c>, <c>max</c>, <c>round</c>), a lowered helper or user-module function, or a
/// runtime function of TorchScriptHelpers (C#'s integer division).</summary>
internal sealed record GraphCall(string Callee, EquatableArray<GraphArgument> Arguments) : GraphExpr
{
    public static GraphCall Of(string callee, params GraphExpr[] arguments) =>
        new(callee, System.Linq.Enumerable.Select(arguments, a => new GraphArgument(null, a)).ToEquatableArray());
}

/// <summary>An argument, positional or by keyword (<c>dim=1</c>).</summary>
internal sealed record GraphArgument(string? Keyword, GraphExpr Value);

/// <summary>A method of a value: <c>x.dim()</c>, <c>x.numel()</c>, <c>x.size(d)</c>, <c>list.append(v)</c>.</summary>
internal sealed record GraphMethodCall(GraphExpr Target, string Method, EquatableArray<GraphExpr> Arguments) : GraphExpr;

/// <summary>An attribute of a tensor: <c>shape</c>, <c>dtype</c>, <c>device</c>, <c>requires_grad</c>.</summary>
internal sealed record GraphAttribute(GraphExpr Target, string Name) : GraphExpr;

/// <summary>Host or tensor arithmetic, a comparison or a logical operator in TorchScript's spelling (<c>+</c>,
/// <c>**</c>, <c>and</c>, <c>!=</c>). <see cref="Parenthesized"/> is false only where a comparison is a condition
/// inside a larger expression (<c>a &gt; 0</c> in Math.Sign's spelling).</summary>
internal sealed record GraphBinary(string Operator, GraphExpr Left, GraphExpr Right, bool Parenthesized = true) : GraphExpr;

/// <summary><c>-x</c>, <c>not x</c>, <c>~x</c>.</summary>
internal sealed record GraphUnary(string Operator, GraphExpr Operand) : GraphExpr;

/// <summary>The conditional expression: only the chosen side is evaluated.</summary>
internal sealed record GraphConditional(GraphExpr Condition, GraphExpr WhenTrue, GraphExpr WhenFalse) : GraphExpr;

/// <summary>A tuple. <see cref="Parenthesized"/> is false for a function's several results (<c>return a, b</c>) and
/// deconstruction targets (<c>a, b = f(x)</c>).</summary>
internal sealed record GraphTuple(EquatableArray<GraphExpr> Elements, bool Parenthesized = true) : GraphExpr;

/// <summary>A list literal (TorchScript lists are shared references, as C#'s List).</summary>
internal sealed record GraphList(EquatableArray<GraphExpr> Elements) : GraphExpr;

/// <summary>A subscript: a list or tuple element, or tensor indexing with TorchSharp's TensorIndex meaning (each
/// part one dimension, a tensor part advanced indexing).</summary>
internal sealed record GraphIndex(GraphExpr Target, EquatableArray<GraphIndexPart> Parts) : GraphExpr;

/// <summary>The index <c>^k</c>, k from the end (TorchSharp's Single(-k)), spelled <c>-k</c>.</summary>
internal sealed record GraphFromEnd(GraphExpr Count) : GraphExpr;

/// <summary>A catalog module's forward (the generator's Catalog/ModuleCatalog.cs): the call of <see cref="Callee"/>
/// (a TorchScript op or a runtime function) on <see cref="Values"/>, each named in <see cref="Names"/> (<c>input</c>,
/// the row's states: <c>weight</c>, <c>bias</c>, <c>stride</c>..., further inputs <c>in1</c>..., constants such as
/// <c>dims</c>, construction settings). TorchScript prints the call; the ONNX emitter maps the module kind
/// (<see cref="Module"/>) and reads the values by name.</summary>
internal sealed record GraphModuleOp(string Module, string Callee, EquatableArray<string> Names, EquatableArray<GraphExpr> Values) : GraphExpr;

/// <summary>A call of a submodule whose module tree only the run time knows (decision 5: a Sequential filled from a
/// list, a field assigned in two branches): <see cref="Slot"/> numbers it among the method's run-time submodules,
/// whose live objects generated code reads at every call; <see cref="Path"/> names it for reports
/// (<c>layers</c>). The runtime's Composition/ModuleComposer replaces it with the live module's forward.
/// <see cref="MustAllocate"/>: the body treats the result as its own (writes it in place, disposes it), so the live
/// module must return a new tensor, never its input or a view of it.</summary>
internal sealed record GraphSubmoduleCall(int Slot, string Path, bool MustAllocate, EquatableArray<GraphExpr> Inputs) : GraphExpr;

/// <summary>One part of a subscript.</summary>
internal abstract record GraphIndexPart;

/// <summary>A single index: a number, a tensor (advanced indexing) or <see cref="GraphFromEnd"/>.</summary>
internal sealed record GraphIndexAt(GraphExpr Index) : GraphIndexPart;

/// <summary><c>start:stop:step</c>, a null part left out (<c>:</c> takes the whole dimension).</summary>
internal sealed record GraphIndexSlice(GraphExpr? Start, GraphExpr? Stop, GraphExpr? Step) : GraphIndexPart;

/// <summary><c>...</c> (TensorIndex.Ellipsis).</summary>
internal sealed record GraphIndexEllipsis : GraphIndexPart;

/// <summary><c>None</c>: a new axis (TensorIndex.None and .Null).</summary>
internal sealed record GraphIndexNewAxis : GraphIndexPart;
