namespace HybridGen.Graph;

/// <summary>A statement of a twin function. Bodies are arrays of statements; an empty body is valid (the
/// TorchScript printer writes <c>pass</c>).</summary>
internal abstract record GraphStatement;

/// <summary>The C# line the statements after it came from (file name, line, the code shortened): TorchScript
/// carries it as a comment, which the runtime's TwinErrors maps a failure back to.</summary>
internal sealed record GraphOrigin(string File, int Line, string Code) : GraphStatement;

/// <summary><c>target = value</c>; a target is a name, a list element or (unparenthesized) a tuple of names.
/// <see cref="Annotation"/> types an empty list of numbers, which TorchScript would take for List[Tensor].</summary>
internal sealed record GraphAssign(GraphExpr Target, GraphExpr Value, string? Annotation = null) : GraphStatement;

/// <summary>A value computed for its effect (<c>list.append(v)</c>, <c>torch.set_grad_enabled(False)</c>, an
/// in-place op).</summary>
internal sealed record GraphEvaluate(GraphExpr Value) : GraphStatement;

/// <summary><c>return</c>, with a value (a tuple for several results) or none.</summary>
internal sealed record GraphReturn(GraphExpr? Value) : GraphStatement;

/// <summary><c>if</c>, then <c>elif</c> for each further branch (a switch), then <c>else</c> where there is one.</summary>
internal sealed record GraphIf(EquatableArray<GraphBranch> Branches, EquatableArray<GraphStatement>? Else) : GraphStatement;

/// <summary>A condition and the statements it guards.</summary>
internal sealed record GraphBranch(GraphExpr Condition, EquatableArray<GraphStatement> Body);

internal sealed record GraphWhile(GraphExpr Condition, EquatableArray<GraphStatement> Body) : GraphStatement;

/// <summary><c>for variable in range(start, end, step)</c>: the end is read once, as range() does.</summary>
internal sealed record GraphForRange(string Variable, GraphExpr Start, GraphExpr End, long Step, EquatableArray<GraphStatement> Body) : GraphStatement;

/// <summary><c>for variable in items</c> over a list.</summary>
internal sealed record GraphForEach(string Variable, GraphExpr Items, EquatableArray<GraphStatement> Body) : GraphStatement;

internal sealed record GraphBreak : GraphStatement;

internal sealed record GraphContinue : GraphStatement;

/// <summary>A C# throw: the call fails with <see cref="Message"/> (TorchScript's default resolver knows no exception
/// types, so it is an assertion that fails).</summary>
internal sealed record GraphRaise(string Message) : GraphStatement;

/// <summary>A function of the twin: the hybridized method, a helper it calls or a user module's forward.</summary>
internal sealed record GraphFunction(string Name, EquatableArray<GraphParameter> Parameters, string Returns, EquatableArray<GraphStatement> Body);

/// <summary>A parameter, with its TorchScript annotation (<c>Tensor</c>, <c>List[Tensor]</c>, <c>Optional[int]</c>).</summary>
internal sealed record GraphParameter(string Name, string Annotation);

/// <summary>A whole twin: the runtime functions it calls (TorchScript sources of TorchScriptHelpers, by
/// name), then its functions, the hybridized method's last.</summary>
internal sealed record GraphProgram(EquatableArray<string> Runtime, EquatableArray<GraphFunction> Functions)
{
    public GraphFunction Main => Functions[Functions.Count - 1];
}
