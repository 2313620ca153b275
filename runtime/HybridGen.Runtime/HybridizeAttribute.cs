using System;

namespace HybridGen;

/// <summary>
/// Marks a <c>partial</c> method for hybridization. The HybridGen generator checks the eager body named here,
/// lowers it to a graph twin when it can prove that safe, and implements the partial method with a dispatcher
/// that runs whichever of eager or graph it measured to be faster. When no twin can be built, the partial method
/// runs the eager body and a diagnostic says why.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class HybridizeAttribute : Attribute
{
    /// <param name="eagerMethod">The method holding the eager body: <c>nameof(MlpEager)</c>. It must have the same
    /// parameters and return type as the partial declaration, and be static exactly when it is.</param>
    public HybridizeAttribute(string eagerMethod) => EagerMethod = eagerMethod;

    public string EagerMethod { get; }

    // Dispatch options for this method. Only the ones written in the attribute apply; hybridgen.json and
    // HYBRIDGEN_MODE override them (docs/dispatch.md has the precedence).

    /// <summary>auto (measure and keep the faster), eager or graph.</summary>
    public DispatchMode Mode { get; set; }

    /// <summary>Untimed calls of each path before probing.</summary>
    public int WarmupCalls { get; set; }

    /// <summary>Timed calls of each path before deciding.</summary>
    public int ProbeCalls { get; set; }

    /// <summary>How much faster the graph must be to be kept (0.05: 5 %).</summary>
    public double Margin { get; set; }

    /// <summary>Steady calls before re-probing a signature (doubling each time); 0 never re-probes.</summary>
    public long ReprobeInterval { get; set; }

    /// <summary>Distinct input signatures dispatched separately; new ones past it run eager.</summary>
    public int SignatureCap { get; set; }
}
