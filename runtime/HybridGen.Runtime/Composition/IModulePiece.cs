using System;
using System.Collections.Concurrent;
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
}

/// <summary>The pieces of this process by module type: a piece registers itself when its type's generated code is
/// initialized, which <see cref="Find"/> forces for a type it meets in a live tree.</summary>
internal static class ModulePieces
{
    private static readonly ConcurrentDictionary<Type, IModulePiece> s_pieces = new();

    public static void Register(Type owner, IModulePiece piece) => s_pieces[owner] = piece;

    public static IModulePiece? Find(Type type)
    {
        if (s_pieces.TryGetValue(type, out IModulePiece? piece)) return piece;
        // The generated field that registers it is a static of the module's type: run its initializer.
        RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        return s_pieces.TryGetValue(type, out piece) ? piece : null;
    }
}
