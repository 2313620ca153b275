using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using HybridGen.Generator.Catalog;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HybridGen.Generator.Analysis;

/// <summary>
/// Follows calls into methods of this compilation. Each method's summary is computed once per compilation and
/// shared by every hybridized method that reaches it; the stack of methods being analyzed finds recursion.
/// </summary>
internal sealed class CallGraph
{
    private readonly Compilation _compilation;
    private readonly ConcurrentDictionary<ISymbol, MethodSummary> _cache;
    private readonly Dictionary<SyntaxTree, SemanticModel> _models = new();
    private readonly List<IMethodSymbol> _stack = new();

    public CallGraph(CompilationScope scope)
    {
        Scope = scope;
        _compilation = scope.Compilation;
        _cache = scope.Summaries;
    }

    public CompilationScope Scope { get; }

    /// <summary>The op catalog resolved for this compilation.</summary>
    public OpLookup Ops => Scope.Ops;

    public SemanticModel? ModelFor(SyntaxTree tree)
    {
        if (!_compilation.ContainsSyntaxTree(tree)) return null;
        if (!_models.TryGetValue(tree, out SemanticModel? model)) _models[tree] = model = _compilation.GetSemanticModel(tree);
        return model;
    }

    public bool IsOnStack(IMethodSymbol method) => _stack.Any(m => SymbolEqualityComparer.Default.Equals(m.OriginalDefinition, method.OriginalDefinition));

    /// <summary>The method whose body runs for a call: a hybridized partial method runs its eager body, a partial
    /// definition its implementation.</summary>
    public static IMethodSymbol BodyOf(IMethodSymbol method)
    {
        IMethodSymbol definition = method.ReducedFrom ?? method;
        if (KnownApis.IsHybridized(definition) && EagerBodies.Find(definition.PartialDefinitionPart ?? definition) is { } eager) return eager;
        return definition.PartialImplementationPart ?? definition;
    }

    /// <summary>Whether this compilation holds the method's body.</summary>
    public static bool HasSource(IMethodSymbol method) => BodySyntax(method) is not null;

    private static SyntaxNode? BodySyntax(IMethodSymbol method)
    {
        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax();
            SyntaxNode? body = node switch
            {
                BaseMethodDeclarationSyntax m => (SyntaxNode?)m.Body ?? m.ExpressionBody?.Expression,
                LocalFunctionStatementSyntax l => (SyntaxNode?)l.Body ?? l.ExpressionBody?.Expression,
                AccessorDeclarationSyntax a => (SyntaxNode?)a.Body ?? a.ExpressionBody?.Expression,
                ArrowExpressionClauseSyntax arrow => arrow.Expression,
                _ => null,
            };
            if (body is not null) return body;
        }
        return null;
    }

    /// <summary>The summary of a method with source (its body walked, its helpers followed).</summary>
    public MethodSummary SummaryOf(IMethodSymbol method, CancellationToken ct)
    {
        if (_cache.TryGetValue(method.OriginalDefinition, out MethodSummary? cached)) return cached;
        SyntaxNode? body = BodySyntax(method);
        SemanticModel? model = body is null ? null : ModelFor(body.SyntaxTree);
        IOperation? operation = body is null || model is null ? null : OperationOf(model, body, ct);
        if (operation is null)
            return new MethodSummary(new[] { new Finding(DiagnosticDescriptors.UnprovableCall, method.Locations.FirstOrDefault() ?? Location.None, $"calls '{method.Name}', whose body the analysis could not read") }, false, System.Array.Empty<Finding>());
        _stack.Add(method);
        try
        {
            MethodSummary summary = BodyAnalyzer.Analyze(this, method, operation, ct);
            _cache.TryAdd(method.OriginalDefinition, summary);
            return summary;
        }
        finally
        {
            _stack.RemoveAt(_stack.Count - 1);
        }
    }

    /// <summary>Analyzes a hybridized method: its eager body, with the partial method itself on the stack (a call
    /// back to it is recursion too). Not cached: the result is the pipeline's, and the pipeline caches it.</summary>
    public MethodSummary AnalyzeHybridized(IMethodSymbol partial, IMethodSymbol eager, CancellationToken ct)
    {
        _stack.Add(partial);
        try
        {
            return SummaryOf(eager, ct);
        }
        finally
        {
            _stack.RemoveAt(_stack.Count - 1);
        }
    }

    private static IOperation? OperationOf(SemanticModel model, SyntaxNode body, CancellationToken ct)
    {
        IOperation? operation = model.GetOperation(body, ct);
        // An expression body binds as the expression; the method's IMethodBodyOperation is on the parent.
        return operation ?? model.GetOperation(body.Parent!, ct);
    }
}
