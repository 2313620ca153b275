using System.Linq;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Tests;

/// <summary>Each diagnostic the skeleton reports: a case that fires it (id, severity, span) and a near miss.</summary>
public class DiagnosticTests
{
    private const string Valid = """
        [Hybridize(nameof(AddEager))]
        public static partial Tensor Add(Tensor x, Tensor y);
        static Tensor AddEager(Tensor x, Tensor y) => x + y;
        """;

    private static Diagnostic Single(GeneratorHarness.Run run, string id)
    {
        Assert.Null(run.Result.Exception);
        return Assert.Single(run.Diagnostics, d => d.Id == id);
    }

    private static string SpanText(Diagnostic d) =>
        d.Location.SourceTree!.GetText().ToString(d.Location.SourceSpan);

    [Fact]
    public void ValidDeclarationHasNoDiagnosticAndATwin()
    {
        GeneratorHarness.Run run = GeneratorHarness.GenerateClass(Valid);
        Assert.Empty(run.Diagnostics);
        Assert.Contains("def Add(x: Tensor, y: Tensor) -> Tensor:", run.Result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void HG0001_MethodWithABody()
    {
        var run = GeneratorHarness.GenerateClass("""
            [Hybridize(nameof(AddEager))]
            public static Tensor Add(Tensor x, Tensor y) => x + y;
            static Tensor AddEager(Tensor x, Tensor y) => x + y;
            """);
        Diagnostic d = Single(run, "HG0001");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("Add", SpanText(d));
        Assert.Empty(run.Result.GeneratedSources);
    }

    [Fact]
    public void HG0001_TypeNotPartial()
    {
        var run = GeneratorHarness.Generate(GeneratorHarness.Compilation(("C.cs", GeneratorHarness.Usings + """
            public static class Outer
            {
                public static partial class Inner
                {
                    [Hybridize(nameof(AddEager))]
                    public static partial Tensor Add(Tensor x, Tensor y);
                    static Tensor AddEager(Tensor x, Tensor y) => x + y;
                }
            }
            """)));
        Assert.Contains("'Outer', which is not partial", Single(run, "HG0001").GetMessage());
    }

    [Fact]
    public void HG0002_EagerBodyMissing()
    {
        var run = GeneratorHarness.GenerateClass("""
            [Hybridize("Nope")]
            public static partial Tensor Add(Tensor x, Tensor y);
            """);
        Diagnostic d = Single(run, "HG0002");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("Add", SpanText(d));
        Assert.Contains("does not exist", d.GetMessage());
    }

    [Fact]
    public void HG0002_EagerSignatureDiffers()
    {
        var run = GeneratorHarness.GenerateClass("""
            [Hybridize(nameof(AddEager))]
            public static partial Tensor Add(Tensor x, Tensor y);
            static Tensor AddEager(Tensor x) => x;
            """);
        Assert.Contains("different parameters", Single(run, "HG0002").GetMessage());
    }

    [Fact]
    public void HG0003_RefParameter()
    {
        var run = GeneratorHarness.GenerateClass("""
            [Hybridize(nameof(AddEager))]
            public static partial Tensor Add(ref Tensor x, Tensor y);
            static Tensor AddEager(ref Tensor x, Tensor y) => x + y;
            """);
        Diagnostic d = Single(run, "HG0003");
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        Assert.Equal("x", SpanText(d));
    }

    [Fact]
    public void HG0003_AStringParameter()
    {
        var run = GeneratorHarness.GenerateClass("""
            [Hybridize(nameof(TagEager))]
            public static partial Tensor Tag(Tensor x, string label);
            static Tensor TagEager(Tensor x, string label) => x;
            """);
        Diagnostic d = Single(run, "HG0003");
        Assert.Equal("label", SpanText(d));
        Assert.Contains("'string'", d.GetMessage());
    }

    [Fact]
    public void HG0003_NearMiss_ArraysListsAndTuplesAreCarriable()
    {
        var run = GeneratorHarness.GenerateClass("""
            [Hybridize(nameof(SplitEager))]
            public static partial (Tensor, Tensor) Split(Tensor[] xs, System.Collections.Generic.IReadOnlyList<Tensor> ys);
            static (Tensor, Tensor) SplitEager(Tensor[] xs, System.Collections.Generic.IReadOnlyList<Tensor> ys) => (xs[0].relu(), ys[0].relu());
            [Hybridize(nameof(SizedEager))]
            public static partial Tensor Sized(Tensor x, long[] sizes);
            static Tensor SizedEager(Tensor x, long[] sizes) => x.relu();
            """);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "HG0003");
        string generated = run.Result.GeneratedSources.Single(s => s.HintName.Contains(".Split.")).SourceText.ToString();
        Assert.Contains("def Split(xs: List[Tensor], ys: List[Tensor]) -> Tuple[Tensor, Tensor]:", generated);
        Assert.Contains("readResult: static r => (r[0].Tensor!, r[1].Tensor!)", generated);
        Assert.Contains("TwinValue.FromTensors(a.Item1)", generated);
        // A list of numbers is carriable in C# but cannot cross TorchSharp's TorchScript call: no twin, and it says why.
        Diagnostic sized = Single(run, "HG0301");
        Assert.Contains("a list of numbers", sized.GetMessage());
    }

    [Fact]
    public void HG0003_NearMiss_ScalarParametersAreCarried()
    {
        var run = GeneratorHarness.GenerateClass("""
            [Hybridize(nameof(ScaleEager))]
            public static partial Tensor Scale(Tensor x, double a, long n, bool flag);
            static Tensor ScaleEager(Tensor x, double a, long n, bool flag) => x * a + n;
            """);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "HG0003");
        Assert.Equal(new[] { "HG0202", "HG0202", "HG0202" }, run.Diagnostics.Select(d => d.Id));
        Assert.Contains("def Scale(x: Tensor, a: float, n: int, flag: bool) -> Tensor:", run.Result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void HG0301_UnsupportedConstructRunsEager()
    {
        var run = GeneratorHarness.GenerateClass("""
            [Hybridize(nameof(AddEager))]
            public static partial Tensor Add(Tensor x, Tensor y);
            static Tensor AddEager(Tensor x, Tensor y)
            {
                var z = x + y;
                goto done;
                done: return z;
            }
            """);
        Diagnostic d = Single(run, "HG0301");
        Assert.Equal(DiagnosticSeverity.Warning, d.Severity);
        Assert.Equal("goto done;", SpanText(d));
        string generated = run.Result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("=> AddEager(x, y);", generated);
        Assert.DoesNotContain("HybridFunction", generated);
        Assert.Empty(run.Output.GetDiagnostics().Where(x => x.Severity == DiagnosticSeverity.Error));
    }

    [Fact]
    public void HelpLinksPointAtTheDocsPage()
    {
        var run = GeneratorHarness.GenerateClass("""
            [Hybridize("Nope")]
            public static partial Tensor Add(Tensor x, Tensor y);
            """);
        Assert.EndsWith("docs/diagnostics/HG0002.md", Single(run, "HG0002").Descriptor.HelpLinkUri);
    }
}
