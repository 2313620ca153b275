using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace HybridGen.Generator.Analysis;

/// <summary>
/// HG0203: a [Hybridize] method called only from the eager bodies of other hybridized methods whose twins inline
/// it, so its own dispatcher never runs a decision that matters. Needs every call in the compilation, hence an
/// analyzer (compilation end), not a generator step.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class RedundantHybridizationAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.RedundantHybridization);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            // callee → the hybridized methods whose eager bodies call it (null: a call from plain code).
            var calls = new ConcurrentDictionary<IMethodSymbol, ConcurrentBag<IMethodSymbol?>>(SymbolEqualityComparer.Default);
            start.RegisterOperationAction(operation =>
            {
                IMethodSymbol callee = Declaration(((IInvocationOperation)operation.Operation).TargetMethod);
                if (!KnownApis.IsHybridized(callee)) return;
                ISymbol? caller = operation.ContainingSymbol;
                while (caller is IMethodSymbol { MethodKind: MethodKind.LambdaMethod or MethodKind.LocalFunction }) caller = caller.ContainingSymbol;
                calls.GetOrAdd(callee, _ => new ConcurrentBag<IMethodSymbol?>()).Add(caller is IMethodSymbol m ? HybridizedOwnerOf(m) : null);
            }, OperationKind.Invocation);
            start.RegisterCompilationEndAction(end =>
            {
                foreach (var pair in calls)
                {
                    IMethodSymbol?[] callers = pair.Value.ToArray();
                    if (callers.Any(c => c is null)) continue;
                    IMethodSymbol[] owners = callers.Distinct(SymbolEqualityComparer.Default).Cast<IMethodSymbol>().ToArray();
                    // Advice only where every caller's twin exists: an eager-only caller really calls the dispatcher.
                    if (!owners.All(o => Parser.GetsTwin(o, end.Compilation, end.CancellationToken))) continue;
                    string names = string.Join(", ", owners.Select(o => o.ContainingType.Name + "." + o.Name).OrderBy(n => n, System.StringComparer.Ordinal));
                    Location where = pair.Key.Locations.FirstOrDefault() ?? Location.None;
                    end.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.RedundantHybridization, where, pair.Key.ContainingType.Name + "." + pair.Key.Name, names));
                }
            });
        });
    }

    private static IMethodSymbol Declaration(IMethodSymbol method) => (method.PartialDefinitionPart ?? method).OriginalDefinition;

    /// <summary>The hybridized method whose eager body <paramref name="method"/> is, if any.</summary>
    private static IMethodSymbol? HybridizedOwnerOf(IMethodSymbol method)
    {
        foreach (IMethodSymbol candidate in method.ContainingType.GetMembers().OfType<IMethodSymbol>())
        {
            AttributeData? attribute = candidate.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == KnownNames.HybridizeAttribute);
            if (attribute?.ConstructorArguments.FirstOrDefault().Value is string eager && eager == method.Name)
                return Declaration(candidate);
        }
        return null;
    }
}
