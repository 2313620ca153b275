using System;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Lowering;

/// <summary>Stops the lowering at a construct outside the graph subset; the twin builder turns it into HG0301.</summary>
internal sealed class LoweringFailure : Exception
{
    public LoweringFailure(SyntaxNode node, string construct) : base(construct)
    {
        Node = node;
        Construct = construct;
    }

    public SyntaxNode Node { get; }
    public string Construct { get; }
}
