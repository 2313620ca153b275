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
    public void ModelHoldsNoRoslynObjects()
    {
        // Equatable models must not capture symbols, compilations or syntax nodes (a tree for diagnostics is allowed).
        var forbidden = new[] { typeof(ISymbol), typeof(Compilation), typeof(SyntaxNode), typeof(SemanticModel) };
        foreach (var type in typeof(HybridGen.Generator.HybridizeGenerator).Assembly.GetTypes().Where(t => t.Namespace == "HybridGen.Generator.Model"))
            foreach (var property in type.GetProperties())
                Assert.DoesNotContain(forbidden, f => f.IsAssignableFrom(property.PropertyType));
    }
}
