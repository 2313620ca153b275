using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace HybridGen.Generator.Tests;

public class IncrementalityTests
{
    [Fact]
    public void UnrelatedEditLeavesTheModelCached()
    {
        CSharpCompilation first = GeneratorHarness.Compilation(("C.cs", GeneratorHarness.Usings + """
            public static partial class C
            {
                [Hybridize(nameof(AddEager))]
                public static partial Tensor Add(Tensor x, Tensor y);
                static Tensor AddEager(Tensor x, Tensor y) => x + y;
            }
            """), ("Other.cs", "public class Other { }"));
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(first);

        SyntaxTree other = first.SyntaxTrees.Single(t => t.FilePath == "Other.cs");
        CSharpCompilation second = first.ReplaceSyntaxTree(other,
            CSharpSyntaxTree.ParseText("public class Other { public int Field; }", GeneratorHarness.ParseOptions, "Other.cs"));
        driver = driver.RunGenerators(second);

        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        var steps = result.TrackedSteps[HybridGen.Generator.TrackingNames.Methods];
        Assert.NotEmpty(steps);
        Assert.All(steps.SelectMany(s => s.Outputs), o =>
            Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public void AnEditToAnotherMemberOfTheSameFileLeavesTheModelUnchanged()
    {
        const string Before = """
            public static partial class C
            {
                [Hybridize(nameof(AddEager))]
                public static partial Tensor Add(Tensor x, Tensor y);
                static Tensor AddEager(Tensor x, Tensor y) => x + y;
                public static int Other() => 1;
            }
            """;
        CSharpCompilation first = GeneratorHarness.Compilation(("C.cs", GeneratorHarness.Usings + Before));
        GeneratorDriver driver = GeneratorHarness.Driver().RunGenerators(first);
        SyntaxTree tree = first.SyntaxTrees.Single();
        CSharpCompilation second = first.ReplaceSyntaxTree(tree, CSharpSyntaxTree.ParseText(
            GeneratorHarness.Usings + Before.Replace("Other() => 1;", "Other() => 2 + 40;"), GeneratorHarness.ParseOptions, "C.cs"));
        driver = driver.RunGenerators(second);

        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        // The transform reruns (its file changed); the model it gives is equal, so the emitted code is not redone.
        var models = result.TrackedSteps[HybridGen.Generator.TrackingNames.Models];
        Assert.NotEmpty(models);
        Assert.All(models.SelectMany(s => s.Outputs), o =>
            Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, o.Reason.ToString()));
    }

    [Fact]
    public void ModelHoldsNoRoslynObjects()
    {
        // Equatable models must not capture symbols, compilations or syntax (diagnostics may keep their tree, so
        // #pragma applies; they travel in their own output, never in a model).
        var forbidden = new[] { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SemanticModel), typeof(SyntaxTree) };
        var allowedTree = new[] { typeof(HybridGen.Generator.Model.DiagnosticInfo) };
        foreach (var type in typeof(HybridGen.Generator.HybridizeGenerator).Assembly.GetTypes().Where(t => t.Namespace == "HybridGen.Generator.Model" && !allowedTree.Contains(t)))
            foreach (var property in type.GetProperties())
                Assert.DoesNotContain(forbidden, f => f.IsAssignableFrom(property.PropertyType));
    }
}
