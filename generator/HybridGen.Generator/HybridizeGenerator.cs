using HybridGen.Generator.Analysis;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HybridGen.Generator;

/// <summary>
/// The incremental pipeline. The transform takes the least from each method marked [Hybridize] (its symbol, syntax
/// and attribute: <see cref="HybridTarget"/>), as the Regex generator's does; the analysis and lowering run as later
/// steps with the compilation's <see cref="CompilationScope"/>, which the compilation step makes once per compilation.
/// Analysis follows calls into other files, so those steps run at every compilation, as a semantic transform would;
/// their equatable <see cref="HybridMethodResult"/> is where caching starts. Its model feeds the source output and
/// its diagnostics a separate output, so an edit that changes only where a diagnostic's tree lives leaves the emitted
/// code cached. HG0203, which needs every call in the compilation, is a DiagnosticAnalyzer
/// (RedundantHybridizationAnalyzer).
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class HybridizeGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        IncrementalValueProvider<CompilationScope> scopes = context.CompilationProvider
            .Select(static (compilation, _) => new CompilationScope(compilation));

        IncrementalValuesProvider<HybridTarget> targets = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                KnownNames.HybridizeAttribute,
                predicate: static (node, _) => node is MethodDeclarationSyntax,
                transform: static (ctx, _) => HybridTarget.Of(ctx))
            .WithTrackingName(TrackingNames.Targets);

        IncrementalValuesProvider<AnalyzedMethod> analyzed = targets
            .Combine(scopes)
            .Select(static (pair, ct) => Parser.Analyze(pair.Left, pair.Right, ct))
            .WithTrackingName(TrackingNames.Analyzed);

        IncrementalValuesProvider<HybridMethodResult> methods = analyzed
            .Select(static (method, ct) => Parser.Lower(method, ct))
            .WithTrackingName(TrackingNames.Methods);

        IncrementalValuesProvider<HybridMethodModel> models = methods
            .Where(static r => r.Model is not null)
            .Select(static (r, _) => r.Model!)
            .WithTrackingName(TrackingNames.Models);
        context.RegisterSourceOutput(models, static (spc, model) => spc.AddSource(model.HintName, Emitter.Emit(model)));

        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics = methods
            .Select(static (r, _) => r.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, found) =>
        {
            foreach (DiagnosticInfo diagnostic in found) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });
    }
}
