using HybridGen.Graph;
using System.Linq;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Analysis;

/// <summary>The one mapping of .NET types to graph types (<see cref="GraphType"/>); the rest of the generator asks it
/// what a type is to the graph: carriable (HG0003), how it is carried, how a result is read back.</summary>
internal static class GraphTypes
{
    /// <summary>The type's graph form, or null where it has none.</summary>
    public static GraphType? Of(ITypeSymbol? type)
    {
        switch (type)
        {
            case null:
                return null;
            case { SpecialType: SpecialType.System_Int32 }: return Scalar(GraphTypeKind.Int, wide: false);
            case { SpecialType: SpecialType.System_Int64 }: return Scalar(GraphTypeKind.Int, wide: true);
            case { SpecialType: SpecialType.System_Int16 or SpecialType.System_Byte or SpecialType.System_SByte }:
            case INamedTypeSymbol { TypeKind: TypeKind.Enum }:
                return new GraphType(GraphTypeKind.Int, default, Wide: false, Carriable: false);
            case { SpecialType: SpecialType.System_Single }: return Scalar(GraphTypeKind.Float, wide: false);
            case { SpecialType: SpecialType.System_Double }: return Scalar(GraphTypeKind.Float, wide: true);
            case { SpecialType: SpecialType.System_Boolean }: return Scalar(GraphTypeKind.Bool, wide: false);
            case IArrayTypeSymbol { Rank: 1, ElementType: var e }:
                return List(e, carriable: true);
            case INamedTypeSymbol { IsTupleType: true } tuple:
                GraphType?[] elements = tuple.TupleElements.Select(e => Of(e.Type)).ToArray();
                return elements.All(e => e is not null)
                    ? new GraphType(GraphTypeKind.Tuple, elements.Select(e => e!).ToEquatableArray(), Wide: false, Carriable: elements.All(e => e!.Carriable))
                    : null;
            case INamedTypeSymbol { IsGenericType: true } generic when KnownTypes.Is(generic, KnownTypes.ReadOnlyList):
                return List(generic.TypeArguments[0], carriable: true);
            case INamedTypeSymbol { IsGenericType: true } generic when KnownTypes.Is(generic, KnownTypes.List):
                return List(generic.TypeArguments[0], carriable: false);
            case var _ when KnownApis.IsTensor(type):
                return Scalar(GraphTypeKind.Tensor, wide: false);
            default:
                return null;
        }
    }

    private static GraphType Scalar(GraphTypeKind kind, bool wide) => new(kind, default, wide, Carriable: true);

    private static GraphType? List(ITypeSymbol element, bool carriable) =>
        Of(element) is { } e ? new GraphType(GraphTypeKind.List, new[] { e }.ToEquatableArray(), Wide: false, Carriable: carriable && e.Carriable) : null;

    public static bool IsCarriable(ITypeSymbol type) => Of(type)?.Carriable == true;

    /// <summary>Whether a value of this type holds at least one tensor.</summary>
    public static bool HoldsTensor(ITypeSymbol type) => type switch
    {
        _ when KnownApis.IsTensor(type) => true,
        IArrayTypeSymbol a => HoldsTensor(a.ElementType),
        INamedTypeSymbol { IsTupleType: true } t => t.TupleElements.Any(e => HoldsTensor(e.Type)),
        INamedTypeSymbol { IsGenericType: true } g => g.TypeArguments.Any(HoldsTensor),
        _ => false,
    };

    /// <summary>How a value of this type is carried into a twin (a parameter, or state read at every call).</summary>
    public static GraphKind KindOf(ITypeSymbol type) => Of(type) is { Carriable: true } graph ? KindOf(graph) : GraphKind.Other;

    private static GraphKind KindOf(GraphType type) => type.Kind switch
    {
        GraphTypeKind.Tensor => GraphKind.Tensor,
        GraphTypeKind.Int => GraphKind.Int,
        GraphTypeKind.Float => GraphKind.Float,
        GraphTypeKind.Bool => GraphKind.Bool,
        GraphTypeKind.List => type.Elements[0].Kind switch
        {
            GraphTypeKind.Tensor => GraphKind.TensorList,
            GraphTypeKind.Int => GraphKind.IntList,
            GraphTypeKind.Float => GraphKind.FloatList,
            _ => GraphKind.Other,
        },
        _ => GraphKind.Other,
    };

    /// <summary>How a (carriable) result of this type is read back from the twin's flattened outputs.</summary>
    public static ResultShape ResultOf(ITypeSymbol type) => ResultOf(Of(type));

    private static ResultShape ResultOf(GraphType? type) => type switch
    {
        { Kind: GraphTypeKind.Tuple } tuple => new ResultShape(ResultKind.Tuple, tuple.Elements.Select(ResultOf).ToEquatableArray()),
        { Kind: GraphTypeKind.Int, Wide: false } => new ResultShape(ResultKind.Int32, default),
        { Kind: GraphTypeKind.Int, Wide: true } => new ResultShape(ResultKind.Int64, default),
        { Kind: GraphTypeKind.Float, Wide: false } => new ResultShape(ResultKind.Single, default),
        { Kind: GraphTypeKind.Float, Wide: true } => new ResultShape(ResultKind.Double, default),
        { Kind: GraphTypeKind.Bool } => new ResultShape(ResultKind.Boolean, default),
        { Kind: GraphTypeKind.List, Carriable: true } list when list.Elements[0].Kind == GraphTypeKind.Tensor => new ResultShape(ResultKind.TensorList, default),
        _ => new ResultShape(ResultKind.Tensor, default),
    };
}
