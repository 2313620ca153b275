using System;
using System.Collections.Generic;
using System.Linq;
using HybridGen.Generator.Lowering;
using HybridGen.Graph;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HybridGen.Generator.Tests;

/// <summary>
/// The graph IR between lowering and the backends: the generated code carries each twin's IR as text, and that text
/// read back prints the very TorchScript the generated code carries (so the ONNX emitter reads what TorchScript
/// runs). FuzzTests applies <see cref="AssertGraphPrintsTheTwin"/> to every twin of its 2,000 bodies.
/// </summary>
public class GraphIrTests
{
    /// <summary>Every twin in <paramref name="run"/>'s generated code: its graph text parses, writes back the same,
    /// and prints its TorchScript source; returns how many twins were checked.</summary>
    internal static int AssertGraphPrintsTheTwin(GeneratorHarness.Run run)
    {
        int checkedTwins = 0;
        foreach (GeneratedSourceResult generated in run.Result.GeneratedSources)
        {
            SyntaxNode root = generated.SyntaxTree.GetRoot();
            foreach (ArgumentListSyntax arguments in root.DescendantNodes().OfType<ArgumentListSyntax>())
            {
                ArgumentSyntax? graph = arguments.Arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.Text == "twinGraph");
                ArgumentSyntax? source = arguments.Arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.Text == "twinSource");
                if (graph is null || source is null) continue;
                string text = Constant(graph.Expression), twinSource = Constant(source.Expression);
                GraphProgram program = GraphText.Read(text);
                Assert.Equal(text, GraphText.Write(program));
                Assert.Equal(twinSource, TorchScriptPrinter.Print(program));
                checkedTwins++;
            }
        }
        return checkedTwins;
    }

    // The generated code writes a twin's source as literals joined by '+'.
    private static string Constant(ExpressionSyntax expression) => expression switch
    {
        LiteralExpressionSyntax literal => (string)literal.Token.Value!,
        BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } sum => Constant(sum.Left) + Constant(sum.Right),
        _ => throw new InvalidOperationException("not a string constant: " + expression),
    };

    private static GraphProgram Graph(string members, bool asFile = false)
    {
        GeneratorHarness.Run run = asFile
            ? GeneratorHarness.Generate(GeneratorHarness.Compilation(("C.cs", GeneratorHarness.Usings + members)))
            : GeneratorHarness.GenerateClass(members);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "HG0301" or "HG0900");
        Assert.Equal(1, AssertGraphPrintsTheTwin(run));
        ArgumentSyntax graph = run.Result.GeneratedSources.Single().SyntaxTree.GetRoot().DescendantNodes().OfType<ArgumentSyntax>()
            .Single(a => a.NameColon?.Name.Identifier.Text == "twinGraph");
        return GraphText.Read(Constant(graph.Expression));
    }

    private static IEnumerable<object> Nodes(object node)
    {
        yield return node;
        IEnumerable<object> children = node switch
        {
            GraphProgram p => p.Functions,
            GraphFunction f => f.Body,
            GraphAssign a => new object[] { a.Target, a.Value },
            GraphReturn { Value: { } v } => new object[] { v },
            GraphEvaluate e => new object[] { e.Value },
            GraphIf i => i.Branches.SelectMany(b => new object[] { b.Condition }.Concat(b.Body)).Concat(i.Else ?? EquatableArray<GraphStatement>.Empty),
            GraphForRange r => new object[] { r.Start, r.End }.Concat(r.Body),
            GraphWhile w => new object[] { w.Condition }.Concat(w.Body),
            GraphCall c => c.Arguments.Select(a => (object)a.Value),
            GraphBinary b => new object[] { b.Left, b.Right },
            GraphTuple t => t.Elements,
            GraphIndex x => new object[] { x.Target },
            GraphModuleOp m => m.Values,
            _ => Array.Empty<object>(),
        };
        foreach (object child in children)
            foreach (object n in Nodes(child)) yield return n;
    }

    [Fact]
    public void LoweringBuildsTypedNodesForOpsHostArithmeticAndControlFlow()
    {
        GraphProgram program = Graph("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, long n);
            static Tensor E(Tensor x, long n)
            {
                var y = torch.nn.functional.relu(x) * 2.0;
                for (long i = 0; i < n / 2; i++) y = y + x;
                if (n > 3) return y.sum(1, keepdim: true);
                return y;
            }
            """);
        GraphFunction main = program.Main;
        Assert.Equal("M", main.Name);
        Assert.Equal(new[] { "x", "n" }, main.Parameters.Select(p => p.Name));
        var nodes = Nodes(program).ToList();
        Assert.Contains(nodes, n => n is GraphCall { Callee: "torch.relu" });
        // aten::sum(self, dim, keepdim, dtype=type): the schema's positional parameters, then dtype by keyword.
        GraphCall sum = nodes.OfType<GraphCall>().Single(c => c.Callee == "torch.sum");
        Assert.Equal(new string?[] { null, null, null, "dtype" }, sum.Arguments.Select(a => a.Keyword));
        Assert.Equal(new GraphLiteral("True"), sum.Arguments[2].Value);
        // C#'s long division truncates: a runtime function, named in the program, not Python's floor division.
        Assert.Contains(nodes, n => n is GraphCall { Callee: TorchScriptHelpers.IntDivide });
        Assert.Contains(TorchScriptHelpers.IntDivide, program.Runtime);
        Assert.Contains(nodes, n => n is GraphForRange { Variable: "i", Step: 1 });
        Assert.Contains(nodes, n => n is GraphIf);
        Assert.Contains(nodes, n => n is GraphOrigin { File: "C.cs" } origin && origin.Code.Contains("relu"));
    }

    [Fact]
    public void ACatalogModuleIsOneNodeWithItsStateNamed()
    {
        GraphProgram program = Graph("""
            public sealed partial class Net : nn.Module<Tensor, Tensor>
            {
                private readonly nn.Module<Tensor, Tensor> fc = nn.Linear(4, 3);
                public Net() : base("Net") => RegisterComponents();
                [Hybridize(nameof(Eager))] public override partial Tensor forward(Tensor x);
                private Tensor Eager(Tensor x) => fc.forward(x);
            }
            """, asFile: true);
        GraphModuleOp linear = Nodes(program).OfType<GraphModuleOp>().Single();
        Assert.Equal("Linear", linear.Module);
        Assert.Equal("input", linear.Names[0]);
        Assert.Contains("weight", linear.Names);
        Assert.Contains("bias", linear.Names);
        Assert.Equal(linear.Names.Count, linear.Values.Count);
    }

    [Theory]
    [InlineData("")]
    [InlineData("(program [] [(def \"f\" [] \"Tensor\" [(return (nope))])])")]
    [InlineData("(program [] [(def \"f\" [] \"Tensor\" [(return (name \"x\"))])]")]
    [InlineData("(program [] [(def \"f\" [] \"Tensor\" [(return (name \"x))])])")]
    [InlineData("(program [] []) extra")]
    public void TextThatIsNoProgramIsAFormatError(string text) =>
        Assert.Throws<FormatException>(() => GraphText.Read(text));
}
