using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using HybridGen.Graph;
using HybridGen.Twins;

namespace HybridGen.Composition;

/// <summary>Reads the live run-time submodules of <paramref name="owner"/> (generated: <c>m[0] = owner.layers</c>).</summary>
public delegate void ModuleReader(object owner, Span<object?> modules);

/// <summary>Writes the state values a piece reads itself (its own fields and fixed submodules) of <paramref name="owner"/>.</summary>
public delegate void StateWriter(object owner, Span<TwinValue> values);

/// <summary>Gives the module a call is made on (generated: <c>a.Item1</c>).</summary>
public delegate object OwnerReader<TArgs>(in TArgs arguments);

/// <summary>
/// A module class's forward lowered at build time with its run-time submodules as holes (GraphSubmoduleCall): the
/// piece the composer fills with the live tree, as the hybridized module itself or nested in a larger tree.
/// </summary>
internal interface IModulePiece
{
    HybridMethodInfo Info { get; }

    /// <summary>The piece's graph IR (read once).</summary>
    GraphProgram Program { get; }

    /// <summary>How many of its main function's parameters are the method's; the rest are its own state.</summary>
    int ParameterCount { get; }

    int StateCount { get; }

    /// <summary>The members its run-time submodules are read from, by slot.</summary>
    string[] ModulePaths { get; }

    void ReadModules(object owner, Span<object?> modules);

    void WriteState(object owner, Span<TwinValue> values);

    /// <summary>Null where the fixed part of the module's tree is the one this piece was built for (a submodule its
    /// constructor picks by a condition gives one piece per choice), else the reason.</summary>
    string? Misfit(object owner);

    /// <summary>Whether the piece has a fixed part to check (<see cref="Misfit"/>): a composed tree checks it before
    /// every call, as it checks the run-time submodules.</summary>
    bool HasFixedPart { get; }
}

/// <summary>The pieces of this process by module type (one per tree where the constructor picks a submodule by a
/// condition): a piece registers itself when its type's generated code is initialized, which <see cref="Find"/>
/// forces for a type it meets in a live tree. A forward with run-time submodules is a <see cref="ComposedFunction{TArgs,TResult}"/>;
/// one whose tree the build saw whole is a <see cref="FixedTreePiece{TArgs,TResult}"/> over its HybridFunction.</summary>
internal static class ModulePieces
{
    private static readonly ConcurrentDictionary<Type, ImmutableArray<IModulePiece>> s_pieces = new();

    public static void Register(Type owner, IModulePiece piece) =>
        s_pieces.AddOrUpdate(owner, ImmutableArray.Create(piece), (_, known) => known.Add(piece));

    /// <summary>The piece for <paramref name="module"/>'s tree, or null with <paramref name="misfit"/> saying why
    /// where its type has pieces but none fits (null too where it has none).</summary>
    public static IModulePiece? Find(object module, out string? misfit)
    {
        misfit = null;
        Type type = module.GetType();
        if (!s_pieces.TryGetValue(type, out ImmutableArray<IModulePiece> pieces))
        {
            // The generated fields that register them are statics of the module's type: run its initializer.
            RuntimeHelpers.RunClassConstructor(type.TypeHandle);
            if (!s_pieces.TryGetValue(type, out pieces)) return null;
        }
        foreach (IModulePiece piece in pieces)
        {
            if (piece.Misfit(module) is not { } reason) return piece;
            misfit ??= reason;
        }
        return null;
    }
}
