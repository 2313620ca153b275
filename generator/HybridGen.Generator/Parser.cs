using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using HybridGen.Generator.Analysis;
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

    /// <summary>Whether a [Hybridize] method gets a graph twin (for HG0203, which advises only where the caller's
    /// twin really holds the callee's body).</summary>
    /// <summary>The qualified name the generator gives <paramref name="method"/>'s twin records (HybridMethodModel.QualifiedName).</summary>
    public static string QualifiedNameOf(IMethodSymbol method) =>
        HybridMethodModel.QualifiedNameOf(NamespaceOf(method), ContainingTypes(method.ContainingType).Select(t => t.Name), method.Name, OverloadOf(method));

    private static string? NamespaceOf(IMethodSymbol method) =>
        method.ContainingNamespace.IsGlobalNamespace ? null : method.ContainingNamespace.ToDisplayString();

    /// <summary>The parameter types, where the type hybridizes several overloads of the name.</summary>
    private static string? OverloadOf(IMethodSymbol method) =>
        method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().Count(KnownApis.IsHybridized) > 1
            ? string.Join(", ", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)))
            : null;

    private static HybridMethodResult ParseCore(
        IMethodSymbol method, MethodDeclarationSyntax syntax, IReadOnlyList<AttributeData> attributes,
        SemanticModel model, CancellationToken ct)
    {
        Location where = syntax.Identifier.GetLocation();
        if (NotAPartialDeclaration(method, syntax) is { } problem)
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.NotAPartialDeclaration, where, method.Name, problem));

        IMethodSymbol? eager = EagerBodies.Find(method, out string? eagerProblem);
        if (eager is null)
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.EagerBodyMismatch, where, method.Name, EagerBodies.NameOf(method) ?? "", eagerProblem!));

        // HG0003: every parameter and the result must be something a graph can carry.
        var parameters = new List<ParameterModel>();
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (parameter.RefKind != RefKind.None || parameter.IsParams || !GraphTypes.IsCarriable(parameter.Type))
                return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedSignatureType,
                    parameter.Locations.FirstOrDefault() ?? where, $"Parameter '{parameter.Name}'", method.Name, Display(parameter)));
            parameters.Add(new ParameterModel(parameter.Name, parameter.Type.ToDisplayString(s_fullyQualified), GraphTypes.KindOf(parameter.Type)));
        }
        if (!GraphTypes.IsCarriable(method.ReturnType))
            return Failed(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedSignatureType,
                syntax.ReturnType.GetLocation(), "The return type", method.Name, method.ReturnType.ToDisplayString()));

        string displayName = method.ContainingType.Name + "." + method.Name;
        var diagnostics = new List<DiagnosticInfo>();
        TwinModel? twin = null;
        bool capturable = true;

        // The rule catalog: any incompatibility leaves the method eager only. A failure of the analysis or the
        // lowering itself (a bug) is HG0900, and the method still gets its eager implementation.
        try
        {
            (twin, capturable) = AnalyzeAndLower(method, eager, displayName, parameters, model, where, diagnostics, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            twin = null;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, where, method.Name, ex.GetType().Name + ": " + ex.Message));
        }

        FileLinePositionSpan line = where.GetLineSpan();
        var result = new HybridMethodModel(
            HintName: HintName(method),
            Namespace: NamespaceOf(method),
            ContainingTypes: ContainingTypes(method.ContainingType).ToEquatableArray(),
            Modifiers: string.Join(" ", syntax.Modifiers.Select(m => m.Text)),
            ReturnType: method.ReturnType.ToDisplayString(s_fullyQualified),
            Name: method.Name,
            IsStatic: method.IsStatic,
            Parameters: parameters.ToEquatableArray(),
            EagerName: eager.Name,
            Location: Formats.TwinSourceFormat.Location(System.IO.Path.GetFileName(line.Path), line.StartLinePosition.Line + 1),
            Twin: twin,
            Capturable: capturable,
            Overrides: Overrides(attributes.FirstOrDefault()),
            Overload: OverloadOf(method));
        return new HybridMethodResult(result, diagnostics.ToEquatableArray());
    }

    private static (TwinModel? twin, bool capturable) AnalyzeAndLower(
        IMethodSymbol method, IMethodSymbol eager, string displayName, List<ParameterModel> parameters,
        SemanticModel model, Location where, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        TwinModel? twin = null;
        bool capturable = true;
        MethodSummary summary = new CallGraph(model.Compilation).AnalyzeHybridized(method, eager, ct);
        foreach (Finding finding in summary.Findings)
            diagnostics.Add(DiagnosticInfo.Create(finding.Rule, finding.Location, displayName, "it " + finding.What));

        if (summary.Findings.Count == 0)
        {
            string? noWork = !method.Parameters.Any(p => GraphTypes.HoldsTensor(p.Type)) ? "it takes no tensor"
                : !summary.DoesTensorWork ? "it runs no tensor operation" : null;
            if (noWork is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoTensorWork, where, displayName, noWork));
            }
            else if (parameters.FirstOrDefault(p => p.Kind == GraphKind.Other) is { } other)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct,
                    method.Parameters.First(p => p.Name == other.Name).Locations.FirstOrDefault() ?? where, displayName,
                    $"the parameter '{other.Name}' of type '{other.Type.Replace("global::", "")}' (tuples are not graph inputs yet)"));
            }
            else
            {
                twin = TwinBuilder.Build(model.Compilation, method, eager, displayName, out DiagnosticInfo? failure, ct);
                if (failure is not null) diagnostics.Add(failure);
            }
            if (twin is not null)
            {
                foreach (IParameterSymbol p in method.Parameters.Where(p => GraphTypes.KindOf(p.Type) is GraphKind.Int or GraphKind.Float or GraphKind.Bool))
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ScalarSpecialization, p.Locations.FirstOrDefault() ?? where, displayName, p.Name));
                foreach (Finding advisory in summary.Advisories)
                {
                    diagnostics.Add(DiagnosticInfo.Create(advisory.Rule, advisory.Location, displayName, advisory.What));
                    capturable = false;
                }
            }
        }

        return (twin, capturable);
    }

    /// <summary>The dispatch options written in the attribute, as a C# initializer (null when none are).</summary>
    private static string? Overrides(AttributeData? attribute)
    {
        if (attribute is null || attribute.NamedArguments.Length == 0) return null;
        var settings = new List<string>();
        foreach (KeyValuePair<string, TypedConstant> named in attribute.NamedArguments.OrderBy(n => n.Key, StringComparer.Ordinal))
        {
            string? value = named.Key switch
            {
                "Mode" => named.Value.Value is int mode ? $"(global::HybridGen.DispatchMode){mode}" : null,
                "Margin" => named.Value.Value is double d ? d.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : null,
                "ReprobeInterval" => named.Value.Value is long l ? l.ToString(System.Globalization.CultureInfo.InvariantCulture) + "L" : null,
                "WarmupCalls" or "ProbeCalls" or "SignatureCap" => named.Value.Value is int i ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
                _ => null,
            };
            if (value is not null) settings.Add($"{named.Key} = {value}");
        }
        return settings.Count == 0 ? null : $"new global::HybridGen.DispatchOverrides {{ {string.Join(", ", settings)} }}";
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
        return $"{type}.{method.Name}.{StableHash.Hex(string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString())))}.g.cs";
    }
}
