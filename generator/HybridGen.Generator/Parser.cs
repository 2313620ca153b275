using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using HybridGen.Generator.Lowering;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HybridGen.Generator;

/// <summary>
/// The pipeline's transform: from one [Hybridize] method (symbols and syntax) to an equatable result. It checks
/// the declaration, finds the eager body, lowers it, and never throws: an unexpected failure is HG0900.
/// </summary>
internal static class Parser
{
    private static readonly SymbolDisplayFormat s_fullyQualified =
        SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
            SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers | SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    public static HybridMethodResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken ct)
    {
        var method = (IMethodSymbol)context.TargetSymbol;
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        try
        {
            return ParseCore(method, syntax, context.Attributes, context.SemanticModel, ct);
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var info = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, syntax.Identifier.GetLocation(), method.Name, ex.GetType().Name + ": " + ex.Message);
            return new HybridMethodResult(null, new[] { info }.ToEquatableArray());
        }
    }

    private static HybridMethodResult ParseCore(
        IMethodSymbol method, MethodDeclarationSyntax syntax, IReadOnlyList<AttributeData> attributes,
        SemanticModel model, CancellationToken ct)
    {
        Location where = syntax.Identifier.GetLocation();
        if (NotAPartialDeclaration(method, syntax) is { } problem)
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.NotAPartialDeclaration, where, method.Name, problem));

        string? eagerName = attributes.FirstOrDefault()?.ConstructorArguments.FirstOrDefault().Value as string;
        if (string.IsNullOrEmpty(eagerName))
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.EagerBodyMismatch, where, method.Name, "", "is empty: pass nameof(TheEagerMethod)"));
        IMethodSymbol? eager = FindEager(method, eagerName!, out string? eagerProblem);
        if (eager is null)
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.EagerBodyMismatch, where, method.Name, eagerName!, eagerProblem!));

        var parameters = new List<ParameterModel>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            GraphKind? kind = parameter.RefKind == RefKind.None && !parameter.IsParams ? KindOf(parameter.Type) : null;
            if (kind is null)
                return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedSignatureType,
                    parameter.Locations.FirstOrDefault() ?? where, parameter.Name, method.Name, Display(parameter)));
            parameters.Add(new ParameterModel(parameter.Name, parameter.Type.ToDisplayString(s_fullyQualified), kind.Value));
        }
        if (KindOf(method.ReturnType) != GraphKind.Tensor)
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedSignatureType,
                syntax.ReturnType.GetLocation(), "the return type", method.Name, method.ReturnType.ToDisplayString()));

        string displayName = method.ContainingType.Name + "." + method.Name;
        var diagnostics = new List<DiagnosticInfo>();
        TwinModel? twin = null;
        if (eager.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) is MethodDeclarationSyntax eagerSyntax)
        {
            SemanticModel eagerModel = eagerSyntax.SyntaxTree == model.SyntaxTree ? model : model.Compilation.GetSemanticModel(eagerSyntax.SyntaxTree);
            twin = TorchScriptLowering.Lower(eagerSyntax, eagerModel, method.Name, displayName, parameters,
                TorchScriptLowering.Annotation(GraphKind.Tensor), out DiagnosticInfo? failure, ct);
            if (failure is not null) diagnostics.Add(failure);
        }

        FileLinePositionSpan line = where.GetLineSpan();
        var result = new HybridMethodModel(
            HintName: HintName(method),
            Namespace: method.ContainingNamespace.IsGlobalNamespace ? null : method.ContainingNamespace.ToDisplayString(),
            ContainingTypes: ContainingTypes(method.ContainingType).ToEquatableArray(),
            Modifiers: string.Join(" ", syntax.Modifiers.Select(m => m.Text)),
            ReturnType: method.ReturnType.ToDisplayString(s_fullyQualified),
            Name: method.Name,
            IsStatic: method.IsStatic,
            Parameters: parameters.ToEquatableArray(),
            EagerName: eager.Name,
            Location: $"{System.IO.Path.GetFileName(line.Path)}({line.StartLinePosition.Line + 1})",
            Twin: twin);
        return new HybridMethodResult(result, diagnostics.ToEquatableArray());
    }

    private static HybridMethodResult Failed(DiagnosticInfo diagnostic) =>
        new(null, new[] { diagnostic }.ToEquatableArray());

    private static string? NotAPartialDeclaration(IMethodSymbol method, MethodDeclarationSyntax syntax)
    {
        if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword)) return "is not declared partial";
        if (syntax.Body is not null || syntax.ExpressionBody is not null) return "has a body";
        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            bool partialType = type.DeclaringSyntaxReferences.Any(r =>
                r.GetSyntax() is TypeDeclarationSyntax t && t.Modifiers.Any(SyntaxKind.PartialKeyword));
            if (!partialType) return $"is in type '{type.Name}', which is not partial";
        }
        if (method.IsGenericMethod) return "is generic";
        return null;
    }

    private static IMethodSymbol? FindEager(IMethodSymbol method, string name, out string? problem)
    {
        IMethodSymbol[] candidates = method.ContainingType.GetMembers(name).OfType<IMethodSymbol>()
            .Where(m => !SymbolEqualityComparer.Default.Equals(m, method)).ToArray();
        problem = null;
        if (candidates.Length == 0)
        {
            problem = $"does not exist in '{method.ContainingType.Name}'";
            return null;
        }
        if (candidates.Length > 1)
        {
            problem = "is ambiguous: there are several methods of that name";
            return null;
        }
        IMethodSymbol eager = candidates[0];
        if (eager.IsStatic != method.IsStatic)
            problem = method.IsStatic ? "is an instance method but the declaration is static" : "is static but the declaration is an instance method";
        else if (!SymbolEqualityComparer.Default.Equals(eager.ReturnType, method.ReturnType))
            problem = $"returns '{eager.ReturnType.ToDisplayString()}' instead of '{method.ReturnType.ToDisplayString()}'";
        else if (eager.Parameters.Length != method.Parameters.Length ||
                 eager.Parameters.Zip(method.Parameters, (a, b) => SymbolEqualityComparer.Default.Equals(a.Type, b.Type) && a.RefKind == b.RefKind).Contains(false))
            problem = "takes different parameters than the declaration";
        else if (eager.IsPartialDefinition || eager.DeclaringSyntaxReferences.Length == 0)
            problem = "has no body in this compilation";
        return problem is null ? eager : null;
    }

    private static GraphKind? KindOf(ITypeSymbol type)
    {
        if (type.ToDisplayString() == KnownNames.Tensor) return GraphKind.Tensor;
        return type.SpecialType switch
        {
            SpecialType.System_Int32 or SpecialType.System_Int64 => GraphKind.Int,
            SpecialType.System_Single or SpecialType.System_Double => GraphKind.Float,
            SpecialType.System_Boolean => GraphKind.Bool,
            _ => null,
        };
    }

    private static string Display(IParameterSymbol parameter) =>
        (parameter.RefKind != RefKind.None ? parameter.RefKind.ToString().ToLowerInvariant() + " " : parameter.IsParams ? "params " : "") +
        parameter.Type.ToDisplayString();

    private static IEnumerable<ContainingType> ContainingTypes(INamedTypeSymbol type)
    {
        var chain = new Stack<ContainingType>();
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            string keyword = t.IsRecord ? (t.IsValueType ? "record struct" : "record") : t.TypeKind switch
            {
                TypeKind.Struct => "struct",
                TypeKind.Interface => "interface",
                _ => "class",
            };
            string name = t.TypeParameters.Length == 0 ? t.Name : $"{t.Name}<{string.Join(", ", t.TypeParameters.Select(p => p.Name))}>";
            chain.Push(new ContainingType(keyword, name));
        }
        return chain;
    }

    private static string HintName(IMethodSymbol method)
    {
        string type = method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)
            .Replace("global::", "").Replace('<', '{').Replace('>', '}');
        // Overloads share a name: a stable hash of the parameter types keeps their files apart.
        uint hash = 2166136261;
        foreach (char c in string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString())))
            hash = unchecked((hash ^ c) * 16777619);
        return $"{type}.{method.Name}.{hash:x8}.g.cs";
    }
}
