using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HybridGen.Generator;

/// <summary>
/// The incremental pipeline: each method marked [Hybridize] becomes an equatable <see cref="HybridMethodResult"/>
/// (Parser: checks, eager body lookup, analysis, lowering). Its model feeds the source output and its diagnostics
/// a separate output, so an edit that changes only where a diagnostic's tree lives leaves the emitted code cached.
/// HG0203, which needs every call in the compilation, is a DiagnosticAnalyzer (RedundantHybridizationAnalyzer).
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
