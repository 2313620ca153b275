using System.Collections.Generic;
using System.Linq;
using HybridGen.Generator.Analysis;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace HybridGen.Generator.Lowering;

/// <summary>
/// Lowers one C# method to a TorchScript function, statement by statement, each preceded by a comment naming
/// its C# file and line (the runtime maps a failure in the twin back to that line). Expressions are in
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
    private readonly Dictionary<ISymbol, (Analysis.Submodule module, string access, string path, string stem)> _boundModules = new(SymbolEqualityComparer.Default);
    private readonly ScriptBuilder _out = new();
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
        public string? GradRestore;
        public List<IOperation>? ContinueStep;
    }

    private FunctionLowering(TwinBuilder twin, IMethodSymbol method, bool isMain, ModuleScope? scope = null)
    {
        _twin = twin;
        _method = method;
        _isMain = isMain;
        _scope = scope;
    }

    public static string LowerMain(TwinBuilder twin, IMethodSymbol partial, IMethodSymbol eager)
    {
        var lowering = new FunctionLowering(twin, eager, isMain: true);
        string body = lowering.Body(eager, out SyntaxNode declaration);
        string returns = ScriptTypes.Annotation(eager.ReturnType)
            ?? throw new LoweringFailure(declaration, $"a '{eager.ReturnType.ToDisplayString()}' result");
        var parameters = lowering.Parameters(eager, declaration).Concat(twin.InputParameters.Select(p => $"{p.name}: {p.annotation}"));
        return $"def {partial.Name}({string.Join(", ", parameters)}) -> {returns}:\n{body}";
    }

    public static string LowerHelper(TwinBuilder twin, IMethodSymbol method, string name, SyntaxNode callSite)
    {
        var lowering = new FunctionLowering(twin, method, isMain: false);
        string body = lowering.Body(method, out SyntaxNode declaration);
        // A void helper (one that fills a list it is given) is a function returning None.
        string returns = method.ReturnsVoid ? "None" : ScriptTypes.Annotation(method.ReturnType)
            ?? throw new LoweringFailure(callSite, $"a call of '{method.Name}', whose '{method.ReturnType.ToDisplayString()}' result has no graph form");
        return $"def {name}({string.Join(", ", lowering.Parameters(method, callSite))}) -> {returns}:\n{body}";
    }

    /// <summary>A user module's forward as a function of its input and of the state it reads of its own module
    /// (<paramref name="scope"/> collects it; each call site passes its instance's).</summary>
    public static string LowerModuleMethod(TwinBuilder twin, IMethodSymbol method, string name, ModuleScope scope, SyntaxNode callSite)
    {
        var lowering = new FunctionLowering(twin, method, isMain: false, scope);
        string body = lowering.Body(method, out SyntaxNode declaration);
        string returns = ScriptTypes.Annotation(method.ReturnType)
            ?? throw new LoweringFailure(callSite, $"a module whose forward returns '{method.ReturnType.ToDisplayString()}'");
        var parameters = lowering.Parameters(method, callSite).Concat(scope.States.Select(s => $"{s.Name}: {s.Annotation}"));
        return $"def {name}({string.Join(", ", parameters)}) -> {returns}:\n{body}";
    }

    private IEnumerable<string> Parameters(IMethodSymbol method, SyntaxNode where)
    {
        foreach (IParameterSymbol p in method.Parameters)
        {
            string annotation = ScriptTypes.Annotation(p.Type)
                ?? throw new LoweringFailure(where, $"the parameter '{p.Name}' of type '{p.Type.ToDisplayString()}'");
            yield return $"{NameOf(p)}: {annotation}";
        }
    }

    private string Body(IMethodSymbol method, out SyntaxNode declaration)
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
        int open = _out.Open();
        Statements(block.Operations);
        _out.Close(open);
        return _out.ToString();
    }

    // (An initializer's implicit receiver, new List<Tensor> { x }, is the object being made, not this.)
    private static bool UsesInstanceState(IOperation operation) =>
        operation.Descendants().Any(o => o is IInstanceReferenceOperation { ReferenceKind: not InstanceReferenceKind.ImplicitReceiver });

    // ---- names ------------------------------------------------------------------------------------------------

    /// <summary>A TorchScript name for a parameter or local. C# lets sibling blocks reuse a name, even with another
    /// type; TorchScript has one scope per function, so each C# variable gets a name of its own.</summary>
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

    private string Temporary(string purpose)
    {
        string name;
        do name = $"__hg_{purpose}_{_temporaries++}"; while (_usedNames.Contains(name));
        _usedNames.Add(name);
        return name;
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
        _out.Comment(Formats.TwinSourceFormat.Origin(System.IO.Path.GetFileName(line.Path), line.StartLinePosition.Line + 1, code));
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
                            string value = Expr(init.Value);
                            // An empty literal is List[Tensor] to TorchScript: a list of numbers says its type.
                            string annotation = value == "[]" && ScriptTypes.Annotation(declarator.Symbol.Type) is { } a && a != "List[Tensor]" ? ": " + a : "";
                            _out.Line($"{NameOf(declarator.Symbol)}{annotation} = {value}");
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
                    string value = Temporary("result");
                    _out.Line($"{value} = {ReturnValue(ret.ReturnedValue)}");
                    RestoreForExit(untilLoop: false);
                    _out.Line("return " + value);
                    return;
                }
                RestoreForExit(untilLoop: false);
                _out.Line(ret.ReturnedValue is null ? "return" : "return " + ReturnValue(ret.ReturnedValue));
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
                _out.Line(branch.BranchKind == BranchKind.Break ? "break" : "continue");
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
                _out.Line($"{AssignmentTarget(assignment.Target)} = {Expr(assignment.Value)}");
                return;
            case ICompoundAssignmentOperation compound:
                Located(operation);
                _out.Line($"{AssignmentTarget(compound.Target)} = {Binary(compound.OperatorKind, compound.OperatorMethod, compound.Target, compound.Value, compound.Syntax)}");
                return;
            case IIncrementOrDecrementOperation step:
                Located(operation);
                string target = AssignmentTarget(step.Target);
                _out.Line($"{target} = {target} {(step.Kind == OperationKind.Increment ? "+" : "-")} 1");
                return;
            case IDeconstructionAssignmentOperation deconstruction:
                Located(operation);
                _out.Line($"{DeconstructionTargets(deconstruction.Target)} = {Expr(deconstruction.Value)}");
                return;
            case IThrowOperation thrown:
                Throw(thrown);
                return;
            case IInvocationOperation invocation when IsGraphNoOp(invocation):
                return;
            default:
                Located(operation);
                _out.Line(Expr(operation));
                return;
        }
    }

    /// <summary>Dispose scopes, disposal of the method's own tensors and moves between scopes do nothing in a graph.</summary>
    private static bool IsGraphNoOp(IInvocationOperation invocation) =>
        invocation.TargetMethod.Name is "Dispose" or "MoveToOuterDisposeScope" or "DetachFromDisposeScope" or "MoveToOuter"
        && KnownApis.Namespace(invocation.TargetMethod).StartsWith(KnownApis.TorchNamespace);

    private string Target(IOperation target) => target switch
    {
        ILocalReferenceOperation local => NameOf(local.Local),
        IParameterReferenceOperation parameter => NameOf(parameter.Parameter),
        _ => throw new LoweringFailure(target.Syntax, $"an assignment to '{OneLine(target.Syntax.ToString())}'"),
    };

    /// <summary>An assignment's target: a variable, or an element of a list or array the analysis proved the
    /// body's own (for a helper's parameter, its caller's own). TorchScript lists are shared references, so a
    /// helper's write is seen by its caller as in C#.</summary>
    private string AssignmentTarget(IOperation target) => target switch
    {
        IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: { } list } element
            when list.Type?.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.List<T>"
            => $"{Expr(list)}[{Expr(element.Arguments[0].Value)}]",
        IArrayElementReferenceOperation { Indices.Length: 1 } element => $"{Expr(element.ArrayReference)}[{Expr(element.Indices[0])}]",
        _ => Target(target),
    };

    private string DeconstructionTargets(IOperation target) => target switch
    {
        ITupleOperation tuple => string.Join(", ", tuple.Elements.Select(DeconstructionTargets)),
        IDeclarationExpressionOperation declaration => DeconstructionTargets(declaration.Expression),
        IDiscardOperation => Temporary("discard"),
        _ => Target(target),
    };

    private string ReturnValue(IOperation value) =>
        value is ITupleOperation tuple ? string.Join(", ", tuple.Elements.Select(Expr)) : Expr(value);

    private void Throw(IThrowOperation thrown)
    {
        Located(thrown);
        IOperation? exception = thrown.Exception is IConversionOperation c ? c.Operand : thrown.Exception;
        string message = exception is IObjectCreationOperation { Arguments: { Length: > 0 } args } && args[0].Value.ConstantValue is { HasValue: true, Value: string text }
            ? text : exception?.Type?.Name ?? "exception";
        // The default TorchScript resolver knows no exception types; an assertion raises with the message.
        _out.Line($"assert False, {Quote($"{exception?.Type?.Name}: {message}")}");
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    // ---- control flow -------------------------------------------------------------------------------------------

    private void If(IConditionalOperation conditional)
    {
        Located(conditional);
        _out.Line($"if {Condition(conditional.Condition)}:");
        Nested(conditional.WhenTrue);
        if (conditional.WhenFalse is null) return;
        _out.Line("else:");
        Nested(conditional.WhenFalse);
    }

    private void Nested(IOperation body, Frame? frame = null)
    {
        int open = _out.Open();
        if (frame is not null) _frames.Add(frame);
        Statement(body);
        if (frame is not null) _frames.Remove(frame);
        _out.Close(open);
    }

    private void While(IWhileLoopOperation loop)
    {
        if (loop.Condition is null) throw new LoweringFailure(loop.Syntax, "a loop without a condition");
        Located(loop);
        if (loop.ConditionIsTop)
        {
            _out.Line($"while {(loop.ConditionIsUntil ? $"not ({Condition(loop.Condition)})" : Condition(loop.Condition))}:");
            Nested(loop.Body, new Frame { IsLoop = true });
            return;
        }
        // do { body } while (c): the first pass skips the test; a continue goes to the test, as in C#.
        string first = Temporary("first");
        _out.Line($"{first} = True");
        _out.Line($"while {first} or {Condition(loop.Condition)}:");
        int open = _out.Open();
        _out.Line($"{first} = False");
        var frame = new Frame { IsLoop = true };
        _frames.Add(frame);
        Statement(loop.Body);
        _frames.Remove(frame);
        _out.Close(open);
    }

    private void For(IForLoopOperation loop)
    {
        Located(loop);
        if (CountingRange(loop) is { } range)
        {
            _out.Line($"for {range.variable} in range({range.start}, {range.end}, {range.step}):");
            Nested(loop.Body, new Frame { IsLoop = true });
            return;
        }
        // Any other for: the initializers, then a while whose body ends with the step (also done before a continue).
        foreach (IOperation before in loop.Before) Statement(before);
        _out.Line($"while {(loop.Condition is null ? "True" : Condition(loop.Condition))}:");
        int open = _out.Open();
        var frame = new Frame { IsLoop = true, ContinueStep = loop.AtLoopBottom.ToList() };
        _frames.Add(frame);
        Statement(loop.Body);
        _frames.Remove(frame);
        foreach (IOperation step in loop.AtLoopBottom) Statement(step);
        _out.Close(open);
    }

    /// <summary>for (int i = a; i &lt; b; i += s) with a constant step and a body that leaves i, and every variable
    /// the bound reads, alone → range(). (C# evaluates the condition at every iteration, range() its bound once: a
    /// body that changes what the bound reads keeps the general while form.)</summary>
    private (string variable, string start, string end, string step)? CountingRange(IForLoopOperation loop)
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
        string end = (step > 0, op) switch
        {
            (true, BinaryOperatorKind.LessThan) => Expr(bound),
            (true, BinaryOperatorKind.LessThanOrEqual) => $"{Expr(bound)} + 1",
            (false, BinaryOperatorKind.GreaterThan) => Expr(bound),
            (false, BinaryOperatorKind.GreaterThanOrEqual) => $"{Expr(bound)} - 1",
            _ => "",
        };
        if (end.Length == 0) return null;
        return (NameOf(index), Expr(init.Value), end, step.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
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
        _out.Line($"for {NameOf(variable)} in {Expr(collection)}:");
        Nested(loop.Body, new Frame { IsLoop = true });
    }

    private void Switch(ISwitchOperation @switch)
    {
        Located(@switch);
        if (ScriptTypes.Annotation(@switch.Value.Type) is not ("int" or "float" or "bool"))
            throw new LoweringFailure(@switch.Value.Syntax, "a switch on a value that is not a number or bool");
        string value = Temporary("switch");
        _out.Line($"{value} = {Expr(@switch.Value)}");
        ISwitchCaseOperation? fallback = null;
        bool first = true;
        foreach (ISwitchCaseOperation section in @switch.Cases)
        {
            if (section.Clauses.Any(c => c is IDefaultCaseClauseOperation)) { fallback = section; continue; }
            var tests = section.Clauses.Select(c => c is ISingleValueCaseClauseOperation single
                ? $"{value} == {Expr(single.Value)}"
                : throw new LoweringFailure(c.Syntax, "a switch case with a pattern"));
            _out.Line($"{(first ? "if" : "elif")} {string.Join(" or ", tests)}:");
            first = false;
            SwitchSection(section);
        }
        if (fallback is null) return;
        if (first)
        {
            SwitchBody(fallback);
            return;
        }
        _out.Line("else:");
        SwitchSection(fallback);
    }

    private void SwitchSection(ISwitchCaseOperation section)
    {
        int open = _out.Open();
        SwitchBody(section);
        _out.Close(open);
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
                _out.Line($"{NameOf(declarators[k].Symbol)} = {Expr(value)}");
                continue;
            }
            if (inner is IInvocationOperation { TargetMethod: { Name: "NewDisposeScope" } } call && KnownApis.Namespace(call.TargetMethod).StartsWith(KnownApis.TorchNamespace))
                continue; // a dispose scope does nothing in a graph
            if (inner is IInvocationOperation { TargetMethod: { Name: "no_grad" or "enable_grad" } grad } && KnownApis.Namespace(grad).StartsWith(KnownApis.TorchNamespace))
            {
                Located(value);
                string saved = Temporary("grad");
                _out.Line($"{saved} = torch.is_grad_enabled()");
                _out.Line($"torch.set_grad_enabled({(grad.Name == "enable_grad" ? "True" : "False")})");
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
        if (frame.GradRestore is not null) _out.Line($"torch.set_grad_enabled({frame.GradRestore})");
    }

    /// <summary>Before a return (all frames) or a break/continue (frames inside the innermost loop): restore grad
    /// mode, and before a continue in a for-loop lowered to while, run its step.</summary>
    private void RestoreForExit(bool untilLoop, bool continuing = false)
    {
        for (int k = _frames.Count - 1; k >= 0; k--)
        {
            Frame frame = _frames[k];
            if (frame.GradRestore is not null) _out.Line($"torch.set_grad_enabled({frame.GradRestore})");
            if (frame.IsLoop && untilLoop)
            {
                if (continuing && frame.ContinueStep is { } step)
                    foreach (IOperation s in step) Statement(s);
                return;
            }
        }
    }
}
