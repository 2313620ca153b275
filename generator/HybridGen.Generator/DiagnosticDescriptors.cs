using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator;

/// <summary>Every diagnostic HybridGen reports. Ids are HGnnnn; each has a page under docs/diagnostics/.</summary>
internal static class DiagnosticDescriptors
{
    // One place to change if the docs move.
    private const string HelpLinkBase = "https://github.com/hybridgen/hybridgen/blob/main/docs/diagnostics/";
    private const string Usage = "HybridGen.Usage";
    private const string Compatibility = "HybridGen.Compatibility";
    private const string Performance = "HybridGen.Performance";
    private const string Lowering = "HybridGen.Lowering";

    // ---- misuse of HybridGen (errors; nothing is generated) ----

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
        "{0} of '{1}' has type '{2}', which a graph twin cannot carry: use Tensor, int, long, float, double or bool, arrays or read-only lists of those, or value tuples of those",
        Usage, DiagnosticSeverity.Error);

    // ---- execution-mode incompatibilities (warnings; the method runs eager only) ----

    public static readonly DiagnosticDescriptor SideEffect = Incompatibility("HG0101", "A side effect the graph would run once, or never");
    public static readonly DiagnosticDescriptor OutsideStateWrite = Incompatibility("HG0102", "A write to state outside the method");
    public static readonly DiagnosticDescriptor HostRead = Incompatibility("HG0103", "A host read of tensor values");
    public static readonly DiagnosticDescriptor TensorDependentControlFlow = Incompatibility("HG0104", "Control flow decided on the host by tensor values");
    public static readonly DiagnosticDescriptor Recursion = Incompatibility("HG0105", "Recursion");
    public static readonly DiagnosticDescriptor IteratorOrAsync = Incompatibility("HG0106", "Iterators, asynchrony, LINQ or capturing lambdas");
    public static readonly DiagnosticDescriptor ExceptionHandling = Incompatibility("HG0107", "Exception handling");
    public static readonly DiagnosticDescriptor UnprovableCall = Incompatibility("HG0108", "A call the analysis cannot prove safe");
    public static readonly DiagnosticDescriptor TrainableStateCreation = Incompatibility("HG0109", "Trainable state created inside the method");
    public static readonly DiagnosticDescriptor InPlaceOnInput = Incompatibility("HG0110", "In-place mutation of a tensor the method did not create");
    public static readonly DiagnosticDescriptor HostNondeterminism = Incompatibility("HG0111", "Host non-determinism a graph would freeze");

    // ---- performance advisories (information) ----

    public static readonly DiagnosticDescriptor NoTensorWork = Create(
        "HG0201", "No tensor work to hybridize",
        "'{0}' runs eager only: {1}, so a graph twin may not benefit it",
        Performance, DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor ScalarSpecialization = Create(
        "HG0202", "A scalar parameter a captured CUDA graph specializes on",
        "'{0}' takes the scalar '{1}': a CUDA graph captured for its twin is specialized on the value, so each new value means a new capture; pass a 0-dim tensor if it changes from call to call",
        Performance, DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor RedundantHybridization = Create(
        "HG0203", "Redundant hybridization",
        "'{0}' is hybridized but every call of it runs inside the twins of other hybridized methods ({1}), which contain its body: its own dispatch only adds overhead",
        Performance, DiagnosticSeverity.Info);

    public static readonly DiagnosticDescriptor NotCapturable = Create(
        "HG0204", "Host synchronization a CUDA graph cannot capture",
        "'{0}' gets a graph twin, but {1}, which needs the host to wait for the device: CUDA-graph capture is disabled for it",
        Performance, DiagnosticSeverity.Info);

    // ---- the lowering ----

    public static readonly DiagnosticDescriptor UnsupportedConstruct = Create(
        "HG0301", "A construct the graph lowering does not support",
        "'{0}' runs eager only: {1} is not in the graph subset",
        Lowering, DiagnosticSeverity.Warning);

    public static readonly DiagnosticDescriptor InternalError = Create(
        "HG0900", "HybridGen could not analyze a method",
        "HybridGen could not analyze '{0}' and left it eager only; please report this: {1}",
        Usage, DiagnosticSeverity.Warning);

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new();

    static DiagnosticDescriptors()
    {
        foreach (DiagnosticDescriptor d in new[]
        {
            NotAPartialDeclaration, EagerBodyMismatch, UnsupportedSignatureType,
            SideEffect, OutsideStateWrite, HostRead, TensorDependentControlFlow, Recursion, IteratorOrAsync,
            ExceptionHandling, UnprovableCall, TrainableStateCreation, InPlaceOnInput, HostNondeterminism,
            NoTensorWork, ScalarSpecialization, RedundantHybridization, NotCapturable, UnsupportedConstruct, InternalError,
        })
            s_byId[d.Id] = d;
    }

    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Incompatibility(string id, string title) =>
        Create(id, title, "'{0}' runs eager only: {1}", Compatibility, DiagnosticSeverity.Warning);

    private static DiagnosticDescriptor Create(string id, string title, string message, string category, DiagnosticSeverity severity) =>
        new(id, title, message, category, severity, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + id + ".md");
}
