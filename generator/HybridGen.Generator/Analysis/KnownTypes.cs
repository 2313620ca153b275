using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Analysis;

/// <summary>
/// Types and namespaces the generator recognizes, by metadata name with '.' between namespaces and nesting types
/// ("TorchSharp.torch.Tensor", "System.Collections.Generic.List`1"), matched on the symbol's own names, arity and
/// containers. No display strings (their text depends on the format and each one allocates) and nothing cached or
/// resolved per compilation: a symbol says what it is.
/// </summary>
internal static class KnownTypes
{
    public const string List = "System.Collections.Generic.List`1";
    public const string ReadOnlyList = "System.Collections.Generic.IReadOnlyList`1";
    public const string Torch = "TorchSharp.torch";
    public const string Nn = "TorchSharp.torch.nn";
    public const string Optim = "TorchSharp.torch.optim";
    public const string Scalar = "TorchSharp.Scalar";
    public const string TensorIndex = "TorchSharp.torch.TensorIndex";
    public const string DisposeScope = "TorchSharp.DisposeScope";
    public const string Parameter = "TorchSharp.Modules.Parameter";
    public const string ModuleList = "TorchSharp.Modules.ModuleList`1";
    public const string Sequential = "TorchSharp.Modules.Sequential";

    /// <summary>Whether <paramref name="symbol"/> (its original definition) is the type <paramref name="metadataName"/>.</summary>
    public static bool Is(ISymbol? symbol, string metadataName) =>
        symbol is INamedTypeSymbol type && Matches(type.OriginalDefinition, metadataName);

    /// <summary>Whether <paramref name="symbol"/> is in the namespace <paramref name="name"/> or one inside it.</summary>
    public static bool InNamespace(ISymbol? symbol, string name)
    {
        for (INamespaceSymbol? ns = symbol as INamespaceSymbol ?? symbol?.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
            if (Matches(ns, name)) return true;
        return false;
    }

    /// <summary>Whether <paramref name="symbol"/> is exactly the namespace <paramref name="name"/>.</summary>
    public static bool IsNamespace(ISymbol? symbol, string name) => symbol is INamespaceSymbol { IsGlobalNamespace: false } ns && Matches(ns, name);

    /// <summary>Whether <paramref name="symbol"/>'s containing type is <paramref name="metadataName"/>.</summary>
    public static bool IsMemberOf(ISymbol? symbol, string metadataName) => Is(symbol?.ContainingType, metadataName);

    /// <summary>Matches the name from its end: each container's metadata name, '.' between them, up to the global namespace.</summary>
    private static bool Matches(ISymbol symbol, string name)
    {
        int end = name.Length;
        for (ISymbol? s = symbol; s is not null; s = s.ContainingSymbol)
        {
            if (s is INamespaceSymbol { IsGlobalNamespace: true }) return end == 0;
            string part = s.MetadataName;
            int start = end - part.Length;
            if (start < 0 || string.CompareOrdinal(name, start, part, 0, part.Length) != 0) return false;
            if (start == 0) return s.ContainingSymbol is null or INamespaceSymbol { IsGlobalNamespace: true };
            if (name[start - 1] != '.') return false;
            end = start - 1;
        }
        return false;
    }
}
