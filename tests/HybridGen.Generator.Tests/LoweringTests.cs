using Microsoft.CodeAnalysis;
using System.Linq;

namespace HybridGen.Generator.Tests;

/// <summary>How particular constructs are spelled in a twin (their behaviour is checked end to end, eager vs graph,
/// in HybridGen.EndToEnd.Tests).</summary>
public class LoweringTests
{
    private static string Twin(string members, bool instance = false)
    {
        GeneratorHarness.Run run = instance
            ? GeneratorHarness.Generate(GeneratorHarness.Compilation(("C.cs", GeneratorHarness.Usings + "public partial class C\n{\n" + members + "\n}\n")))
            : GeneratorHarness.GenerateClass(members);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "HG0301" or "HG0900");
        return run.Result.GeneratedSources.Single().SourceText.ToString();
    }

    [Fact]
    public void IntegerDivisionAndRemainderKeepCSharpsMeaning()
    {
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, int a, int b);
            static Tensor E(Tensor x, int a, int b) => x * (a / b) + (a % b) + (double)a / b;
            """);
        Assert.Contains("def __hg_idiv(a: int, b: int) -> int:", twin);
        Assert.Contains("__hg_idiv(a, b)", twin);
        Assert.Contains("__hg_irem(a, b)", twin);
        Assert.Contains("(float(a) / float(b))", twin);
    }

    [Fact]
    public void AForWhoseBoundTheBodyChangesIsNotARange()
    {
        string changing = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, int n);
            static Tensor E(Tensor x, int n) { for (int i = 0; i < n; i++) { x = x + 1; n = n - 1; } return x; }
            """);
        Assert.DoesNotContain("in range(", changing);
        Assert.Contains("while (i < n):", changing);
        string fixedBound = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, int n);
            static Tensor E(Tensor x, int n) { for (int i = 0; i < n; i++) { x = x + 1; } return x; }
            """);
        Assert.Contains("for i in range(0, n, 1):", fixedBound);
    }

    /// <summary>A module Net with one submodule field and a hybridized forward returning <paramref name="body"/>.</summary>
    private static GeneratorHarness.Run Model(string field, string body) =>
        GeneratorHarness.Generate(GeneratorHarness.Compilation(("Net.cs", GeneratorHarness.Usings + $$"""
            public sealed partial class Net : nn.Module<Tensor, Tensor>
            {
                {{field}}
                public Net() : base("Net") => RegisterComponents();
                [Hybridize(nameof(ForwardEager))] public override partial Tensor forward(Tensor x);
                private Tensor ForwardEager(Tensor x) => {{body}};
            }
            """)));

    [Fact]
    public void ASubmoduleCallIsSpelledWithItsStateAsGraphInputs()
    {
        GeneratorHarness.Run run = Model("private readonly TorchSharp.Modules.Linear fc = nn.Linear(4, 2);", "fc.forward(x).relu()");
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        string twin = run.Result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("torch.linear(x, __in_fc_weight, __in_fc_bias)", twin);
        Assert.Contains("__in_fc_bias: Optional[Tensor]", twin);
        Assert.Contains("a.Item1.fc.bias is null ? global::HybridGen.Twins.TwinValue.None", twin);
        Assert.Contains("public override partial global::TorchSharp.torch.Tensor forward(", twin);
    }

    [Fact]
    public void ASubmoduleTheCatalogDoesNotKnowIsHG0108()
    {
        GeneratorHarness.Run run = Model("private readonly TorchSharp.Modules.GRU gru = nn.GRU(4, 4);", "gru.call(x, null).Item1");
        Assert.Contains(run.Diagnostics, d => d.Id == "HG0108");
        Assert.DoesNotContain("HybridFunction", run.Result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void TwoMembersWithLookAlikeNamesGetTwoInputs()
    {
        string twin = Twin("""
            private double _scale = 2.0;
            public double scale { get; set; } = 3.0;
            [Hybridize(nameof(E))] public partial Tensor M(Tensor x);
            Tensor E(Tensor x) => x * _scale + x * scale;
            """, instance: true);
        Assert.Contains("__in_scale: float", twin);
        Assert.Contains("__in_scale_2: float", twin);
        Assert.Contains("a.Item1._scale", twin);
        Assert.Contains("a.Item1.scale", twin);
    }

    [Fact]
    public void ReusedNamesInSiblingBlocksGetNamesOfTheirOwn()
    {
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, bool f);
            static Tensor E(Tensor x, bool f)
            {
                if (f) { var t = x * 2.0; x = t; }
                else { var t = 3; x = x + t; }
                return x;
            }
            """);
        Assert.Contains("t = torch.mul(x, 2.0)", twin);
        Assert.Contains("t_1 = 3", twin);
    }

    [Fact]
    public void ACountingForIsARangeAndOtherForsAWhileWithTheStepBeforeContinue()
    {
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, int n);
            static Tensor E(Tensor x, int n)
            {
                for (int i = 0; i < n; i++) x = x + i;
                for (int j = 1; j < n; j *= 2) { if (j == 4) continue; x = x * j; }
                return x;
            }
            """);
        Assert.Contains("for i in range(0, n, 1):", twin);
        Assert.Contains("while (j < n):", twin);
        string[] lines = twin.Split('\n').Select(l => l.Trim()).ToArray();
        int @continue = System.Array.FindIndex(lines, l => l.StartsWith("\"            continue"));
        Assert.Contains("j = (j * 2)", lines[@continue - 1]);
    }

    [Fact]
    public void FieldsBecomeGraphInputsReadAtEachCall()
    {
        string twin = Twin("""
            [Hybridize(nameof(E))] public partial Tensor M(Tensor x);
            Tensor E(Tensor x) => x.matmul(_w) * _scale;
            Tensor _w = null!;
            double _scale;
            """, instance: true);
        Assert.Contains("def M(x: Tensor, __in_w: Tensor, __in_scale: float) -> Tensor:", twin);
        Assert.Contains("g[1] = a.Item1._w; // __in_w", twin);
        Assert.Contains("g[2] = a.Item1._scale; // __in_scale", twin);
    }
}
