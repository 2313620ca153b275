using System.Collections.Generic;
using System.Linq;
using HybridGen.Generator.Analysis;
using HybridGen.Generator.Model;
using HybridGen.Graph;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace HybridGen.Generator.Lowering;

/// <summary>
/// Lowers one C# method to a function of the graph IR (Model/Graph), statement by statement, each preceded by its
/// origin, the C# file and line (the runtime maps a failure in the twin back to that line). Expressions are in
/// FunctionLowering.Expressions.cs. What has no graph form throws <see cref="LoweringFailure"/>.
/// </summary>
internal sealed partial class FunctionLowering
{
    private readonly TwinBuilder _twin;
    private readonly IMethodSymbol _method;
    private readonly bool _isMain;
    // Set while lowering a user module's forward: what it reads of its own module becomes parameters.
    private readonly ModuleScope? _scope;
    // foreach variables over a ModuleList, bound to the child the current unrolled copy of the body is for.
    private readonly Dictionary<ISymbol, (Analysis.Submodule module, StateAccess access, string path, string stem)> _boundModules = new(SymbolEqualityComparer.Default);
    // The statements of the body being lowered (a nested body collects into its own list: Collect).
    private List<GraphStatement> _block = new();
    private readonly Dictionary<ISymbol, string> _names = new(SymbolEqualityComparer.Default);
    private readonly HashSet<string> _usedNames = new();
    private readonly List<Frame> _frames = new();
    private SemanticModel _model = null!;
    private int _temporaries;

    /// <summary>What an exit (return, break, continue) must undo on the way out: grad-mode changes, and for a
    /// for-loop lowered to while, its step before a continue.</summary>
    private sealed class Frame
    {
        public bool IsLoop;
        public GraphName? GradRestore;
        public List<IOperation>? ContinueStep;
    }

    private FunctionLowering(TwinBuilder twin, IMethodSymbol method, bool isMain, ModuleScope? scope = null)
    {
        _twin = twin;
        _method = method;
        _isMain = isMain;
        _scope = scope;
    }

    public static GraphFunction LowerMain(TwinBuilder twin, IMethodSymbol partial, IMethodSymbol eager)
    {
        var lowering = new FunctionLowering(twin, eager, isMain: true);
        EquatableArray<GraphStatement> body = lowering.Body(eager, out SyntaxNode declaration);
        string returns = ScriptTypes.Annotation(eager.ReturnType)
            ?? throw new LoweringFailure(declaration, $"a '{eager.ReturnType.ToDisplayString()}' result");
        var parameters = lowering.Parameters(eager, declaration).Concat(twin.InputParameters.Select(p => new GraphParameter(p.name, p.annotation)));
        return new GraphFunction(partial.Name, parameters.ToEquatableArray(), returns, body);
    }

    public static GraphFunction LowerHelper(TwinBuilder twin, IMethodSymbol method, string name, SyntaxNode callSite)
    {
        var lowering = new FunctionLowering(twin, method, isMain: false);
        EquatableArray<GraphStatement> body = lowering.Body(method, out SyntaxNode declaration);
        // A void helper (one that fills a list it is given) is a function returning None.
        string returns = method.ReturnsVoid ? "None" : ScriptTypes.Annotation(method.ReturnType)
            ?? throw new LoweringFailure(callSite, $"a call of '{method.Name}', whose '{method.ReturnType.ToDisplayString()}' result has no graph form");
        return new GraphFunction(name, lowering.Parameters(method, callSite).ToEquatableArray(), returns, body);
    }

    /// <summary>A user module's forward as a function of its input and of the state it reads of its own module
    /// (<paramref name="scope"/> collects it; each call site passes its instance's).</summary>
    public static GraphFunction LowerModuleMethod(TwinBuilder twin, IMethodSymbol method, string name, ModuleScope scope, SyntaxNode callSite)
    {
        var lowering = new FunctionLowering(twin, method, isMain: false, scope);
        EquatableArray<GraphStatement> body = lowering.Body(method, out SyntaxNode declaration);
        string returns = ScriptTypes.Annotation(method.ReturnType)
            ?? throw new LoweringFailure(callSite, $"a module whose forward returns '{method.ReturnType.ToDisplayString()}'");
        var parameters = lowering.Parameters(method, callSite).Concat(scope.States.Select(s => new GraphParameter(s.Name, s.Annotation)));
        return new GraphFunction(name, parameters.ToEquatableArray(), returns, body);
    }

    private IEnumerable<GraphParameter> Parameters(IMethodSymbol method, SyntaxNode where)
    {
        foreach (IParameterSymbol p in method.Parameters)
        {
            string annotation = ScriptTypes.Annotation(p.Type)
                ?? throw new LoweringFailure(where, $"the parameter '{p.Name}' of type '{p.Type.ToDisplayString()}'");
            yield return new GraphParameter(NameOf(p), annotation);
        }
    }

    private EquatableArray<GraphStatement> Body(IMethodSymbol method, out SyntaxNode declaration)
    {
        SyntaxNode? syntax = method.DeclaringSyntaxReferences.Select(r => r.GetSyntax(_twin.Token)).FirstOrDefault(s => s is BaseMethodDeclarationSyntax or LocalFunctionStatementSyntax);
        declaration = syntax ?? throw new LoweringFailure(method.Locations.First().SourceTree!.GetRoot(), $"'{method.Name}', whose body is not in this compilation");
        _model = _twin.ModelFor(syntax.SyntaxTree);
        if (_model.GetOperation(syntax, _twin.Token) is not IMethodBodyBaseOperation { } body)
            throw new LoweringFailure(syntax, $"'{method.Name}', whose body did not bind");
        IBlockOperation block = body.BlockBody ?? body.ExpressionBody
            ?? throw new LoweringFailure(syntax, $"'{method.Name}', which has no body");
        if (method.IsStatic == false && !_isMain && _scope is null && UsesInstanceState(block))
            throw new LoweringFailure(syntax, $"the instance method '{method.Name}' called as a helper (its fields would have to be graph inputs)");
        return Collect(() => Statements(block.Operations));
    }

    /// <summary>The statements <paramref name="write"/> emits, as a nested body.</summary>
    private EquatableArray<GraphStatement> Collect(System.Action write)
    {
        List<GraphStatement> outer = _block;
        _block = new List<GraphStatement>();
        try
        {
            write();
            return _block.ToEquatableArray();
        }
        finally
        {
            _block = outer;
        }
    }

    private void Emit(GraphStatement statement) => _block.Add(statement);

    // (An initializer's implicit receiver, new List<Tensor> { x }, is the object being made, not this.)
    private static bool UsesInstanceState(IOperation operation) =>
        operation.Descendants().Any(o => o is IInstanceReferenceOperation { ReferenceKind: not InstanceReferenceKind.ImplicitReceiver });

    // ---- names ------------------------------------------------------------------------------------------------

    /// <summary>A TorchScript name for a parameter or local. C# lets sibling blocks reuse a name, even with another
    /// type; TorchScript has one scope per function, so each C# variable gets a name of its own.</summary>
    private GraphName Named(ISymbol symbol) => new(NameOf(symbol));

    private string NameOf(ISymbol symbol)
    {
        if (_names.TryGetValue(symbol, out string? name)) return name;
        string baseName = ScriptNames.For(symbol.Name);
        name = baseName;
        for (int k = 1; _usedNames.Contains(name); k++) name = baseName + "_" + k;
        _usedNames.Add(name);
        _names[symbol] = name;
        return name;
    }

    private GraphName Temporary(string purpose)
    {
        string name;
        do name = $"__hg_{purpose}_{_temporaries++}"; while (_usedNames.Contains(name));
        _usedNames.Add(name);
        return new GraphName(name);
    }

    // ---- statements ---------------------------------------------------------------------------------------------

    private void Statements(IEnumerable<IOperation> operations)
    {
        foreach (IOperation operation in operations) Statement(operation);
    }

    private void Located(IOperation operation)
    {
        if (operation is IBlockOperation) return;
        FileLinePositionSpan line = operation.Syntax.GetLocation().GetLineSpan();
        string code = OneLine(operation.Syntax.ToString());
        if (code.Length > 100) code = code.Substring(0, 97) + "...";
        Emit(new GraphOrigin(System.IO.Path.GetFileName(line.Path), line.StartLinePosition.Line + 1, code));
    }

    private static string OneLine(string code) =>
        string.Join(" ", code.Split(new[] { '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()));

    private void Statement(IOperation operation)
    {
        _twin.Token.ThrowIfCancellationRequested();
        switch (operation)
        {
            case IBlockOperation block:
                BlockWithScopes(block.Operations);
                return;
            case IEmptyOperation:
            case ILocalFunctionOperation:
                return;
            case IVariableDeclarationGroupOperation group:
                foreach (IVariableDeclarationOperation declaration in group.Declarations)
                    foreach (IVariableDeclaratorOperation declarator in declaration.Declarators)
                        if (declarator.GetVariableInitializer() is { } init)
                        {
                            Located(operation);
                            GraphExpr value = Expr(init.Value);
                            // An empty literal is List[Tensor] to TorchScript: a list of numbers says its type.
                            string? annotation = value is GraphList { Elements.Count: 0 } && ScriptTypes.Annotation(declarator.Symbol.Type) is { } a && a != "List[Tensor]" ? a : null;
                            Emit(new GraphAssign(Named(declarator.Symbol), value, annotation));
                        }
                return;
            case IUsingDeclarationOperation usingDeclaration:
                UsingResources(usingDeclaration.DeclarationGroup, usingDeclaration.Syntax, body: null);
                return;
            case IUsingOperation usingStatement:
                UsingResources(usingStatement.Resources, usingStatement.Syntax, usingStatement.Body);
                return;
            case IExpressionStatementOperation expression:
                ExpressionStatement(expression.Operation);
                return;
            case IReturnOperation { Kind: OperationKind.Return } ret:
                Located(operation);
                if (ret.ReturnedValue is { } returned && (returned is ITupleOperation t ? t.Elements.AsEnumerable() : new[] { returned })
                        .Any(v => (v is IConversionOperation cv ? cv.Operand : v) is ILocalReferenceOperation l && _usingTensors.Contains(l.Local)))
                    throw new LoweringFailure(ret.Syntax, "a return of a tensor its using declaration disposes (eager returns a disposed tensor: return it without using)");
                if (ret.ReturnedValue is not null && _frames.Any(f => f.GradRestore is not null))
                {
                    // The value is computed in the scope's grad mode, before the mode is restored.
                    GraphName value = Temporary("result");
                    Emit(new GraphAssign(value, ReturnValue(ret.ReturnedValue)));
                    RestoreForExit(untilLoop: false);
                    Emit(new GraphReturn(value));
                    return;
                }
                RestoreForExit(untilLoop: false);
                Emit(new GraphReturn(ret.ReturnedValue is null ? null : ReturnValue(ret.ReturnedValue)));
                return;
            case IConditionalOperation conditional:
                If(conditional);
                return;
            case IWhileLoopOperation loop:
                While(loop);
                return;
            case IForLoopOperation loop:
                For(loop);
                return;
            case IForEachLoopOperation loop:
                ForEach(loop);
                return;
            case IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue } branch:
                Located(operation);
                RestoreForExit(untilLoop: true, continuing: branch.BranchKind == BranchKind.Continue);
                Emit(branch.BranchKind == BranchKind.Break ? new GraphBreak() : new GraphContinue());
                return;
            case ISwitchOperation @switch:
                Switch(@switch);
                return;
            case IThrowOperation thrown:
                Throw(thrown);
                return;
            default:
                throw new LoweringFailure(operation.Syntax, Describe(operation));
        }
    }

    /// <summary>A block whose `using var` declarations of grad scopes end with it.</summary>
    private void BlockWithScopes(IEnumerable<IOperation> operations)
    {
        int frames = _frames.Count;
        Statements(operations);
        while (_frames.Count > frames) PopScope();
    }

    private void ExpressionStatement(IOperation operation)
    {
        switch (operation)
        {
            case ISimpleAssignmentOperation assignment:
                Located(operation);
                Emit(new GraphAssign(AssignmentTarget(assignment.Target), Expr(assignment.Value)));
                return;
            case ICompoundAssignmentOperation compound:
                Located(operation);
                Emit(new GraphAssign(AssignmentTarget(compound.Target), Binary(compound.OperatorKind, compound.OperatorMethod, compound.Target, compound.Value, compound.Syntax)));
                return;
            case IIncrementOrDecrementOperation step:
                Located(operation);
                GraphExpr target = AssignmentTarget(step.Target);
                Emit(new GraphAssign(target, new GraphBinary(step.Kind == OperationKind.Increment ? "+" : "-", target, new GraphLiteral("1"), Parenthesized: false)));
                return;
            case IDeconstructionAssignmentOperation deconstruction:
                Located(operation);
                Emit(new GraphAssign(new GraphTuple(DeconstructionTargets(deconstruction.Target).ToEquatableArray(), Parenthesized: false), Expr(deconstruction.Value)));
                return;
            case IThrowOperation thrown:
                Throw(thrown);
                return;
            case IInvocationOperation invocation when IsGraphNoOp(invocation):
                return;
            default:
                Located(operation);
                Emit(new GraphEvaluate(Expr(operation)));
                return;
        }
    }

    /// <summary>Dispose scopes, disposal of the method's own tensors and moves between scopes do nothing in a graph.</summary>
    private static bool IsGraphNoOp(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name is "Dispose" or "MoveToOuterDisposeScope" or "DetachFromDisposeScope" or "MoveToOuter"
        && KnownApis.InTorchSharp(invocation.TargetMethod);

    private GraphName Target(IOperation target) => target switch
    {
        ILocalReferenceOperation local => Named(local.Local),
        IParameterReferenceOperation parameter => Named(parameter.Parameter),
        _ => throw new LoweringFailure(target.Syntax, $"an assignment to '{OneLine(target.Syntax.ToString())}'"),
    };

    /// <summary>An assignment's target: a variable, or an element of a list or array the analysis proved the
    /// body's own (for a helper's parameter, its caller's own). TorchScript lists are shared references, so a
    /// helper's write is seen by its caller as in C#.</summary>
    private GraphExpr AssignmentTarget(IOperation target) => target switch
    {
        IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: { } list } element
            when KnownTypes.Is(list.Type, KnownTypes.List)
            => Element(Expr(list), Expr(element.Arguments[0].Value)),
        IArrayElementReferenceOperation { Indices.Length: 1 } element => Element(Expr(element.ArrayReference), Expr(element.Indices[0])),
        _ => Target(target),
    };

    private static GraphIndex Element(GraphExpr list, GraphExpr index) => new(list, new GraphIndexPart[] { new GraphIndexAt(index) }.ToEquatableArray());

    /// <summary>The names a deconstruction assigns, nested tuples flattened (a discard assigns a temporary).</summary>
    private IEnumerable<GraphExpr> DeconstructionTargets(IOperation target) => target switch
    {
        ITupleOperation tuple => tuple.Elements.SelectMany(DeconstructionTargets).ToList(),
        IDeclarationExpressionOperation declaration => DeconstructionTargets(declaration.Expression),
        IDiscardOperation => new GraphExpr[] { Temporary("discard") },
        _ => new GraphExpr[] { Target(target) },
    };

    /// <summary>A returned value: several results (a C# tuple) are the function's several outputs.</summary>
    private GraphExpr ReturnValue(IOperation value) =>
        value is ITupleOperation tuple ? new GraphTuple(tuple.Elements.Select(Expr).ToEquatableArray(), Parenthesized: false) : Expr(value);

    private void Throw(IThrowOperation thrown)
    {
        Located(thrown);
        IOperation? exception = thrown.Exception is IConversionOperation c ? c.Operand : thrown.Exception;
        string message = exception is IObjectCreationOperation { Arguments: { Length: > 0 } args } && args[0].Value.ConstantValue is { HasValue: true, Value: string text }
            ? text : exception?.Type?.Name ?? "exception";
        Emit(new GraphRaise($"{exception?.Type?.Name}: {message}"));
    }

    // ---- control flow -------------------------------------------------------------------------------------------

    private void If(IConditionalOperation conditional)
    {
        Located(conditional);
        GraphExpr condition = Condition(conditional.Condition);
        var then = new GraphBranch(condition, Nested(conditional.WhenTrue));
        EquatableArray<GraphStatement>? otherwise = conditional.WhenFalse is null ? null : Nested(conditional.WhenFalse);
        Emit(new GraphIf(new[] { then }.ToEquatableArray(), otherwise));
    }

    private EquatableArray<GraphStatement> Nested(IOperation body, Frame? frame = null) => Collect(() =>
    {
        if (frame is not null) _frames.Add(frame);
        Statement(body);
        if (frame is not null) _frames.Remove(frame);
    });

    private void While(IWhileLoopOperation loop)
    {
        if (loop.Condition is null) throw new LoweringFailure(loop.Syntax, "a loop without a condition");
        Located(loop);
        if (loop.ConditionIsTop)
        {
            GraphExpr test = Condition(loop.Condition);
            Emit(new GraphWhile(loop.ConditionIsUntil ? new GraphUnary("not", test) : test, Nested(loop.Body, new Frame { IsLoop = true })));
            return;
        }
        // do { body } while (c): the first pass skips the test; a continue goes to the test, as in C#.
        GraphName first = Temporary("first");
        Emit(new GraphAssign(first, GraphLiteral.True));
        GraphExpr condition = new GraphBinary("or", first, Condition(loop.Condition), Parenthesized: false);
        var frame = new Frame { IsLoop = true };
        Emit(new GraphWhile(condition, Collect(() =>
        {
            Emit(new GraphAssign(first, GraphLiteral.False));
            _frames.Add(frame);
            Statement(loop.Body);
            _frames.Remove(frame);
        })));
    }

    private void For(IForLoopOperation loop)
    {
        Located(loop);
        if (CountingRange(loop) is { } range)
        {
            Emit(new GraphForRange(range.variable, range.start, range.end, range.step, Nested(loop.Body, new Frame { IsLoop = true })));
            return;
        }
        // Any other for: the initializers, then a while whose body ends with the step (also done before a continue).
        foreach (IOperation before in loop.Before) Statement(before);
        GraphExpr condition = loop.Condition is null ? GraphLiteral.True : Condition(loop.Condition);
        var frame = new Frame { IsLoop = true, ContinueStep = loop.AtLoopBottom.ToList() };
        Emit(new GraphWhile(condition, Collect(() =>
        {
            _frames.Add(frame);
            Statement(loop.Body);
            _frames.Remove(frame);
            foreach (IOperation step in loop.AtLoopBottom) Statement(step);
        })));
    }

    /// <summary>for (int i = a; i &lt; b; i += s) with a constant step and a body that leaves i, and every variable
    /// the bound reads, alone → range(). (C# evaluates the condition at every iteration, range() its bound once: a
    /// body that changes what the bound reads keeps the general while form.)</summary>
    private (string variable, GraphExpr start, GraphExpr end, long step)? CountingRange(IForLoopOperation loop)
    {
        if (loop.Before.Length != 1 || loop.Before[0] is not IVariableDeclarationGroupOperation group) return null;
        IVariableDeclaratorOperation[] declarators = group.Declarations.SelectMany(d => d.Declarators).ToArray();
        if (declarators.Length != 1 || declarators[0].GetVariableInitializer() is not { } init) return null;
        ILocalSymbol index = declarators[0].Symbol;
        if (!ScriptTypes.IsIntegral(index.Type)) return null;
        if (loop.AtLoopBottom.Length != 1) return null;
        long? step = loop.AtLoopBottom[0] is IExpressionStatementOperation { Operation: var s } ? StepOf(s, index) : null;
        if (step is null or 0) return null;
        if (loop.Condition is not IBinaryOperation { LeftOperand: var left, RightOperand: var bound, OperatorKind: var op }
            || !IsLocal(left, index)) return null;
        if (Writes(loop.Body, index) || bound.Descendants().Prepend(bound).Any(o => o is IInvocationOperation || IsLocal(o, index))) return null;
        if (bound.Descendants().Prepend(bound).Any(o => VariableOf(o) is { } read && Writes(loop.Body, read))) return null;
        // A list the body adds to, itself or through a call it passes the list to, changes a Count bound at every
        // iteration; range() would read it once.
        if (bound.Descendants().Prepend(bound).Any(o => VariableOf(o) is { } read && IsGrowable(read) && MayGrow(loop.Body, read))) return null;
        GraphExpr? end = (step > 0, op) switch
        {
            (true, BinaryOperatorKind.LessThan) => Expr(bound),
            (true, BinaryOperatorKind.LessThanOrEqual) => new GraphBinary("+", Expr(bound), new GraphLiteral("1"), Parenthesized: false),
            (false, BinaryOperatorKind.GreaterThan) => Expr(bound),
            (false, BinaryOperatorKind.GreaterThanOrEqual) => new GraphBinary("-", Expr(bound), new GraphLiteral("1"), Parenthesized: false),
            _ => null,
        };
        if (end is null) return null;
        return (NameOf(index), Expr(init.Value), end, step.Value);
    }

    private static long? StepOf(IOperation operation, ILocalSymbol index) => operation switch
    {
        IIncrementOrDecrementOperation inc when IsLocal(inc.Target, index) => inc.Kind == OperationKind.Increment ? 1 : -1,
        ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Add, Value.ConstantValue: { HasValue: true, Value: var v } } c
            when IsLocal(c.Target, index) => System.Convert.ToInt64(v),
        ICompoundAssignmentOperation { OperatorKind: BinaryOperatorKind.Subtract, Value.ConstantValue: { HasValue: true, Value: var v } } c
            when IsLocal(c.Target, index) => -System.Convert.ToInt64(v),
        _ => null,
    };

    private static bool IsLocal(IOperation operation, ILocalSymbol local) =>
        (operation is IConversionOperation c ? c.Operand : operation) is ILocalReferenceOperation l && SymbolEqualityComparer.Default.Equals(l.Local, local);

    private static ISymbol? VariableOf(IOperation operation) => (operation is IConversionOperation c ? c.Operand : operation) switch
    {
        ILocalReferenceOperation l => l.Local,
        IParameterReferenceOperation p => p.Parameter,
        _ => null,
    };

    private static bool IsGrowable(ISymbol variable) =>
        (variable switch { ILocalSymbol l => l.Type, IParameterSymbol p => p.Type, _ => null }) is { } type
        && type is not IArrayTypeSymbol && KnownApis.IsCollection(type);

    private static bool MayGrow(IOperation body, ISymbol list) => body.Descendants().OfType<IInvocationOperation>().Any(call =>
        (call.Instance is { } receiver && SymbolEqualityComparer.Default.Equals(VariableOf(receiver), list))
        || call.Arguments.Any(a => SymbolEqualityComparer.Default.Equals(VariableOf(a.Value), list)));

    private static bool Writes(IOperation body, ISymbol variable) => body.Descendants().Any(o => o switch
    {
        // A deconstruction's target is a tuple of variables (conservative: an index inside a target counts too).
        IAssignmentOperation a => a.Target.DescendantsAndSelf().Any(t => SymbolEqualityComparer.Default.Equals(VariableOf(t), variable)),
        IIncrementOrDecrementOperation i => SymbolEqualityComparer.Default.Equals(VariableOf(i.Target), variable),
        _ => false,
    });

    private void ForEach(IForEachLoopOperation loop)
    {
        Located(loop);
        if (loop.LoopControlVariable is not IVariableDeclaratorOperation { Symbol: var variable })
            throw new LoweringFailure(loop.Syntax, "a foreach that deconstructs");
        IOperation collection = loop.Collection is IConversionOperation c ? c.Operand : loop.Collection;
        if (ModuleReceiver(collection) is { } modules)
        {
            UnrollModules(loop, variable, modules);
            return;
        }
        string name = NameOf(variable);
        GraphExpr items = Expr(collection);
        Emit(new GraphForEach(name, items, Nested(loop.Body, new Frame { IsLoop = true })));
    }

    private void Switch(ISwitchOperation @switch)
    {
        Located(@switch);
        if (ScriptTypes.Annotation(@switch.Value.Type) is not ("int" or "float" or "bool"))
            throw new LoweringFailure(@switch.Value.Syntax, "a switch on a value that is not a number or bool");
        GraphName value = Temporary("switch");
        Emit(new GraphAssign(value, Expr(@switch.Value)));
        ISwitchCaseOperation? fallback = null;
        var branches = new List<GraphBranch>();
        foreach (ISwitchCaseOperation section in @switch.Cases)
        {
            if (section.Clauses.Any(c => c is IDefaultCaseClauseOperation)) { fallback = section; continue; }
            GraphExpr test = section.Clauses.Select(c => c is ISingleValueCaseClauseOperation single
                    ? new GraphBinary("==", value, Expr(single.Value), Parenthesized: false)
                    : throw new LoweringFailure(c.Syntax, "a switch case with a pattern"))
                .Aggregate((GraphExpr)null!, (any, next) => any is null ? next : new GraphBinary("or", any, next, Parenthesized: false));
            branches.Add(new GraphBranch(test, Collect(() => SwitchBody(section))));
        }
        if (branches.Count == 0)
        {
            if (fallback is not null) SwitchBody(fallback);
            return;
        }
        EquatableArray<GraphStatement>? otherwise = fallback is null ? null : Collect(() => SwitchBody(fallback));
        Emit(new GraphIf(branches.ToEquatableArray(), otherwise));
    }

    private void SwitchBody(ISwitchCaseOperation section)
    {
        var body = section.Body.ToList();
        if (body.LastOrDefault() is IBranchOperation { BranchKind: BranchKind.Break }) body.RemoveAt(body.Count - 1);
        if (body.SelectMany(o => o.Descendants().Prepend(o)).OfType<IBranchOperation>().Any(b => b.BranchKind == BranchKind.Break && IsSwitchBreak(b)))
            throw new LoweringFailure(section.Syntax, "a break out of the middle of a switch section");
        Statements(body);
    }

    private static bool IsSwitchBreak(IBranchOperation branch)
    {
        for (IOperation? o = branch.Parent; o is not null; o = o.Parent)
        {
            if (o is ILoopOperation) return false;
            if (o is ISwitchOperation) return true;
        }
        return false;
    }

    // ---- scopes: dispose scopes (no-ops) and grad mode ---------------------------------------------------------------

    private void UsingResources(IOperation resources, SyntaxNode syntax, IOperation? body)
    {
        IVariableDeclaratorOperation[] declarators = resources is IVariableDeclarationGroupOperation group
            ? group.Declarations.SelectMany(d => d.Declarators).ToArray() : System.Array.Empty<IVariableDeclaratorOperation>();
        IOperation[] values = resources is IVariableDeclarationGroupOperation
            ? declarators.Select(d => d.GetVariableInitializer()?.Value ?? throw new LoweringFailure(syntax, "a using without a value")).ToArray()
            : new[] { resources };
        int pushed = 0;
        for (int k = 0; k < values.Length; k++)
        {
            IOperation value = values[k];
            IOperation inner = value is IConversionOperation c ? c.Operand : value;
            // `using var x = <a tensor the method made>` (TorchSharp's examples free their intermediates so): a
            // variable in a graph, where nothing is freed. The analysis proved the tensor the method's own (HG0102).
            if (k < declarators.Length && KnownApis.IsTensor(declarators[k].Symbol.Type))
            {
                Located(value);
                _usingTensors.Add(declarators[k].Symbol);
                GraphName variable = Named(declarators[k].Symbol);
                Emit(new GraphAssign(variable, Expr(value)));
                continue;
            }
            if (inner is IInvocationOperation { TargetMethod: { Name: "NewDisposeScope" } } call && KnownApis.InTorchSharp(call.TargetMethod))
                continue; // a dispose scope does nothing in a graph
            if (inner is IInvocationOperation { TargetMethod: { Name: "no_grad" or "enable_grad" } grad } && KnownApis.InTorchSharp(grad))
            {
                Located(value);
                GraphName saved = Temporary("grad");
                Emit(new GraphAssign(saved, GraphCall.Of("torch.is_grad_enabled")));
                Emit(new GraphEvaluate(GraphCall.Of("torch.set_grad_enabled", grad.Name == "enable_grad" ? GraphLiteral.True : GraphLiteral.False)));
                _frames.Add(new Frame { GradRestore = saved });
                pushed++;
                continue;
            }
            throw new LoweringFailure(value.Syntax, $"a using of '{OneLine(value.Syntax.ToString())}' (only dispose scopes and no_grad have a graph form)");
        }
        if (body is null) return; // a using declaration: its scopes end with the enclosing block
        Statement(body);
        for (int k = 0; k < pushed; k++) PopScope();
    }

    // Locals a using declaration disposes when their scope ends: returning one gives eager's caller a disposed tensor.
    private readonly HashSet<ILocalSymbol> _usingTensors = new(SymbolEqualityComparer.Default);

    private void PopScope()
    {
        Frame frame = _frames[_frames.Count - 1];
        _frames.RemoveAt(_frames.Count - 1);
        if (frame.GradRestore is not null) Emit(new GraphEvaluate(GraphCall.Of("torch.set_grad_enabled", frame.GradRestore)));
    }

    /// <summary>Before a return (all frames) or a break/continue (frames inside the innermost loop): restore grad
    /// mode, and before a continue in a for-loop lowered to while, run its step.</summary>
    private void RestoreForExit(bool untilLoop, bool continuing = false)
    {
        for (int k = _frames.Count - 1; k >= 0; k--)
        {
            Frame frame = _frames[k];
            if (frame.GradRestore is not null) Emit(new GraphEvaluate(GraphCall.Of("torch.set_grad_enabled", frame.GradRestore)));
            if (frame.IsLoop && untilLoop)
            {
                if (continuing && frame.ContinueStep is { } step)
                    foreach (IOperation s in step) Statement(s);
                return;
            }
        }
    }
}
