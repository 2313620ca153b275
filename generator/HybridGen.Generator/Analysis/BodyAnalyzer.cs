using System;
using HybridGen.Graph;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using HybridGen.Generator.Catalog;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace HybridGen.Generator.Analysis;

/// <summary>
/// Walks one method body and records what would break or slow its graph twin (the HG01xx rules and HG0204).
/// Calls into methods with source in this compilation are followed through <see cref="CallGraph"/>, and what is
/// found inside a helper is reported here, at the call, naming the helper and the line inside it.
/// </summary>
internal sealed class BodyAnalyzer : OperationWalker
{
    private readonly CallGraph _graph;
    private readonly IMethodSymbol _method;
    private readonly CancellationToken _ct;
    private readonly List<Finding> _findings = new();
    private readonly List<Finding> _advisories = new();
    // Locals holding a tensor the method created, each with the run-time submodules (members) whose results it is
    // only where those allocate theirs.
    private readonly Dictionary<ILocalSymbol, string[]> _owned = new(SymbolEqualityComparer.Default);
    // While one ownership question is answered: the run-time submodules its answer depends on.
    private List<string>? _ownershipDependsOn;
    // foreach variables over a ModuleList whose children the constructor fixes: each stands for every child.
    private readonly Dictionary<ILocalSymbol, SequenceSubmodule> _moduleLoops = new(SymbolEqualityComparer.Default);
    private int _conditionDepth;
    private bool _tensorWork;
    private readonly List<Finding> _runTimeModuleCalls = new();
    private readonly SortedSet<string> _freshModules = new(System.StringComparer.Ordinal);
    private readonly SortedSet<string> _runTimeModules = new(System.StringComparer.Ordinal);
    // Whether every tensor the method returns is one it created (or a view of one), never an input or state. The walk
    // tracks a local's ownership in visiting order, which holds for straight-line code only: a local assigned inside a
    // branch or loop body (_branchDepth), or by a deconstruction, makes the answer untrusted for the whole method
    // (also where the returned value reaches it through another local).
    private bool _returnsOwned = true;
    private bool _untrustedLocals;
    private int _branchDepth;

    private BodyAnalyzer(CallGraph graph, IMethodSymbol method, CancellationToken ct)
    {
        _graph = graph;
        _method = method;
        _ct = ct;
    }

    public static MethodSummary Analyze(CallGraph graph, IMethodSymbol method, IOperation body, CancellationToken ct)
    {
        var analyzer = new BodyAnalyzer(graph, method, ct);
        if (method.IsAsync) analyzer.Add(DiagnosticDescriptors.IteratorOrAsync, body.Syntax, "is async");
        if (IsIterator(method)) analyzer.Add(DiagnosticDescriptors.IteratorOrAsync, body.Syntax, "is an iterator (yield)");
        analyzer.Visit(body);
        // An expression body binds as its expression (CallGraph.OperationOf): that is what it returns.
        if (body is not (IBlockOperation or IMethodBodyOperation)) analyzer.Returned(body);
        return new MethodSummary(analyzer._findings, analyzer._tensorWork, analyzer._advisories)
        {
            RunTimeModuleCalls = analyzer._runTimeModuleCalls,
            FreshModules = analyzer._freshModules,
            RunTimeModules = analyzer._runTimeModules,
            ReturnsOwned = analyzer._returnsOwned && !analyzer._untrustedLocals,
        };
    }

    private static bool IsIterator(IMethodSymbol method) =>
        method.DeclaringSyntaxReferences.Any(r => r.GetSyntax().DescendantNodes(n => n is not LambdaExpressionSyntax and not LocalFunctionStatementSyntax)
            .Any(n => n is YieldStatementSyntax));

    private void Add(DiagnosticDescriptor rule, SyntaxNode where, string what, int? parameter = null) => _findings.Add(new Finding(rule, where.GetLocation(), what, parameter));

    /// <summary>The ordinal of this method's parameter that <paramref name="operation"/> reads, or null.</summary>
    private int? ParameterOf(IOperation? operation) =>
        (operation is IConversionOperation c ? c.Operand : operation) is IParameterReferenceOperation p
            && SymbolEqualityComparer.Default.Equals(p.Parameter.ContainingSymbol, _method) ? p.Parameter.Ordinal : null;

    // ---- calls ----------------------------------------------------------------------------------------------

    public override void VisitInvocation(IInvocationOperation operation)
    {
        _ct.ThrowIfCancellationRequested();
        Call(operation.TargetMethod, operation.Instance, operation.Syntax, operation.Arguments.Select(a => a.Value).ToList());
        base.VisitInvocation(operation);
    }

    public override void VisitBinaryOperator(IBinaryOperation operation)
    {
        if (operation.OperatorMethod is { } method) Call(method, null, operation.Syntax, new[] { operation.LeftOperand, operation.RightOperand });
        base.VisitBinaryOperator(operation);
    }

    public override void VisitUnaryOperator(IUnaryOperation operation)
    {
        if (operation.OperatorMethod is { } method) Call(method, null, operation.Syntax, new[] { operation.Operand });
        base.VisitUnaryOperator(operation);
    }

    private void Call(IMethodSymbol method, IOperation? receiver, SyntaxNode syntax, IReadOnlyList<IOperation> arguments)
    {
        string name = Display(method);
        if (method.MethodKind == MethodKind.DelegateInvoke && EventOf(receiver) is { } raised)
        {
            Add(DiagnosticDescriptors.SideEffect, syntax, $"raises the event '{raised.Name}', whose handlers would run once, at trace time");
            return;
        }
        if (method.MethodKind == MethodKind.DelegateInvoke) { Add(DiagnosticDescriptors.UnprovableCall, syntax, "invokes a delegate, whose target the analysis cannot see"); return; }
        if (KnownApis.IsAtomicWrite(method))
        {
            foreach (IOperation argument in arguments)
                if (argument.Parent is IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out })
                    CheckWrite(argument, syntax);
            return;
        }
        if (KnownApis.IsReflection(method)) { Add(DiagnosticDescriptors.UnprovableCall, syntax, $"uses reflection ('{name}')"); return; }
        if (KnownApis.SideEffect(method) is { } effect) { Add(DiagnosticDescriptors.SideEffect, syntax, effect); return; }
        if (KnownApis.Nondeterminism(method) is { } random) { Add(DiagnosticDescriptors.HostNondeterminism, syntax, random); return; }
        if (KnownApis.IsLinq(method)) { Add(DiagnosticDescriptors.IteratorOrAsync, syntax, $"uses LINQ ('{method.Name}'), which enumerates lazily on the host"); return; }
        if (KnownApis.TrainableState(method) is { } state) { Add(DiagnosticDescriptors.TrainableStateCreation, syntax, state); return; }
        if (KnownApis.IsHostRead(method)) { HostRead(syntax, $"'{name}'"); return; }
        if (KnownApis.IsTensor(method.ContainingType) && method.Name == "backward")
        {
            Add(DiagnosticDescriptors.OutsideStateWrite, syntax, "runs backward, which writes the gradients of leaf tensors");
            return;
        }
        if (_graph.Ops.Find(method, arguments) is { } op)
        {
            _tensorWork = true;
            if (op.Facts.HasFlag(OpFacts.HostRead)) { HostRead(syntax, $"'{name}'"); return; }
            // An in-place op writes its receiver, or a static one named so (torch.clamp_(x, ...)) its first argument; a
            // static row marked in place for an inplace flag (F.relu) is spelled only where the flag is off.
            IOperation? written = !method.IsStatic ? receiver
                : method.Name.EndsWith("_", System.StringComparison.Ordinal) ? ArgumentFor(arguments, 0) ?? arguments.FirstOrDefault() : null;
            if (op.Facts.HasFlag(OpFacts.InPlace) && written is not null && !IsOwned(written))
                Add(DiagnosticDescriptors.InPlaceOnInput, syntax, $"changes '{Describe(written)}' in place with '{method.Name}', a tensor it did not create");
            if (op.Facts.HasFlag(OpFacts.DataDependentShape))
                _advisories.Add(new Finding(DiagnosticDescriptors.NotCapturable, syntax.GetLocation(), $"'{method.Name}' gives a result whose shape depends on tensor values"));
            return;
        }
        if (KnownApis.IsTensor(method.ContainingType) && (method.AssociatedSymbol is IPropertySymbol { IsIndexer: true } || method.Name == "index"))
        {
            _tensorWork = true;
            if (arguments.SelectMany(Flatten).Any(IsMask))
                _advisories.Add(new Finding(DiagnosticDescriptors.NotCapturable, syntax.GetLocation(), "it indexes with a boolean mask, whose result's shape depends on tensor values"));
            return;
        }
        if (KnownApis.IsNeutralTorchMember(method))
        {
            if (KnownApis.IsTensor(method.ContainingType) && method.Name == "Dispose" && receiver is not null && !IsOwned(receiver))
                Add(DiagnosticDescriptors.OutsideStateWrite, syntax, $"disposes '{Describe(receiver)}', a tensor it did not create");
            return;
        }
        if (ModuleCatalog.IsForward(method) && ModuleOf(receiver) is { } submodule)
        {
            if (submodule is UnknownSubmodule unknown && RunTimeModule(method, receiver) is { } member)
            {
                _runTimeModules.Add(member);
                // Decision 5: the live module tree decides (the runtime composes it, or runs eager and says why).
                _tensorWork = true;
                _runTimeModuleCalls.Add(new Finding(DiagnosticDescriptors.UnprovableCall, syntax.GetLocation(),
                    $"calls the submodule '{Describe(receiver!)}', which the build cannot see through: {unknown.Reason}"));
                return;
            }
            Submodule(submodule, receiver!, syntax); // a submodule the twin spells (its state is read at every call)
            return;
        }
        if (KnownApis.IsPureBcl(method)) return;
        if (KnownApis.IsCollection(method.ContainingType))
        {
            if (KnownApis.IsMutatingCollectionMember(method.Name) && receiver is not null && !IsOwned(receiver))
                Add(DiagnosticDescriptors.OutsideStateWrite, syntax, $"changes '{Describe(receiver)}' ('{method.Name}'), a collection it did not create", ParameterOf(receiver));
            return;
        }
        FollowIntoSource(method, syntax, arguments);
    }

    /// <summary>The event a delegate invocation raises (<c>Changed(this, e)</c>, <c>Changed?.Invoke(...)</c>), or null.</summary>
    private static IEventSymbol? EventOf(IOperation? receiver)
    {
        IOperation? target = receiver;
        if (receiver is IConditionalAccessInstanceOperation)
            for (IOperation? up = receiver.Parent; up is not null; up = up.Parent)
                if (up is IConditionalAccessOperation access) { target = access.Operation; break; }
        return target switch
        {
            IEventReferenceOperation e => e.Event,
            IFieldReferenceOperation { Field.AssociatedSymbol: IEventSymbol e } => e,
            _ => null,
        };
    }

    /// <summary>The submodule a forward or call is made on: a field or property of this object of module type, or
    /// a foreach variable over a ModuleList; null for any other receiver.</summary>
    private Submodule? ModuleOf(IOperation? receiver) =>
        receiver is ILocalReferenceOperation { Local: var local } && _moduleLoops.TryGetValue(local, out SequenceSubmodule? list) ? list
            : Submodules.OfReceiver(receiver, _graph.Scope, _ct);

    /// <summary>A submodule's forward: catalog kinds are tensor work, a user module's forward is analyzed like any
    /// helper, a container's children each, and one the build cannot see through is a reason.</summary>
    private void Submodule(Submodule submodule, IOperation receiver, SyntaxNode syntax)
    {
        switch (submodule)
        {
            case CatalogSubmodule:
                _tensorWork = true;
                break;
            case SourceSubmodule source:
                FollowBody(source.Body, source.Body, syntax, null);
                break;
            case SequenceSubmodule sequence:
                _tensorWork = true;
                foreach (Submodule child in sequence.Children) Submodule(child, receiver, syntax);
                break;
            case ChoiceSubmodule choice:
                Submodule(choice.WhenTrue, receiver, syntax);
                Submodule(choice.WhenFalse, receiver, syntax);
                break;
            case RepeatSubmodule repeat:
                _tensorWork = true;
                foreach (Submodule child in repeat.Prefix.Concat(repeat.Pattern).Concat(repeat.Suffix)) Submodule(child, receiver, syntax);
                break;
            case UnknownSubmodule unknown:
                Add(DiagnosticDescriptors.UnprovableCall, syntax, $"calls the submodule '{Describe(receiver)}', which the build cannot see through: {unknown.Reason}");
                break;
        }
    }

    /// <summary>A call into code of this compilation: analyze it (once, cached) and report what it does here.</summary>
    private void FollowIntoSource(IMethodSymbol method, SyntaxNode syntax, IReadOnlyList<IOperation>? arguments = null)
    {
        IMethodSymbol target = CallGraph.BodyOf(method);
        if ((target.IsVirtual || target.IsAbstract || (target.IsOverride && !target.IsSealed) || target.ContainingType?.TypeKind == TypeKind.Interface)
            && target.ContainingType?.IsSealed != true)
        {
            Add(DiagnosticDescriptors.UnprovableCall, syntax, $"makes a virtual or interface call ('{Display(method)}'), whose target the analysis cannot fix");
            return;
        }
        FollowBody(method, target, syntax, arguments);
    }

    private void FollowBody(IMethodSymbol method, IMethodSymbol target, SyntaxNode syntax, IReadOnlyList<IOperation>? arguments)
    {
        if (!CallGraph.HasSource(target))
        {
            Add(DiagnosticDescriptors.UnprovableCall, syntax, $"calls '{Display(method)}', which has no source in this compilation and is not in HybridGen's op catalog (docs/ops.md)");
            return;
        }
        if (_graph.IsOnStack(target) || SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, _method.OriginalDefinition))
        {
            Add(DiagnosticDescriptors.Recursion, syntax, $"calls '{Display(method)}', which leads back to itself (recursion)");
            return;
        }
        MethodSummary summary = _graph.SummaryOf(target, _ct);
        _tensorWork |= summary.DoesTensorWork;
        // Only a hybridized method's own body composes run-time submodules; in a helper they stay unknown.
        foreach (Finding inner in summary.Findings.Concat(summary.RunTimeModuleCalls))
        {
            int? parameter = null;
            if (inner.Parameter is int k)
            {
                // The helper changes an object it was given: outside state only if this method did not create it.
                IOperation? argument = ArgumentFor(arguments, k);
                if (argument is not null && IsOwned(argument)) continue;
                parameter = ParameterOf(argument);
            }
            _findings.Add(new Finding(inner.Rule, syntax.GetLocation(), $"calls '{Display(method)}', which {inner.What} ({Where(inner.Location)})", parameter));
        }
        foreach (Finding inner in summary.Advisories)
            _advisories.Add(new Finding(inner.Rule, syntax.GetLocation(), $"it calls '{Display(method)}', where {inner.What.Replace("it ", "")} ({Where(inner.Location)})"));
    }

    private static IOperation? ArgumentFor(IReadOnlyList<IOperation>? arguments, int ordinal)
    {
        if (arguments is null) return null;
        foreach (IOperation value in arguments)
            if (value.Parent is IArgumentOperation { Parameter: { } p } && p.Ordinal == ordinal) return value;
        return null;
    }

    private void HostRead(SyntaxNode syntax, string what)
    {
        if (_conditionDepth > 0)
            Add(DiagnosticDescriptors.TensorDependentControlFlow, syntax, $"decides control flow on the host from tensor values ({what})");
        else
            Add(DiagnosticDescriptors.HostRead, syntax, $"reads tensor values on the host ({what})");
    }

    // ---- objects, members, assignments -------------------------------------------------------------------------

    public override void VisitObjectCreation(IObjectCreationOperation operation)
    {
        ITypeSymbol? type = operation.Type;
        if (type is not null)
        {
            if (KnownApis.TrainableState(type) is { } state) Add(DiagnosticDescriptors.TrainableStateCreation, operation.Syntax, state);
            else if (KnownApis.Nondeterminism(operation.Constructor ?? (ISymbol)type) is { } random) Add(DiagnosticDescriptors.HostNondeterminism, operation.Syntax, random);
            else if (KnownApis.SideEffect(operation.Constructor ?? (ISymbol)type) is { } effect) Add(DiagnosticDescriptors.SideEffect, operation.Syntax, effect);
            else if (!IsAcceptedCreation(type) && operation.Constructor is { } ctor)
            {
                if (CallGraph.HasSource(ctor)) FollowIntoSource(ctor, operation.Syntax);
                else if (!IsException(type)) Add(DiagnosticDescriptors.UnprovableCall, operation.Syntax, $"creates a '{type.Name}', which the analysis cannot follow");
            }
        }
        base.VisitObjectCreation(operation);
    }

    private static bool IsAcceptedCreation(ITypeSymbol type) =>
        KnownApis.IsCollection(type) || type.IsTupleType || KnownApis.InTorchSharp(type) && !KnownApis.IsTensor(type)
        || KnownTypes.Is(type, "System.Range") || KnownTypes.Is(type, "System.Index");

    private static bool IsException(ITypeSymbol type)
    {
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
            if (KnownTypes.Is(t, "System.Exception")) return true;
        return false;
    }

    public override void VisitPropertyReference(IPropertyReferenceOperation operation)
    {
        IPropertySymbol property = operation.Property;
        if (KnownApis.SideEffect(property) is { } effect) Add(DiagnosticDescriptors.SideEffect, operation.Syntax, effect);
        else if (KnownApis.Nondeterminism(property) is { } random) Add(DiagnosticDescriptors.HostNondeterminism, operation.Syntax, random);
        else if (KnownApis.IsTensor(property.ContainingType) && property.Name == "grad") Add(DiagnosticDescriptors.UnprovableCall, operation.Syntax, "reads a gradient (.grad), which a graph twin does not carry");
        else if (KnownApis.IsTensor(property.ContainingType) && property.IsIndexer) Call(property.GetMethod!, operation.Instance, operation.Syntax, operation.Arguments.Select(a => a.Value).ToList());
        else if (property.GetMethod is { } getter && !KnownApis.IsNeutralTorchMember(property) && !KnownApis.IsPureBcl(property) && !KnownApis.IsCollection(property.ContainingType)
                 && !IsAutoOrSimple(property) && !IsSystemTupleItem(property))
        {
            if (CallGraph.HasSource(getter)) FollowIntoSource(getter, operation.Syntax);
            else if (!KnownApis.InTorchSharp(property))
                Add(DiagnosticDescriptors.UnprovableCall, operation.Syntax, $"reads '{property.ContainingType?.Name}.{property.Name}', which the analysis cannot follow");
        }
        base.VisitPropertyReference(operation);
    }

    /// <summary>A System.Tuple's ItemN (MultiheadAttention's result): a plain read.</summary>
    private static bool IsSystemTupleItem(IPropertySymbol property) =>
        property.ContainingType is { Name: "Tuple", IsGenericType: true } tuple && KnownTypes.IsNamespace(tuple.ContainingNamespace, "System")
        && property.Name.StartsWith("Item", System.StringComparison.Ordinal);

    /// <summary>Auto-properties and properties of this compilation without a body of their own are plain reads.</summary>
    private static bool IsAutoOrSimple(IPropertySymbol property) =>
        property.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is PropertyDeclarationSyntax p &&
            p.ExpressionBody is null && p.AccessorList?.Accessors.All(a => a.Body is null && a.ExpressionBody is null) == true);

    public override void VisitSimpleAssignment(ISimpleAssignmentOperation operation)
    {
        CheckWrite(operation.Target, operation.Syntax);
        if (operation.Target is ILocalReferenceOperation local) TrackOwnership(local.Local, operation.Value);
        VisitValueOnly(operation.Target);
        Visit(operation.Value);
    }

    public override void VisitCompoundAssignment(ICompoundAssignmentOperation operation)
    {
        CheckWrite(operation.Target, operation.Syntax);
        if (operation.OperatorMethod is { } method) Call(method, null, operation.Syntax, new[] { operation.Target, operation.Value });
        VisitValueOnly(operation.Target);
        Visit(operation.Value);
    }

    public override void VisitIncrementOrDecrement(IIncrementOrDecrementOperation operation)
    {
        CheckWrite(operation.Target, operation.Syntax);
        VisitValueOnly(operation.Target);
    }

    public override void VisitDeconstructionAssignment(IDeconstructionAssignmentOperation operation)
    {
        // Its targets' ownership is not tracked (ReturnsOwned).
        if (Flatten(operation.Target).Any(t => t is ILocalReferenceOperation)) _untrustedLocals = true;
        foreach (IOperation target in Flatten(operation.Target)) CheckWrite(target, operation.Syntax);
        Visit(operation.Value);
    }

    // `using var x = t;` disposes x when the scope ends: a tensor the method did not create is outside state.
    public override void VisitUsingDeclaration(IUsingDeclarationOperation operation)
    {
        CheckUsedTensors(operation.DeclarationGroup);
        base.VisitUsingDeclaration(operation);
    }

    public override void VisitUsing(IUsingOperation operation)
    {
        CheckUsedTensors(operation.Resources);
        base.VisitUsing(operation);
    }

    private void CheckUsedTensors(IOperation resources)
    {
        IEnumerable<IOperation> values = resources is IVariableDeclarationGroupOperation group
            ? group.Declarations.SelectMany(d => d.Declarators).Select(d => d.GetVariableInitializer()?.Value).OfType<IOperation>()
            : new[] { resources };
        foreach (IOperation value in values)
            if (KnownApis.IsTensor(value.Type) && !IsOwned(value))
                Add(DiagnosticDescriptors.OutsideStateWrite, value.Syntax, $"disposes '{Describe(value)}' at the end of its using, a tensor it cannot prove it created");
    }

    public override void VisitVariableDeclarator(IVariableDeclaratorOperation operation)
    {
        if (operation.GetVariableInitializer() is { } init) TrackOwnership(operation.Symbol, init.Value);
        base.VisitVariableDeclarator(operation);
    }

    public override void VisitEventAssignment(IEventAssignmentOperation operation)
    {
        Add(DiagnosticDescriptors.OutsideStateWrite, operation.Syntax, "subscribes to or unsubscribes from an event");
        base.VisitEventAssignment(operation);
    }

    public override void VisitRaiseEvent(IRaiseEventOperation operation)
    {
        Add(DiagnosticDescriptors.SideEffect, operation.Syntax, $"raises the event '{operation.EventReference.Event.Name}'");
        base.VisitRaiseEvent(operation);
    }

    /// <summary>Visits what an assignment target reads (an instance, an index), not the target itself.</summary>
    private void VisitValueOnly(IOperation target)
    {
        switch (target)
        {
            case IPropertyReferenceOperation p:
                if (p.Instance is not null) Visit(p.Instance);
                foreach (IArgumentOperation a in p.Arguments) Visit(a.Value);
                break;
            case IFieldReferenceOperation f when f.Instance is not null:
                Visit(f.Instance);
                break;
            case IArrayElementReferenceOperation e:
                Visit(e.ArrayReference);
                foreach (IOperation i in e.Indices) Visit(i);
                break;
        }
    }

    private void CheckWrite(IOperation target, SyntaxNode syntax)
    {
        if (target is ILocalReferenceOperation && _branchDepth > 0) _untrustedLocals = true;
        switch (target)
        {
            case IFieldReferenceOperation field when field.Instance is null || !IsOwned(field.Instance):
                Add(DiagnosticDescriptors.OutsideStateWrite, syntax, field.Field.IsStatic ? $"writes the static field '{field.Field.Name}'" : $"writes the field '{field.Field.Name}'");
                break;
            case IPropertyReferenceOperation { Property.Name: "requires_grad" } p when KnownApis.IsTensor(p.Property.ContainingType):
                Add(DiagnosticDescriptors.TrainableStateCreation, syntax, "makes a tensor require grad");
                break;
            case IPropertyReferenceOperation property when property.Instance is null || !IsOwned(property.Instance):
                Add(DiagnosticDescriptors.OutsideStateWrite, syntax, property.Property.IsIndexer
                    ? $"writes an element of '{Describe(property.Instance)}', which it did not create"
                    : $"sets the property '{property.Property.Name}'",
                    // A collection a helper was given is outside state only where its caller did not create it.
                    property.Property.IsIndexer && KnownApis.IsCollection(property.Property.ContainingType) ? ParameterOf(property.Instance) : null);
                break;
            case IArrayElementReferenceOperation element when !IsOwned(element.ArrayReference):
                Add(DiagnosticDescriptors.OutsideStateWrite, syntax, $"writes an element of '{Describe(element.ArrayReference)}', an array it did not create",
                    ParameterOf(element.ArrayReference));
                break;
            case IParameterReferenceOperation parameter when parameter.Parameter.RefKind is RefKind.Ref or RefKind.Out:
                Add(DiagnosticDescriptors.OutsideStateWrite, syntax, $"writes the {parameter.Parameter.RefKind.ToString().ToLowerInvariant()} parameter '{parameter.Parameter.Name}'");
                break;
            case ILocalReferenceOperation local when IsCaptured(local):
                Add(DiagnosticDescriptors.OutsideStateWrite, syntax, $"writes the captured variable '{local.Local.Name}'");
                break;
        }
    }

    /// <summary>A local of another method: a local function writing its enclosing method's variable.</summary>
    private bool IsCaptured(ILocalReferenceOperation local) =>
        !SymbolEqualityComparer.Default.Equals(local.Local.ContainingSymbol, _method);

    // ---- ownership: what the method created itself ----------------------------------------------------------------

    private void TrackOwnership(ILocalSymbol local, IOperation value)
    {
        // Assigning a run-time submodule's result does not yet ask it to allocate: a later in-place op on the local does.
        List<string>? outer = _ownershipDependsOn;
        _ownershipDependsOn = new List<string>();
        try
        {
            if (IsFresh(value)) _owned[local] = _ownershipDependsOn.ToArray();
            else _owned.Remove(local);
        }
        finally
        {
            _ownershipDependsOn = outer;
        }
    }

    /// <summary>Whether the method created the tensor (so it may change or free it). Where that holds only if
    /// run-time submodules allocate their results, they are recorded as having to (FreshModules).</summary>
    private bool IsOwned(IOperation operation)
    {
        if (_ownershipDependsOn is not null) return OwnedCore(operation);
        _ownershipDependsOn = new List<string>();
        try
        {
            bool owned = OwnedCore(operation);
            if (owned) _freshModules.UnionWith(_ownershipDependsOn);
            return owned;
        }
        finally
        {
            _ownershipDependsOn = null;
        }
    }

    private bool OwnedCore(IOperation operation) => operation switch
    {
        ILocalReferenceOperation local => _owned.TryGetValue(local.Local, out string[]? dependsOn) && DependOn(dependsOn),
        IConversionOperation conversion => IsOwned(conversion.Operand),
        // The object a collection or object initializer fills (new List<Tensor> { x }) is being created here.
        IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver } => true,
        IInstanceReferenceOperation => false,
        _ => IsFresh(operation),
    };

    /// <summary>The member a call of a run-time submodule is made on (a field or property of this object whose
    /// forward takes one tensor and returns one), or null. A TorchSharp module kind the catalog lacks is not one: its
    /// kind is fixed, and HG0108 names it at build time.</summary>
    private static string? RunTimeModule(IMethodSymbol forward, IOperation? receiver)
    {
        ITypeSymbol? declaredType = receiver?.Type;
        // A native kind whose settings only the live module shows (a TransformerEncoder: src, mask, padding mask; a
        // GRU or LSTM: input and initial state, giving output and final state as a tuple).
        bool nativeAtRunTime = RunTimeNativeKinds.MetadataNames.Any(name => KnownTypes.Is(declaredType, name));
        if (nativeAtRunTime)
        {
            // MultiheadAttention's need_weights is a bool.
            if (!IsTensors(forward.ReturnType) || !forward.Parameters.All(p => IsTensors(p.Type) || p.Type.SpecialType == SpecialType.System_Boolean)) return null;
        }
        else if (forward.Parameters.Length != 1 || !KnownApis.IsTensor(forward.Parameters[0].Type) || !KnownApis.IsTensor(forward.ReturnType))
        {
            return null;
        }
        ISymbol? member = receiver switch
        {
            IFieldReferenceOperation { Instance: IInstanceReferenceOperation, Field: var f } => f,
            IPropertyReferenceOperation { Instance: IInstanceReferenceOperation, Property: { IsIndexer: false } p } => p,
            _ => null,
        };
        if (member is null) return null;
        ITypeSymbol declared = receiver!.Type!;
        bool fixedNativeKind = KnownTypes.IsNamespace(declared.ContainingNamespace, "TorchSharp.Modules") && !KnownTypes.Is(declared, KnownTypes.Sequential)
            && !nativeAtRunTime;
        return fixedNativeKind ? null : member.Name;
    }

    /// <summary>A tensor, or a tuple of tensors (nullable too: an LSTM's initial state; a System.Tuple:
    /// MultiheadAttention's result).</summary>
    private static bool IsTensors(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable) type = nullable.TypeArguments[0];
        return KnownApis.IsTensor(type)
            || type is INamedTypeSymbol { IsTupleType: true } tuple && tuple.TupleElements.All(e => KnownApis.IsTensor(e.Type))
            || type is INamedTypeSymbol { Name: "Tuple", IsGenericType: true } system && KnownTypes.IsNamespace(system.ContainingNamespace, "System")
                && system.TypeArguments.All(KnownApis.IsTensor);
    }

    private bool DependOn(string[] members)
    {
        if (_ownershipDependsOn is not null) _ownershipDependsOn.AddRange(members);
        else _freshModules.UnionWith(members);
        return true;
    }

    /// <summary>A new object: a creation, or a tensor op that allocates its result (not a view of its input).</summary>
    private bool IsFresh(IOperation value) => value switch
    {
        IConversionOperation conversion => IsFresh(conversion.Operand),
        IObjectCreationOperation or IArrayCreationOperation or IAnonymousObjectCreationOperation => true,
        IInvocationOperation invocation when ModuleCatalog.IsForward(invocation.TargetMethod) && ModuleOf(invocation.Instance) is { } module
            => module is UnknownSubmodule && RunTimeModule(invocation.TargetMethod, invocation.Instance) is { } member
                ? DependOn(new[] { member })
                : IsFreshModuleResult(module, invocation.Arguments[0].Value),
        IInvocationOperation invocation => _graph.Ops.Find(invocation.TargetMethod, Values(invocation)) is { } op && IsFreshResult(op, invocation),
        IBinaryOperation { OperatorMethod: { } method } => _graph.Ops.Find(method) is not null,
        IUnaryOperation { OperatorMethod: { } method } => _graph.Ops.Find(method) is not null,
        // A collection expression ([x, y]) always makes a new collection. Matched on syntax: the generator is
        // built against a Roslyn that has no operation kind for it.
        _ when value.Syntax is CollectionExpressionSyntax => true,
        _ => false,
    };

    /// <summary>Whether a submodule's result is the body's own (in-place ops on it are fine, ResNet's
    /// <c>y.add_(shortcut.forward(x)).relu_()</c>): a module that allocates gives a new tensor; one that may alias
    /// its input (Identity, an in-place activation, an empty Sequential) gives the body's own only for its own
    /// input; a user module's forward is its own where every tensor its body returns is one the body created
    /// (PositionalEncoding's <c>dropout.forward(x)</c> of its own <c>x</c>).</summary>
    private bool IsFreshModuleResult(Submodule module, IOperation input) => module switch
    {
        CatalogSubmodule catalog => catalog.Row.Allocates || IsOwned(input),
        SourceSubmodule source => !_graph.IsOnStack(source.Body) && _graph.SummaryOf(source.Body, _ct).ReturnsOwned,
        ChoiceSubmodule choice => IsFreshModuleResult(choice.WhenTrue, input) && IsFreshModuleResult(choice.WhenFalse, input),
        SequenceSubmodule { IsList: false } sequence => SequenceResultIsFresh(sequence, sequence.Children.Length - 1, input),
        _ => false,
    };

    private bool SequenceResultIsFresh(SequenceSubmodule sequence, int last, IOperation input)
    {
        for (int k = last; k >= 0; k--)
            switch (sequence.Children[k])
            {
                case CatalogSubmodule { Row.Allocates: true }: return true;
                case CatalogSubmodule: continue;
                default: return false;
            }
        return IsOwned(input);
    }

    private bool IsFreshResult(OpRow op, IInvocationOperation invocation) =>
        // An in-place op returns what it writes (its receiver, or a static one's first argument, torch.clamp_): the
        // result is fresh exactly when that is the body's own.
        op.Facts.HasFlag(OpFacts.InPlace) && (invocation.Instance ?? (invocation.TargetMethod.Name.EndsWith("_", System.StringComparison.Ordinal) ? AliasSource(invocation) : null)) is { } written
            ? IsOwned(written)
        // A view (or other alias) of the body's own tensor is the body's own too; of an input, it is not.
        : !op.Facts.HasFlag(OpFacts.MayAlias) || AliasSource(invocation) is { } source && IsOwned(source);

    /// <summary>What an aliasing op's result may share storage with: its receiver, or a static op's first argument.</summary>
    private static IOperation? AliasSource(IInvocationOperation invocation) =>
        invocation.Instance ?? invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).FirstOrDefault()?.Value;

    private static IReadOnlyList<IOperation> Values(IInvocationOperation invocation) => invocation.Arguments.Select(a => a.Value).ToList();

    private bool IsMask(IOperation operation) => operation switch
    {
        IConversionOperation conversion => IsMask(conversion.Operand),
        IInvocationOperation invocation => _graph.Ops.Find(invocation.TargetMethod, Values(invocation)) is { } op && op.Facts.HasFlag(OpFacts.Mask),
        IBinaryOperation { OperatorMethod: { } method } => _graph.Ops.Find(method) is { } op && op.Facts.HasFlag(OpFacts.Mask),
        _ => false,
    };

    private static IEnumerable<IOperation> Flatten(IOperation operation) => operation switch
    {
        ITupleOperation tuple => tuple.Elements.SelectMany(Flatten),
        IArrayCreationOperation { Initializer: { } init } => init.ElementValues.SelectMany(Flatten),
        IConversionOperation conversion => new[] { operation }.Concat(Flatten(conversion.Operand)),
        _ => new[] { operation },
    };

    // ---- control flow, iterators, exceptions, dynamic ------------------------------------------------------------

    // Local ownership at a join: a local is the method's own after a branch only where it is on every path (a
    // variable that holds an input on one path must not be written in place after it). A loop's body may run or not:
    // its end joins the state before it, and a later iteration starts from that join (VisitLoopBody).
    private Dictionary<ILocalSymbol, string[]> OwnedNow() => new(_owned, SymbolEqualityComparer.Default);

    private void Restore(Dictionary<ILocalSymbol, string[]> state)
    {
        _owned.Clear();
        foreach (var entry in state) _owned[entry.Key] = entry.Value;
    }

    private void Join(IReadOnlyList<Dictionary<ILocalSymbol, string[]>> paths)
    {
        var joined = new Dictionary<ILocalSymbol, string[]>(SymbolEqualityComparer.Default);
        foreach (var entry in paths[0])
        {
            if (!paths.All(p => p.ContainsKey(entry.Key))) continue;
            joined[entry.Key] = paths.SelectMany(p => p[entry.Key]).Distinct().ToArray();
        }
        Restore(joined);
    }

    /// <summary>Visits a loop's body (with its step) until the ownership at its start is stable: a local the body
    /// leaves holding an input is not the method's own at the next iteration's start either, so an in-place write
    /// earlier in the body is found on a later visit. Findings a later visit repeats are dropped. Leaves the state of
    /// "after the loop" (the body ran any number of times, none included). The body counts as a branch
    /// (_branchDepth).</summary>
    private void VisitLoopBody(Action body)
    {
        _branchDepth++;
        var start = OwnedNow();
        int findings = _findings.Count, advisories = _advisories.Count, calls = _runTimeModuleCalls.Count;
        // Each round only removes locals or widens what they depend on, so this ends; the bound is a safeguard.
        for (int round = 0; round < 8; round++)
        {
            body();
            Join(new[] { start, OwnedNow() });
            var next = OwnedNow();
            if (SameOwnership(next, start)) break;
            start = next;
        }
        Dedupe(_findings, findings);
        Dedupe(_advisories, advisories);
        Dedupe(_runTimeModuleCalls, calls);
        _branchDepth--;
    }

    private static bool SameOwnership(Dictionary<ILocalSymbol, string[]> a, Dictionary<ILocalSymbol, string[]> b) =>
        a.Count == b.Count && a.All(entry => b.TryGetValue(entry.Key, out string[]? other) && entry.Value.OrderBy(v => v).SequenceEqual(other.OrderBy(v => v)));

    /// <summary>Removes the entries from <paramref name="from"/> on that an earlier entry equals.</summary>
    private static void Dedupe(List<Finding> findings, int from)
    {
        var seen = new HashSet<Finding>(findings.Take(from));
        for (int k = from; k < findings.Count;)
        {
            if (seen.Add(findings[k])) k++;
            else findings.RemoveAt(k);
        }
    }

    public override void VisitConditional(IConditionalOperation operation)
    {
        VisitCondition(operation.Condition);
        _branchDepth++;
        var before = OwnedNow();
        Visit(operation.WhenTrue);
        var whenTrue = OwnedNow();
        Restore(before);
        if (operation.WhenFalse is not null) Visit(operation.WhenFalse);
        Join(new[] { whenTrue, OwnedNow() });
        _branchDepth--;
    }

    public override void VisitWhileLoop(IWhileLoopOperation operation)
    {
        if (operation.Condition is not null) VisitCondition(operation.Condition);
        VisitLoopBody(() => Visit(operation.Body));
        if (operation.IgnoredCondition is not null) Visit(operation.IgnoredCondition);
    }

    public override void VisitForLoop(IForLoopOperation operation)
    {
        foreach (IOperation before in operation.Before) Visit(before);
        if (operation.Condition is not null) VisitCondition(operation.Condition);
        VisitLoopBody(() =>
        {
            Visit(operation.Body);
            foreach (IOperation next in operation.AtLoopBottom) Visit(next);
        });
    }

    public override void VisitSwitch(ISwitchOperation operation)
    {
        VisitCondition(operation.Value);
        _branchDepth++;
        var before = OwnedNow();
        var paths = new List<Dictionary<ILocalSymbol, string[]>>();
        foreach (ISwitchCaseOperation c in operation.Cases)
        {
            Restore(before);
            Visit(c);
            paths.Add(OwnedNow());
        }
        // Without a default case, no case may run.
        if (!operation.Cases.Any(c => c.Clauses.Any(clause => clause.CaseKind == CaseKind.Default))) paths.Add(before);
        Join(paths);
        _branchDepth--;
    }

    private void VisitCondition(IOperation condition)
    {
        _conditionDepth++;
        Visit(condition);
        _conditionDepth--;
    }

    public override void VisitForEachLoop(IForEachLoopOperation operation)
    {
        IOperation collection = operation.Collection is IConversionOperation conversion ? conversion.Operand : operation.Collection;
        if (Submodules.OfReceiver(collection, _graph.Scope, _ct) is { } modules)
        {
            if (modules is RepeatSubmodule { IsList: true } repeat)
                modules = repeat.Expand(1);      // every kind a repeated list can hold, for the analysis
            if (modules is SequenceSubmodule { IsList: true } list && operation.LoopControlVariable is IVariableDeclaratorOperation { Symbol: var variable })
                _moduleLoops[variable] = list;   // unrolled in the twin, one copy of the body per child
            else
                Add(DiagnosticDescriptors.UnprovableCall, collection.Syntax, $"enumerates the submodule '{Describe(collection)}', which the build cannot see through: "
                    + (modules is UnknownSubmodule unknown ? unknown.Reason : "only a ModuleList is enumerated"));
            VisitLoopBody(() => base.VisitForEachLoop(operation));
            return;
        }
        ITypeSymbol? type = operation.Collection is IConversionOperation c ? c.Operand.Type : operation.Collection.Type;
        bool array = type is IArrayTypeSymbol;
        bool readOnlyList = KnownTypes.Is(type, KnownTypes.ReadOnlyList);
        if (!array && !readOnlyList)
            Add(DiagnosticDescriptors.IteratorOrAsync, operation.Collection.Syntax, $"enumerates a '{type?.ToDisplayString() ?? "sequence"}' (only arrays and IReadOnlyList<T> have a graph form)");
        VisitLoopBody(() => base.VisitForEachLoop(operation));
    }

    public override void VisitAwait(IAwaitOperation operation)
    {
        Add(DiagnosticDescriptors.IteratorOrAsync, operation.Syntax, "awaits");
        base.VisitAwait(operation);
    }

    public override void VisitReturn(IReturnOperation operation)
    {
        // Only the method's own returns (not a lambda's or a local function's, which the analysis refuses anyway).
        if (operation.ReturnedValue is { } value) Returned(value);
        base.VisitReturn(operation);
    }

    /// <summary>Notes whether a returned tensor is the method's own; one owned only where a run-time submodule
    /// allocates is not counted as owned.</summary>
    private void Returned(IOperation value)
    {
        if (!KnownApis.IsTensor(value.Type) || !_returnsOwned) return;
        _ownershipDependsOn = new List<string>();
        try
        {
            _returnsOwned = OwnedCore(value) && _ownershipDependsOn.Count == 0;
        }
        finally
        {
            _ownershipDependsOn = null;
        }
    }

    public override void VisitAnonymousFunction(IAnonymousFunctionOperation operation)
    {
        if (Captures(operation.Syntax)) Add(DiagnosticDescriptors.IteratorOrAsync, operation.Syntax, "has a lambda that captures state");
        // Its body runs wherever the delegate is invoked; that call is judged there (HG0108 for a delegate).
    }

    public override void VisitLocalFunction(ILocalFunctionOperation operation)
    {
        if (Captures(operation.Syntax)) Add(DiagnosticDescriptors.IteratorOrAsync, operation.Syntax, $"has a local function ('{operation.Symbol.Name}') that captures state");
        // Its body is analyzed where it is called, as any helper.
    }

    /// <summary>Whether a lambda or local function uses variables (or <c>this</c>) of the code around it.</summary>
    private bool Captures(SyntaxNode syntax)
    {
        SemanticModel? model = _graph.ModelFor(syntax.SyntaxTree);
        if (model is null) return true;
        DataFlowAnalysis? flow = syntax switch
        {
            LocalFunctionStatementSyntax statement => model.AnalyzeDataFlow(statement),
            ExpressionSyntax expression => model.AnalyzeDataFlow(expression),
            _ => null,
        };
        return flow is null || !flow.Succeeded || !flow.CapturedInside.IsEmpty;
    }

    public override void VisitTry(ITryOperation operation)
    {
        Add(DiagnosticDescriptors.ExceptionHandling, operation.Syntax is TryStatementSyntax t ? t.TryKeyword.Parent! : operation.Syntax,
            operation.Catches.Length > 0 ? "catches exceptions (try/catch)" : "uses try/finally");
        base.VisitTry(operation);
    }

    public override void VisitThrow(IThrowOperation operation)
    {
        bool constantMessage = operation.Exception is IConversionOperation { Operand: IObjectCreationOperation c1 } ? ConstantArguments(c1)
            : operation.Exception is IObjectCreationOperation c2 && ConstantArguments(c2);
        if (operation.Exception is not null && !constantMessage)
            Add(DiagnosticDescriptors.ExceptionHandling, operation.Syntax, "throws an exception whose message is not a constant");
        // A throw with a constant message has a graph form (raise); it is not walked further.
    }

    private static bool ConstantArguments(IObjectCreationOperation creation) => creation.Arguments.All(a => a.Value.ConstantValue.HasValue);

    public override void VisitDynamicInvocation(IDynamicInvocationOperation operation) => Dynamic(operation);
    public override void VisitDynamicMemberReference(IDynamicMemberReferenceOperation operation) => Dynamic(operation);
    public override void VisitDynamicObjectCreation(IDynamicObjectCreationOperation operation) => Dynamic(operation);
    public override void VisitDynamicIndexerAccess(IDynamicIndexerAccessOperation operation) => Dynamic(operation);

    private void Dynamic(IOperation operation) =>
        Add(DiagnosticDescriptors.UnprovableCall, operation.Syntax, "uses dynamic, which binds at run time");

    // ---- text ---------------------------------------------------------------------------------------------------

    private static string Display(IMethodSymbol method) =>
        method.MethodKind is MethodKind.PropertyGet or MethodKind.PropertySet
            ? $"{method.ContainingType?.Name}.{method.AssociatedSymbol?.Name}"
            : method.MethodKind == MethodKind.Constructor ? $"new {method.ContainingType?.Name}" : $"{method.ContainingType?.Name}.{method.Name}";

    private static string Describe(IOperation? operation) => operation switch
    {
        null => "this",
        IParameterReferenceOperation p => p.Parameter.Name,
        ILocalReferenceOperation l => l.Local.Name,
        IFieldReferenceOperation f => f.Field.Name,
        IPropertyReferenceOperation pr => pr.Property.Name,
        IConversionOperation c => Describe(c.Operand),
        IInstanceReferenceOperation => "this",
        _ => operation.Syntax.ToString(),
    };

    public static string Where(Location location)
    {
        FileLinePositionSpan span = location.GetLineSpan();
        return $"{System.IO.Path.GetFileName(span.Path)}({span.StartLinePosition.Line + 1})";
    }
}
