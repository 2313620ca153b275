using System.Linq;

namespace HybridGen.Generator.Tests;

/// <summary>Whatever the input, the generator returns a twin or a diagnostic and never throws.</summary>
public class RobustnessTests
{
    [Theory]
    [InlineData("[Hybridize(nameof(E))] public static partial Tensor M(Tensor x); static Tensor E(Tensor x) => x +;")]
    [InlineData("[Hybridize(nameof(E))] public static partial Tensor M(Tensor x); static Tensor E(Tensor x) => Undefined(x);")]
    [InlineData("[Hybridize(nameof(E))] public static partial Tensor M(Tensor x); static Tensor E(Tensor x) { }")]
    [InlineData("[Hybridize(nameof(E))] public static partial Tensor M(Tensor x)")]
    [InlineData("[Hybridize(null)] public static partial Tensor M(Tensor x);")]
    [InlineData("[Hybridize] public static partial Tensor M(Tensor x);")]
    [InlineData("[Hybridize(nameof(E))] public static partial int M(Tensor x); static int E(Tensor x) => 1;")]
    [InlineData("[Hybridize(nameof(E))] public static partial Tensor M<T>(Tensor x); static Tensor E<T>(Tensor x) => x;")]
    [InlineData("[Hybridize(nameof(E))] public partial Tensor M(Tensor x); Tensor E(Tensor x) => x.relu();")]
    [InlineData("[Hybridize(nameof(E))] public static partial Tensor M(Tensor x); static Tensor E(Tensor x) => x * 2 + 1.5f - x / 3;")]
    [InlineData("[Hybridize(nameof(E))] public static partial Tensor M(Tensor x, int n); static Tensor E(Tensor x, int n) => x * n;")]
    public void EveryInputGivesATwinOrADiagnostic(string members)
    {
        GeneratorHarness.Run run = GeneratorHarness.GenerateClass(members);
        Assert.Null(run.Result.Exception);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "HG0900"); // an internal error is a failure, not an answer
        bool twin = run.Result.GeneratedSources.Any(s => s.SourceText.ToString().Contains("HybridFunction"));
        Assert.True(twin || run.Diagnostics.Any(d => d.Id.StartsWith("HG")) || run.Output.GetDiagnostics().Any(d => d.Severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Error),
            "neither a twin nor a diagnostic");
    }
}
