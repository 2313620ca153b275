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
}
