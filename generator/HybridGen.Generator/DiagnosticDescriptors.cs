using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator;

/// <summary>Every diagnostic HybridGen reports. Ids are HGnnnn; each has a page under docs/diagnostics/.</summary>
internal static class DiagnosticDescriptors
{
    // One place to change if the docs move.
    private const string HelpLinkBase = "https://github.com/hybridgen/hybridgen/blob/main/docs/diagnostics/";
    private const string Usage = "HybridGen.Usage";
    private const string Lowering = "HybridGen.Lowering";

    public static readonly DiagnosticDescriptor NotAPartialDeclaration = Create(
        "HG0001", "[Hybridize] needs a partial method declaration in a partial type",
        "[Hybridize] method '{0}' {1}; declare it 'partial' without a body, in partial types, and give the eager body its own method",
        Usage, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor EagerBodyMismatch = Create(
        "HG0002", "The eager body [Hybridize] names is missing, ambiguous or has a different signature",
        "[Hybridize] on '{0}' names eager body '{1}', which {2}",
        Usage, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedSignatureType = Create(
        "HG0003", "A parameter or return type the graph cannot carry",
        "'{0}' of '{1}' has type '{2}', which a graph twin cannot carry: use Tensor, int, long, float, double or bool",
        Usage, DiagnosticSeverity.Error);

    public static readonly DiagnosticDescriptor UnsupportedConstruct = Create(
        "HG0301", "A construct the graph lowering does not support",
        "'{0}' runs eager only: {1} is not in the graph subset",
        Lowering, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InternalError = Create(
        "HG0900", "HybridGen could not analyze a method",
        "HybridGen could not analyze '{0}' and left it eager only; please report this: {1}",
        Usage, DiagnosticSeverity.Warning);

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new()
    {
        [NotAPartialDeclaration.Id] = NotAPartialDeclaration,
        [EagerBodyMismatch.Id] = EagerBodyMismatch,
        [UnsupportedSignatureType.Id] = UnsupportedSignatureType,
        [UnsupportedConstruct.Id] = UnsupportedConstruct,
        [InternalError.Id] = InternalError,
    };

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");
}
