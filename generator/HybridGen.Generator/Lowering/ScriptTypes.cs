using System.Linq;
using HybridGen.Generator.Analysis;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Lowering;

/// <summary>TorchScript's spelling of the .NET types a twin carries.</summary>
internal static class ScriptTypes
{
    /// <summary>The annotation, or null when the type has no graph form.</summary>
    public static string? Annotation(ITypeSymbol? type) => type switch
    {
        null => null,
        _ when KnownApis.IsTensor(type) => "Tensor",
        { SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_SByte } => "int",
        { SpecialType: SpecialType.System_Single or SpecialType.System_Double } => "float",
        { SpecialType: SpecialType.System_Boolean } => "bool",
        IArrayTypeSymbol { Rank: 1, ElementType: var e } => Annotation(e) is { } inner ? $"List[{inner}]" : null,
        INamedTypeSymbol { IsTupleType: true } t => t.TupleElements.Select(e => Annotation(e.Type)).ToArray() is var parts && parts.All(p => p is not null)
            ? $"Tuple[{string.Join(", ", parts)}]" : null,
        INamedTypeSymbol { IsGenericType: true } g when g.OriginalDefinition.ToDisplayString() is "System.Collections.Generic.IReadOnlyList<T>" or "System.Collections.Generic.List<T>"
            => Annotation(g.TypeArguments[0]) is { } inner ? $"List[{inner}]" : null,
        INamedTypeSymbol { TypeKind: TypeKind.Enum } => "int",
        _ => null,
    };

    /// <summary>The annotation of a field or property the twin reads, or the HG0301 failure naming it.</summary>
    public static string OfMember(ISymbol member, ITypeSymbol type, SyntaxNode where) =>
        Annotation(type) ?? throw new LoweringFailure(where, $"a read of '{member.Name}', whose type '{type.ToDisplayString()}' has no graph form");

    public static bool IsIntegral(ITypeSymbol? type) =>
        type?.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_SByte
            or SpecialType.System_UInt32 or SpecialType.System_UInt64 or SpecialType.System_UInt16 || type?.TypeKind == TypeKind.Enum;

    public static bool IsFloating(ITypeSymbol? type) => type?.SpecialType is SpecialType.System_Single or SpecialType.System_Double;
}
