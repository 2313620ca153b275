namespace HybridGen.Generator.Model;

/// <summary>The shapes of value a graph knows.</summary>
internal enum GraphTypeKind { Tensor, Int, Float, Bool, List, Tuple }

/// <summary>
/// A .NET type as a graph sees it, classified once (Analysis/GraphTypes.Of) and read by every stage: whether a method
/// may take or return it (HG0003), how it is carried into a twin (<see cref="GraphKind"/>), how its result is read
/// back (<see cref="ResultShape"/>), and each backend's spelling of it (TorchScript's in Lowering/ScriptTypes).
/// </summary>
/// <param name="Elements">A list's element type, or a tuple's element types.</param>
/// <param name="Wide">For numbers: 64 bits (long, double) rather than 32 (int, float) or fewer.</param>
/// <param name="Carriable">Whether a hybridized method may take or return it: TorchSharp's TorchScript call carries
/// tensors, 32- and 64-bit numbers, bools, arrays and read-only lists of those, and tuples of those; a
/// <c>List&lt;T&gt;</c>, an enum or a short integer has a graph form inside a body only.</param>
internal sealed record GraphType(GraphTypeKind Kind, EquatableArray<GraphType> Elements, bool Wide, bool Carriable);
