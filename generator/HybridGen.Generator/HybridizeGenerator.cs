using HybridGen.Generator.Analysis;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HybridGen.Generator;

/// <summary>
/// The incremental pipeline: each method marked [Hybridize] becomes an equatable <see cref="HybridMethodResult"/>
/// (Parser: checks, eager body lookup, lowering), whose diagnostics are reported and whose model is emitted.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class HybridizeGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValuesProvider<HybridMethodResult> methods = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.HybridizeAttribute,
                predicate: static (node, _) => node is MethodDeclarationSyntax,
                transform: static (ctx, ct) => Parser.Parse(ctx, ct))
            .WithTrackingName(TrackingNames.Methods);

        context.RegisterSourceOutput(methods, static (spc, result) =>
        {
            foreach (DiagnosticInfo diagnostic in result.Diagnostics) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            if (result.Model is { } model) spc.AddSource(model.HintName, Emitter.Emit(model));
        });

        // HG0203 needs every call of a hybridized method in the compilation: a second, separate step, so the
        // per-method models above stay cached when only call sites change.
        IncrementalValuesProvider<HybridCallSite> callSites = context.SyntaxProvider
            .CreateSyntaxProvider(
                predicate: static (node, _) => node is InvocationExpressionSyntax,
                transform: static (ctx, ct) => CallSites.Of(ctx, ct))
            .Where(static site => site is not null)
            .Select(static (site, _) => site!)
            .WithTrackingName(TrackingNames.CallSites);
        IncrementalValuesProvider<HybridTarget> targets = methods
            .Where(static r => r.Target is not null)
            .Select(static (r, _) => r.Target!);
        context.RegisterSourceOutput(targets.Collect().Combine(callSites.Collect()), static (spc, pair) =>
        {
            foreach (DiagnosticInfo diagnostic in CallSites.RedundantHybridizations(pair.Left, pair.Right))
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });
    }
}
