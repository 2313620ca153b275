using HybridGen.Graph;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using HybridGen.Generator.Catalog;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace HybridGen.Generator.Analysis;

/// <summary>
/// What a submodule of a hybridized module is, as far as the build can tell: a module kind of the catalog, a user
/// module whose forward has source, a <c>Sequential</c> or <c>ModuleList</c> of those, or unknown (with the reason).
/// Fields typed <c>Module&lt;Tensor,Tensor&gt;</c> and containers are resolved from the one value the type's own
/// code assigns them (decision 5); <see cref="Checked"/> then says the run time must confirm the module tree it
/// meets is that one (generated code checks it at every call; a different tree runs eager, reported).
/// </summary>
internal abstract record Submodule(string Kind)
{
    /// <summary>Whether the declared type does not fix this module's kind, so the twin's use of it must be
    /// confirmed per call.</summary>
    public bool Checked { get; init; }
}

/// <summary>A TorchSharp module the catalog spells (<see cref="ModuleCatalog"/>); <see cref="Constants"/> holds the
/// TorchScript literals of its construction-time settings (<see cref="ModuleRow.Constructed"/>).</summary>
internal sealed record CatalogSubmodule(ModuleRow Row, INamedTypeSymbol Type) : Submodule(Row.Name)
{
    public ImmutableDictionary<string, string> Constants { get; init; } = ImmutableDictionary<string, string>.Empty;
}

/// <summary>A module of this compilation: its forward's body is lowered as a function of its own state.</summary>
internal sealed record SourceSubmodule(INamedTypeSymbol Type, IMethodSymbol Body) : Submodule(Type.Name);

/// <summary>A <c>Sequential</c> (its forward chains the children) or <c>ModuleList</c> (iterated by foreach) whose
/// children the constructor fixes.</summary>
internal sealed record SequenceSubmodule(INamedTypeSymbol Type, ImmutableArray<Submodule> Children, bool IsList)
    : Submodule((IsList ? "ModuleList" : "Sequential") + "(" + string.Join(", ", Children.Select(c => c.Kind)) + ")");

/// <summary>A submodule the constructor picks by a condition (<c>stride != 1 ? Sequential(conv, bn) : Sequential()</c>):
/// the twin is built once for each branch, and the tree checks select one at run time.</summary>
internal sealed record ChoiceSubmodule(Submodule WhenTrue, Submodule WhenFalse) : Submodule(WhenTrue.Kind + " or " + WhenFalse.Kind);

/// <summary>A container its constructor fills in a loop (<c>for (...) layers.append(Linear(h, h));</c>): fixed children
/// before and after the loop and the loop body's children repeated a count only the run time knows. The twin is
/// built for each count from 0 to TwinBuilder.MaxRepeats; the tree checks pick the one that fits.</summary>
internal sealed record RepeatSubmodule(INamedTypeSymbol Type, ImmutableArray<Submodule> Prefix, ImmutableArray<Submodule> Pattern,
    ImmutableArray<Submodule> Suffix, bool IsList)
    : Submodule((IsList ? "ModuleList" : "Sequential") + "(" + string.Join(", ", Prefix.Select(c => c.Kind)
        .Concat(new[] { "(" + string.Join(", ", Pattern.Select(c => c.Kind)) + ") x n" }).Concat(Suffix.Select(c => c.Kind))) + ")")
{
    public SequenceSubmodule Expand(int repeats) =>
        new(Type, Prefix.Concat(Enumerable.Range(0, repeats).SelectMany(_ => Pattern)).Concat(Suffix).ToImmutableArray(), IsList) { Checked = Checked };
}

/// <summary>A module the build cannot see through.</summary>
internal sealed record UnknownSubmodule(string Reason) : Submodule("unknown");

internal static class Submodules
{

    /// <summary>The submodule a call is made on when its receiver is a field or property of this object whose type
    /// is a module; null for any other receiver.</summary>
    public static Submodule? OfReceiver(IOperation? receiver, CompilationScope scope, CancellationToken ct)
    {
        ISymbol? member = receiver switch
        {
            IFieldReferenceOperation { Instance: IInstanceReferenceOperation, Field: var f } => f,
            IPropertyReferenceOperation { Instance: IInstanceReferenceOperation, Property: { IsIndexer: false } p } => p,
            _ => null,
        };
        if (member is null || !IsModule(receiver!.Type)) return null;
        return OfMember(member, receiver.Type!, scope, ct);
    }

    public static bool IsModule(ITypeSymbol? type)
    {
        // torch.nn.Module and its generic Module<...> forms; an interface IModule<...> of torch.nn.
        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
            if (t.Name == "Module" && KnownTypes.Is(t.ContainingType, KnownTypes.Nn)) return true;
        return type is INamedTypeSymbol { TypeKind: TypeKind.Interface } i && i.Name.StartsWith("IModule", System.StringComparison.Ordinal) && KnownTypes.Is(i.ContainingType, KnownTypes.Nn);
    }

    /// <summary>A member of module type: by its declared type when that fixes the kind, else by what the type's own
    /// code assigns it.</summary>
    public static Submodule OfMember(ISymbol member, ITypeSymbol declared, CompilationScope scope, CancellationToken ct)
    {
        // Resolved once per member and compilation: the analysis and every twin of a model (one per module tree) ask
        // for the same members, and resolving one reads its type's whole source.
        if (scope.Submodules.TryGetValue(member, out Submodule? known)) return known;
        Submodule module = Resolve(member, declared, scope.Compilation, ct);
        scope.Submodules.TryAdd(member, module);
        return module;
    }

    private static Submodule Resolve(ISymbol member, ITypeSymbol declared, Compilation compilation, CancellationToken ct)
    {
        // A type that is not sealed fixes the kind only up to subclasses (which may override forward): checked.
        if (ByType(declared, compilation) is { } fixedKind && !IsContainer(declared) && !IsConstructed(fixedKind))
            return declared.IsSealed ? fixedKind : fixedKind with { Checked = true };
        var values = new List<IOperation>();
        var appends = new List<(InvocationExpressionSyntax call, SemanticModel model)>();
        string? mutation = null;
        foreach (SyntaxReference reference in member.ContainingType.DeclaringSyntaxReferences)
        {
            SyntaxNode type = reference.GetSyntax(ct);
            SemanticModel model = compilation.GetSemanticModel(type.SyntaxTree);
            foreach (SyntaxNode node in type.DescendantNodes())
            {
                ExpressionSyntax? value = node switch
                {
                    VariableDeclaratorSyntax { Initializer.Value: var v } d when SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(d, ct), member) => v,
                    PropertyDeclarationSyntax { Initializer.Value: var v } p when SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(p, ct), member) => v,
                    AssignmentExpressionSyntax a when SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(a.Left, ct).Symbol, member) => a.Right,
                    _ => null,
                };
                if (value is not null && model.GetOperation(value, ct) is { } operation) values.Add(operation);
                if (node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access } call
                    && access.Name.Identifier.Text is "append" or "Add" or "extend" or "Insert" or "insert" or "Remove" or "RemoveAt" or "Clear"
                    && SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(access.Expression, ct).Symbol, member))
                {
                    if (access.Name.Identifier.Text is "append" or "Add") appends.Add((call, model));
                    else mutation = access.Name.Identifier.Text;
                }
            }
        }
        if (mutation is not null) return new UnknownSubmodule($"'{member.Name}' is changed at run time ('{mutation}'), so its contents are known only then");
        if (appends.Count > 0)
        {
            Submodule initial = values.Count == 1 ? OfValue(values[0], compilation) : new UnknownSubmodule($"'{member.Name}' is assigned in {values.Count} places");
            if (initial is not SequenceSubmodule start) return initial is UnknownSubmodule u ? u : new UnknownSubmodule($"'{member.Name}' is not a container it can append to");
            Submodule filled = Appended(member, start, appends, compilation, ct);
            return filled is UnknownSubmodule ? filled : filled with { Checked = true };
        }
        if (values.Count == 0 && ByType(declared, compilation) is { } typed && !IsConstructed(typed)) return declared.IsSealed ? typed : typed with { Checked = true };
        if (values.Count == 0) return new UnknownSubmodule($"'{member.Name}' is never assigned in this type's code");
        if (values.Count > 1) return new UnknownSubmodule($"'{member.Name}' is assigned in {values.Count} places, so its module kind is known only at run time");
        Submodule resolved = OfValue(values[0], compilation);
        return resolved is UnknownSubmodule ? resolved : resolved with { Checked = !SymbolEqualityComparer.Default.Equals(declared, TypeOf(resolved)) };
    }

    /// <summary>A container the constructor fills with <c>append</c>/<c>Add</c>: in straight-line code, and in at most
    /// one loop whose body appends unconditionally.</summary>
    private static Submodule Appended(ISymbol member, SequenceSubmodule start, List<(InvocationExpressionSyntax call, SemanticModel model)> appends,
        Compilation compilation, CancellationToken ct)
    {
        string why = $"'{member.Name}' is filled at run time";
        if (appends.Select(a => a.call.SyntaxTree).Distinct().Count() > 1) return new UnknownSubmodule(why + " (in more than one file)");
        SyntaxNode? loop = null;
        var prefix = ImmutableArray.CreateBuilder<Submodule>();
        var pattern = ImmutableArray.CreateBuilder<Submodule>();
        var suffix = ImmutableArray.CreateBuilder<Submodule>();
        prefix.AddRange(start.Children);
        foreach (var (call, model) in appends.OrderBy(a => a.call.SpanStart))
        {
            SyntaxNode? constructor = call.Ancestors().FirstOrDefault(n => n is ConstructorDeclarationSyntax or MethodDeclarationSyntax or PropertyDeclarationSyntax or LocalFunctionStatementSyntax or AnonymousFunctionExpressionSyntax);
            if (constructor is not ConstructorDeclarationSyntax)
                return new UnknownSubmodule(why + $" outside its constructor ('{Short(call)}')");
            var around = call.Ancestors().TakeWhile(n => n != constructor).ToList();
            if (around.Any(n => n is IfStatementSyntax or ConditionalExpressionSyntax or SwitchStatementSyntax or WhileStatementSyntax or DoStatementSyntax))
                return new UnknownSubmodule(why + $" under a condition ('{Short(call)}')");
            var loops = around.Where(n => n is ForStatementSyntax or ForEachStatementSyntax).ToList();
            if (loops.Count > 1 || loops.Count == 1 && loop is not null && loops[0] != loop || loops.Count == 1 && suffix.Count > 0)
                return new UnknownSubmodule(why + " in more than one loop");
            if (model.GetOperation(call, ct) is not IInvocationOperation { Arguments: { Length: >= 1 } arguments })
                return new UnknownSubmodule(why + $" ('{Short(call)}' did not bind)");
            if (arguments[arguments.Length - 1].ArgumentKind == ArgumentKind.ParamArray)
                return new UnknownSubmodule(why + $" (an append of several modules at once: '{Short(call)}')");
            Submodule child = OfValue(arguments[arguments.Length - 1].Value, compilation);
            if (child is UnknownSubmodule) return child;
            child = child with { Checked = true };
            if (loops.Count == 1) { loop = loops[0]; pattern.Add(child); }
            else if (loop is null) prefix.Add(child);
            else suffix.Add(child);
        }
        return loop is null
            ? new SequenceSubmodule(start.Type, prefix.ToImmutable(), start.IsList)
            : new RepeatSubmodule(start.Type, prefix.ToImmutable(), pattern.ToImmutable(), suffix.ToImmutable(), start.IsList);
    }

    /// <summary>The module a constructor expression makes (<c>nn.Conv2d(...)</c>, <c>nn.Sequential(...)</c>).</summary>
    private static Submodule OfValue(IOperation value, Compilation compilation)
    {
        while (value is IConversionOperation or IParenthesizedOperation)
            value = value is IConversionOperation conversion ? conversion.Operand : ((IParenthesizedOperation)value).Operand;
        if (value is IConditionalOperation { WhenFalse: { } whenFalse } conditional)
        {
            Submodule yes = OfValue(conditional.WhenTrue, compilation), no = OfValue(whenFalse, compilation);
            if (yes is UnknownSubmodule) return yes;
            if (no is UnknownSubmodule) return no;
            return new ChoiceSubmodule(yes with { Checked = true }, no with { Checked = true });
        }
        if (value is IInvocationOperation { TargetMethod: var method } invocation && KnownTypes.IsMemberOf(method, KnownTypes.Nn)
            && method.Name is "Sequential" or "ModuleList")
            return Sequence(invocation.TargetMethod.ReturnType, invocation.Arguments, method.Name == "ModuleList", compilation);
        if (value is IObjectCreationOperation { Type: { } created } creation && KnownTypes.Is(created, KnownTypes.ModuleList))
            return Sequence(created, creation.Arguments, true, compilation);
        if (value.Type is { } type && !IsContainer(type) && ByType(type, compilation) is { } known)
            return known is CatalogSubmodule { Row.Constructed.Length: > 0 } catalog ? Construction(catalog, value) : known;
        return new UnknownSubmodule($"its value ('{Short(value.Syntax)}') is not a module kind HybridGen spells (docs/modules.md)");
    }

    private static Submodule Sequence(ITypeSymbol type, ImmutableArray<IArgumentOperation> arguments, bool isList, Compilation compilation)
    {
        var children = ImmutableArray.CreateBuilder<Submodule>();
        foreach (IArgumentOperation argument in arguments)
        {
            if (argument.ArgumentKind != ArgumentKind.ParamArray || argument.Value is not IArrayCreationOperation { Initializer: { } init })
                return new UnknownSubmodule($"the {(isList ? "ModuleList" : "Sequential")} is built from a collection ('{Short(argument.Syntax)}'), so its contents are known only at run time");
            foreach (IOperation element in init.ElementValues)
            {
                IOperation child = element;
                while (child is IConversionOperation c) child = c.Operand;
                if (child is ITupleOperation { Elements.Length: 2 } named) child = named.Elements[1];
                Submodule resolved = OfValue(child, compilation);
                if (resolved is UnknownSubmodule) return resolved;
                children.Add(resolved with { Checked = true });
            }
        }
        return new SequenceSubmodule((INamedTypeSymbol)type, children.ToImmutable(), isList);
    }

    /// <summary>A module whose settings live in native options: its construction call's constants.</summary>
    private static Submodule Construction(CatalogSubmodule module, IOperation value)
    {
        if (value is not IInvocationOperation { TargetMethod.ContainingType: { } factory } call || !KnownTypes.Is(factory, KnownTypes.Nn))
            return new UnknownSubmodule($"its value ('{Short(value.Syntax)}') is not a call of nn.{module.Row.Name}, and a {module.Row.Name}'s settings are read from its construction (TorchSharp does not expose them later)");
        var constants = ImmutableDictionary.CreateBuilder<string, string>();
        foreach (string name in module.Row.Constructed)
        {
            IArgumentOperation? argument = call.Arguments.FirstOrDefault(a => a.Parameter?.Name == name);
            IOperation? given = argument?.Value;
            while (given is IConversionOperation { ConstantValue.HasValue: false } widened) given = widened.Operand; // 0 → long?
            object? constant = given?.ConstantValue is { HasValue: true } c ? c.Value : null;
            if (argument is null || given?.ConstantValue.HasValue != true && argument.ArgumentKind != ArgumentKind.DefaultValue)
                return new UnknownSubmodule($"the {module.Row.Name}'s '{name}' is not a constant in '{Short(call.Syntax)}' (its settings are read from its construction)");
            if (name == "max_norm" && constant is not null)
                return new UnknownSubmodule($"the {module.Row.Name} has a max_norm (it renormalizes its weight in place at each call; not lowered)");
            constants[name] = Lowering.ScriptLiterals.Format(constant, argument.Parameter?.Type) ?? "None";
        }
        return module with { Constants = constants.ToImmutable() };
    }

    private static bool IsConstructed(Submodule module) => module is CatalogSubmodule { Row.Constructed.Length: > 0 };

    /// <summary>The module's exact type, or null for a choice, a repeat or an unknown (they stand for several).</summary>
    public static ITypeSymbol? TypeOf(Submodule module) => module switch
    {
        CatalogSubmodule c => c.Type,
        SourceSubmodule s => s.Type,
        SequenceSubmodule q => q.Type,
        _ => null,
    };

    /// <summary>The kind a type fixes: a catalog module, or a module class of this compilation with a forward of
    /// one tensor that has source; null otherwise.</summary>
    private static Submodule? ByType(ITypeSymbol type, Compilation compilation)
    {
        if (type is not INamedTypeSymbol named) return null;
        if (ModuleCatalog.Find(named) is { } row) return new CatalogSubmodule(row, named);
        if (named.DeclaringSyntaxReferences.IsEmpty || named.IsAbstract) return null;
        for (INamedTypeSymbol? t = named; t is not null && !t.DeclaringSyntaxReferences.IsEmpty; t = t.BaseType)
        {
            IMethodSymbol? forward = t.GetMembers("forward").OfType<IMethodSymbol>().FirstOrDefault(m => m.Parameters.Length == 1 && !m.IsStatic);
            if (forward is null) continue;
            IMethodSymbol body = CallGraph.BodyOf(forward);
            return CallGraph.HasSource(body) ? new SourceSubmodule(named, body) : null;
        }
        return null;
    }

    private static bool IsContainer(ITypeSymbol type) =>
        KnownTypes.Is(type, KnownTypes.Sequential) || KnownTypes.Is(type, KnownTypes.ModuleList);

    private static string Short(SyntaxNode syntax)
    {
        string text = string.Join(" ", syntax.ToString().Split(new[] { '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries).Select(l => l.Trim()));
        return text.Length > 60 ? text.Substring(0, 57) + "..." : text;
    }
}
