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
    }
}
