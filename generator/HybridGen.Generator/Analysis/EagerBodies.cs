using System.Linq;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Analysis;

/// <summary>
/// The one lookup of a hybridized method's eager body (<c>[Hybridize(nameof(Body))]</c>), used by the transform
/// (HG0002 names the problem), by the call graph (a call of a hybridized method runs its eager body) and by the
/// HG0203 analyzer (which methods are whose eager body), so the three always agree.
/// </summary>
internal static class EagerBodies
{
    /// <summary>The method's <c>[Hybridize]</c>, if it has one.</summary>
    public static AttributeData? AttributeOf(IMethodSymbol method) =>
        method.GetAttributes().FirstOrDefault(a => KnownTypes.Is(a.AttributeClass, KnownNames.HybridizeAttribute));

    /// <summary>The name the attribute gives, or null.</summary>
    public static string? NameOf(IMethodSymbol method) => AttributeOf(method)?.ConstructorArguments.FirstOrDefault().Value as string;

    /// <summary>The eager body of <paramref name="hybridized"/>: the one other method of the name its attribute
    /// gives, with its staticness, result and parameters, and a body in this compilation; else null and why.</summary>
    public static IMethodSymbol? Find(IMethodSymbol hybridized, out string? problem)
    {
        string? name = NameOf(hybridized);
        if (string.IsNullOrEmpty(name))
        {
            problem = "is empty: pass nameof(TheEagerMethod)";
            return null;
        }
        IMethodSymbol[] candidates = hybridized.ContainingType.GetMembers(name!).OfType<IMethodSymbol>()
            .Where(m => !SymbolEqualityComparer.Default.Equals(m, hybridized) && !SymbolEqualityComparer.Default.Equals(m, hybridized.PartialImplementationPart)).ToArray();
        problem = null;
        if (candidates.Length == 0)
        {
            problem = $"does not exist in '{hybridized.ContainingType.Name}'";
            return null;
        }
        if (candidates.Length > 1)
        {
            problem = "is ambiguous: there are several methods of that name";
            return null;
        }
        IMethodSymbol eager = candidates[0];
        if (eager.IsStatic != hybridized.IsStatic)
            problem = hybridized.IsStatic ? "is an instance method but the declaration is static" : "is static but the declaration is an instance method";
        else if (!SymbolEqualityComparer.Default.Equals(eager.ReturnType, hybridized.ReturnType))
            problem = $"returns '{eager.ReturnType.ToDisplayString()}' instead of '{hybridized.ReturnType.ToDisplayString()}'";
        else if (eager.Parameters.Length != hybridized.Parameters.Length ||
                 eager.Parameters.Zip(hybridized.Parameters, (a, b) => SymbolEqualityComparer.Default.Equals(a.Type, b.Type) && a.RefKind == b.RefKind).Contains(false))
            problem = "takes different parameters than the declaration";
        else if (eager.IsPartialDefinition || eager.DeclaringSyntaxReferences.Length == 0)
            problem = "has no body in this compilation";
        return problem is null ? eager : null;
    }

    /// <summary>The eager body of <paramref name="hybridized"/>, or null where it has none (HG0002).</summary>
    public static IMethodSymbol? Find(IMethodSymbol hybridized) => Find(hybridized, out _);
}
