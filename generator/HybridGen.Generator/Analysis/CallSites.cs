using System.Linq;
using System.Threading;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HybridGen.Generator.Analysis;

/// <summary>A call of a hybridized method, and whether it comes from the eager body of another hybridized method
/// (whose twin then holds the callee's body, making the callee's own dispatch redundant there: HG0203).</summary>
internal sealed record HybridCallSite(string TargetKey, string? HybridizedCaller);

/// <summary>Where a hybridized method is declared, to report HG0203 on it.</summary>
internal sealed record HybridTarget(string Key, string DisplayName, SyntaxTree Tree, Microsoft.CodeAnalysis.Text.TextSpan Span);

internal static class CallSites
{
    public static string KeyOf(IMethodSymbol method) =>
        (method.PartialDefinitionPart ?? method).OriginalDefinition.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) +
        "(" + string.Join(",", method.Parameters.Select(p => p.Type.ToDisplayString())) + ")";

    /// <summary>The call site if the invocation calls a hybridized method, else null.</summary>
    public static HybridCallSite? Of(GeneratorSyntaxContext context, CancellationToken ct)
    {
        if (context.SemanticModel.GetSymbolInfo((InvocationExpressionSyntax)context.Node, ct).Symbol is not IMethodSymbol target) return null;
        IMethodSymbol definition = target.PartialDefinitionPart ?? target;
        if (!KnownApis.IsHybridized(definition)) return null;
        ISymbol? enclosing = context.SemanticModel.GetEnclosingSymbol(context.Node.SpanStart, ct);
        while (enclosing is IMethodSymbol { MethodKind: MethodKind.LambdaMethod or MethodKind.LocalFunction }) enclosing = enclosing.ContainingSymbol;
        return new HybridCallSite(KeyOf(definition), enclosing is IMethodSymbol caller ? HybridizedOwnerOf(caller) : null);
    }

    /// <summary>The hybridized method whose eager body <paramref name="method"/> is, if any.</summary>
    private static string? HybridizedOwnerOf(IMethodSymbol method)
    {
        foreach (IMethodSymbol candidate in method.ContainingType.GetMembers().OfType<IMethodSymbol>())
        {
            AttributeData? attribute = candidate.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownNames.HybridizeAttribute);
            if (attribute?.ConstructorArguments.FirstOrDefault().Value is string eager && eager == method.Name)
                return candidate.ContainingType.Name + "." + candidate.Name;
        }
        return null;
    }

    /// <summary>HG0203 for each hybridized method that is called, and only from other hybridized methods' bodies.</summary>
    public static System.Collections.Generic.IEnumerable<DiagnosticInfo> RedundantHybridizations(
        System.Collections.Immutable.ImmutableArray<HybridTarget> targets, System.Collections.Immutable.ImmutableArray<HybridCallSite> sites)
    {
        foreach (HybridTarget target in targets)
        {
            HybridCallSite[] calls = sites.Where(s => s.TargetKey == target.Key).ToArray();
            if (calls.Length == 0 || calls.Any(c => c.HybridizedCaller is null)) continue;
            string callers = string.Join(", ", calls.Select(c => c.HybridizedCaller!).Distinct().OrderBy(c => c, System.StringComparer.Ordinal));
            yield return new DiagnosticInfo(DiagnosticDescriptors.RedundantHybridization.Id, target.Tree, target.Span,
                new[] { target.DisplayName, callers }.ToEquatableArray());
        }
    }
}
