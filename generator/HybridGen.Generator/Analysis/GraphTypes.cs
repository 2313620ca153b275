using System.Linq;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Analysis;

/// <summary>Which .NET types a graph twin can carry in and out (HG0003): Tensor, int, long, float, double, bool,
/// arrays and read-only lists of those, and value tuples of those.</summary>
internal static class GraphTypes
{
    public static bool IsCarriable(ITypeSymbol type) => type switch
    {
        _ when KnownApis.IsTensor(type) => true,
        { SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Single or SpecialType.System_Double or SpecialType.System_Boolean } => true,
        IArrayTypeSymbol { Rank: 1, ElementType: var e } => IsCarriable(e),
        INamedTypeSymbol { IsTupleType: true } t => t.TupleElements.All(e => IsCarriable(e.Type)),
        INamedTypeSymbol { IsGenericType: true } g when g.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.IReadOnlyList<T>" => IsCarriable(g.TypeArguments[0]),
        _ => false,
    };

    /// <summary>Whether a value of this type holds at least one tensor.</summary>
    public static bool HoldsTensor(ITypeSymbol type) => type switch
    {
        _ when KnownApis.IsTensor(type) => true,
        IArrayTypeSymbol a => HoldsTensor(a.ElementType),
        INamedTypeSymbol { IsTupleType: true } t => t.TupleElements.Any(e => HoldsTensor(e.Type)),
        INamedTypeSymbol { IsGenericType: true } g => g.TypeArguments.Any(HoldsTensor),
        _ => false,
    };

    public static GraphKind KindOf(ITypeSymbol type) => type switch
    {
        _ when KnownApis.IsTensor(type) => GraphKind.Tensor,
        { SpecialType: SpecialType.System_Int32 or SpecialType.System_Int64 } => GraphKind.Int,
        { SpecialType: SpecialType.System_Single or SpecialType.System_Double } => GraphKind.Float,
        { SpecialType: SpecialType.System_Boolean } => GraphKind.Bool,
        _ when ElementOf(type) is { } element => KindOf(element) switch
        {
            GraphKind.Tensor => GraphKind.TensorList,
            GraphKind.Int => GraphKind.IntList,
            GraphKind.Float => GraphKind.FloatList,
            _ => GraphKind.Other,
        },
        _ => GraphKind.Other,
    };

    private static ITypeSymbol? ElementOf(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol { Rank: 1, ElementType: var e } => e,
        INamedTypeSymbol { IsGenericType: true } g when g.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.IReadOnlyList<T>" => g.TypeArguments[0],
        _ => null,
    };
}
