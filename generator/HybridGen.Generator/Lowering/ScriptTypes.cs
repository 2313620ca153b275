using System.Linq;
using HybridGen.Generator.Analysis;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Lowering;

/// <summary>TorchScript's spelling of the .NET types a twin carries.</summary>
internal static class ScriptTypes
{
    /// <summary>The annotation, or null when the type has no graph form.</summary>
    public static string? Annotation(ITypeSymbol? type) => GraphTypes.Of(type) is { } graph ? Annotation(graph) : null;

    public static string Annotation(GraphType type) => type.Kind switch
    {
        GraphTypeKind.Tensor => "Tensor",
        GraphTypeKind.Int => "int",
        GraphTypeKind.Float => "float",
        GraphTypeKind.Bool => "bool",
        GraphTypeKind.List => $"List[{Annotation(type.Elements[0])}]",
        _ => $"Tuple[{string.Join(", ", type.Elements.Select(Annotation))}]",
    };

    /// <summary>The annotation of a field or property the twin reads, or the HG0301 failure naming it.</summary>
    public static string OfMember(ISymbol member, ITypeSymbol type, SyntaxNode where) =>
        Annotation(type) ?? throw new LoweringFailure(where, $"a read of '{member.Name}', whose type '{type.ToDisplayString()}' has no graph form");

    public static bool IsIntegral(ITypeSymbol? type) =>
        type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_SByte
            or SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_UInt16 || type?.TypeKind == TypeKind.Enum;

    public static bool IsFloating(ITypeSymbol? type) => type?.SpecialType is SpecialType.System_Single or SpecialType.System_Double;
}
