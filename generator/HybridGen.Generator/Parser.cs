using HybridGen.Graph;
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

/// <summary>One [Hybridize] method as the pipeline's transform finds it: the least it can take (the Regex generator's
/// rule), for the analysis and lowering steps that follow.</summary>
internal sealed record HybridTarget(IMethodSymbol Method, MethodDeclarationSyntax Syntax, AttributeData? Attribute)
{
    public static HybridTarget Of(GeneratorAttributeSyntaxContext context) =>
        new((IMethodSymbol)context.TargetSymbol, (MethodDeclarationSyntax)context.TargetNode, context.Attributes.FirstOrDefault());
}

/// <summary>A method after the analysis step: its checked signature and the analysis' summary, or the result that
/// ends it early (a declaration error, or the analysis failing).</summary>
internal sealed record AnalyzedMethod(
    HybridTarget Target, CompilationScope Scope, IMethodSymbol? Eager, List<ParameterModel> Parameters,
    MethodSummary? Summary, HybridMethodResult? Ended);

/// <summary>
/// The pipeline's steps after the transform: <see cref="Analyze"/> checks the declaration, finds the eager body and
/// runs the rule catalog over it; <see cref="Lower"/> lowers a proven body into its twin and makes the equatable
/// result. Neither throws: an unexpected failure is HG0900, and the method keeps its eager implementation.
/// </summary>
internal static class Parser
{
    private static readonly SymbolDisplayFormat s_fullyQualified =
        SymbolDisplayFormat.FullyQualifiedFormat.WithMiscellaneousOptions(
            SymbolDisplayMiscellaneousOptions.EscapeKeywordIdentifiers | SymbolDisplayMiscellaneousOptions.UseSpecialTypes);

    public static AnalyzedMethod Analyze(HybridTarget target, CompilationScope scope, CancellationToken ct)
    {
        var parameters = new List<ParameterModel>();
        AnalyzedMethod Ended(DiagnosticInfo diagnostic) => new(target, scope, null, parameters, null, Failed(diagnostic));
        IMethodSymbol method = target.Method;
        Location where = target.Syntax.Identifier.GetLocation();
        try
        {
            if (NotAPartialDeclaration(method, target.Syntax) is { } problem)
                return Ended(DiagnosticInfo.Create(DiagnosticDescriptors.NotAPartialDeclaration, where, method.Name, problem));

            IMethodSymbol? eager = EagerBodies.Find(method, out string? eagerProblem);
            if (eager is null)
                return Ended(DiagnosticInfo.Create(DiagnosticDescriptors.EagerBodyMismatch, where, method.Name, EagerBodies.NameOf(method) ?? "", eagerProblem!));

            // HG0003: every parameter and the result must be something a graph can carry.
            foreach (IParameterSymbol parameter in method.Parameters)
            {
                if (parameter.RefKind != RefKind.None || parameter.IsParams || !GraphTypes.IsCarriable(parameter.Type))
                    return Ended(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedSignatureType,
                        parameter.Locations.FirstOrDefault() ?? where, $"Parameter '{parameter.Name}'", method.Name, Display(parameter)));
                parameters.Add(new ParameterModel(parameter.Name, parameter.Type.ToDisplayString(s_fullyQualified), GraphTypes.KindOf(parameter.Type)));
            }
            if (!GraphTypes.IsCarriable(method.ReturnType))
                return Ended(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedSignatureType,
                    target.Syntax.ReturnType.GetLocation(), "The return type", method.Name, method.ReturnType.ToDisplayString()));

            // The rule catalog: any incompatibility leaves the method eager only. A failure of the analysis itself (a
            // bug) is HG0900, and the method still gets its eager implementation.
            MethodSummary? summary = null;
            string? failure = null;
            try
            {
                summary = new CallGraph(scope).AnalyzeHybridized(method, eager, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failure = ex.GetType().Name + ": " + ex.Message;
            }
            var analyzed = new AnalyzedMethod(target, scope, eager, parameters, summary, null);
            return failure is null ? analyzed : analyzed with { Ended = Result(analyzed, null, true, new List<DiagnosticInfo> { InternalError(target, failure) }) };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Ended(InternalError(target, ex.GetType().Name + ": " + ex.Message));
        }
    }

    public static HybridMethodResult Lower(AnalyzedMethod analyzed, CancellationToken ct)
    {
        if (analyzed.Ended is { } ended) return ended;
        HybridTarget target = analyzed.Target;
        var diagnostics = new List<DiagnosticInfo>();
        try
        {
            (TwinModel? twin, bool capturable) = LowerProven(analyzed, diagnostics, ct);
            return Result(analyzed, twin, capturable, diagnostics);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            diagnostics.Add(InternalError(target, ex.GetType().Name + ": " + ex.Message));
            try
            {
                return Result(analyzed, null, true, diagnostics);
            }
            catch (Exception again) when (again is not OperationCanceledException)
            {
                return new HybridMethodResult(null, diagnostics.ToEquatableArray());
            }
        }
    }

    private static DiagnosticInfo InternalError(HybridTarget target, string what) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, target.Syntax.Identifier.GetLocation(), target.Method.Name, what);

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

    /// <summary>The method's equatable result: its model (with the twin, if any) and its diagnostics.</summary>
    private static HybridMethodResult Result(AnalyzedMethod analyzed, TwinModel? twin, bool capturable, List<DiagnosticInfo> diagnostics)
    {
        IMethodSymbol method = analyzed.Target.Method;
        MethodDeclarationSyntax syntax = analyzed.Target.Syntax;
        FileLinePositionSpan line = syntax.Identifier.GetLocation().GetLineSpan();
        var result = new HybridMethodModel(
            HintName: HintName(method),
            Namespace: NamespaceOf(method),
            ContainingTypes: ContainingTypes(method.ContainingType).ToEquatableArray(),
            Modifiers: string.Join(" ", syntax.Modifiers.Select(m => m.Text)),
            ReturnType: method.ReturnType.ToDisplayString(s_fullyQualified),
            Name: method.Name,
            IsStatic: method.IsStatic,
            Parameters: analyzed.Parameters.ToEquatableArray(),
            EagerName: analyzed.Eager!.Name,
            Location: Formats.TwinSourceFormat.Location(System.IO.Path.GetFileName(line.Path), line.StartLinePosition.Line + 1),
            Twin: twin,
            Capturable: capturable,
            Overrides: Overrides(analyzed.Target.Attribute),
            Overload: OverloadOf(method));
        return new HybridMethodResult(result, diagnostics.ToEquatableArray());
    }

    /// <summary>The analysis' findings as diagnostics, and, where it found none, the twin lowered from the eager body.</summary>
    private static (TwinModel? twin, bool capturable) LowerProven(AnalyzedMethod analyzed, List<DiagnosticInfo> diagnostics, CancellationToken ct)
    {
        IMethodSymbol method = analyzed.Target.Method;
        IMethodSymbol eager = analyzed.Eager!;
        MethodSummary summary = analyzed.Summary!;
        Location where = analyzed.Target.Syntax.Identifier.GetLocation();
        string displayName = method.ContainingType.Name + "." + method.Name;
        TwinModel? twin = null;
        bool capturable = true;
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
            else if (analyzed.Parameters.FirstOrDefault(p => p.Kind == GraphKind.Other) is { } other)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct,
                    method.Parameters.First(p => p.Name == other.Name).Locations.FirstOrDefault() ?? where, displayName,
                    $"the parameter '{other.Name}' of type '{other.Type.Replace("global::", "")}' (tuples are not graph inputs yet)"));
            }
            else
            {
                twin = TwinBuilder.Build(analyzed.Scope, method, eager, displayName, summary, out DiagnosticInfo? failure, ct);
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

    /// <summary>The dispatch options written in the attribute (null when none are).</summary>
    private static OverridesModel? Overrides(AttributeData? attribute)
    {
        if (attribute is null || attribute.NamedArguments.Length == 0) return null;
        T? Named<T>(string name) where T : struct =>
            attribute.NamedArguments.FirstOrDefault(n => n.Key == name).Value.Value is T value ? value : null;
        var overrides = new OverridesModel(Named<int>("Mode"), Named<double>("Margin"), Named<long>("ReprobeInterval"),
            Named<int>("WarmupCalls"), Named<int>("ProbeCalls"), Named<int>("SignatureCap"));
        return overrides == new OverridesModel(null, null, null, null, null, null) ? null : overrides;
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
        return $"{type}.{method.Name}.{Formats.Fnv.Hex32(string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString())))}.g.cs";
    }
}
