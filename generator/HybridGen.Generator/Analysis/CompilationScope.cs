using System;
using System.Collections.Concurrent;
using HybridGen.Generator.Catalog;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Analysis;

/// <summary>
/// What the generator works out once per compilation and shares between all the [Hybridize] methods in it: the op
/// catalog resolved against this compilation's TorchSharp, the summaries of the methods the analysis follows, and the
/// submodules it resolves (resolving one reads its type's whole source). The pipeline makes one from each compilation
/// (<see cref="HybridizeGenerator"/>) and hands it to the analysis and lowering steps; nothing is cached statically,
/// so nothing outlives the compilation it was made from.
/// </summary>
internal sealed class CompilationScope
{
    private readonly Lazy<OpLookup> _ops;

    public CompilationScope(Compilation compilation)
    {
        Compilation = compilation;
        _ops = new Lazy<OpLookup>(() => new OpLookup(compilation));
    }

    public Compilation Compilation { get; }

    /// <summary>The op catalog resolved against this compilation (made on first use: a method with no twin never asks).</summary>
    public OpLookup Ops => _ops.Value;

    /// <summary>Method summaries, shared by every hybridized method whose analysis reaches the method.</summary>
    public ConcurrentDictionary<ISymbol, MethodSummary> Summaries { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>Submodules by the member that holds them (the analysis and every twin of a model ask for the same).</summary>
    public ConcurrentDictionary<ISymbol, Submodule> Submodules { get; } = new(SymbolEqualityComparer.Default);
}
