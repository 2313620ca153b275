using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Analysis;

/// <summary>
/// One problem found in a method body: the rule, where, and a clause saying what was found ("writes the field
/// 'count'"). Lives only inside the transform (it holds a Location); the pipeline carries DiagnosticInfo.
/// <see cref="Parameter"/> is set for a write into an object the method got as that parameter: whether it is a
/// write to outside state is the caller's question (a list the caller made itself is its own business).
/// </summary>
internal sealed record Finding(DiagnosticDescriptor Rule, Location Location, string What, int? Parameter = null);

/// <summary>What the analysis knows about a method once its body (and, transitively, its helpers') is walked.</summary>
internal sealed class MethodSummary
{
    public MethodSummary(System.Collections.Generic.IReadOnlyList<Finding> findings, bool doesTensorWork, System.Collections.Generic.IReadOnlyList<Finding> advisories)
    {
        Findings = findings;
        DoesTensorWork = doesTensorWork;
        Advisories = advisories;
    }

    /// <summary>Incompatibilities (HG01xx), each at its place in this method.</summary>
    public System.Collections.Generic.IReadOnlyList<Finding> Findings { get; }

    /// <summary>Performance advisories that do not stop a twin (HG0204).</summary>
    public System.Collections.Generic.IReadOnlyList<Finding> Advisories { get; }

    /// <summary>Whether the body (or a helper) runs at least one tensor op.</summary>
    public bool DoesTensorWork { get; }

    /// <summary>Calls of submodules only the run time can see (HG0108 where this body is followed from another
    /// method): a hybridized method's own body takes them as run-time submodules (decision 5), whose live module
    /// trees the runtime composes.</summary>
    public System.Collections.Generic.IReadOnlyList<Finding> RunTimeModuleCalls { get; init; } = System.Array.Empty<Finding>();

    /// <summary>The members those calls are made on.</summary>
    public System.Collections.Generic.IReadOnlyCollection<string> RunTimeModules { get; init; } = System.Array.Empty<string>();

    /// <summary>The run-time submodules (member names) whose results the body treats as its own (writes in place,
    /// disposes): the live module must allocate its result, which the runtime confirms when it composes.</summary>
    public System.Collections.Generic.IReadOnlyCollection<string> FreshModules { get; init; } = System.Array.Empty<string>();

    /// <summary>Whether every tensor the method returns is one its body created (or a view of one): a caller may
    /// treat the result of a module whose forward this is as its own (dispose it, write it in place).</summary>
    public bool ReturnsOwned { get; init; }
}
