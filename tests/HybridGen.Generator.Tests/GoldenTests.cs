using System;
using System.IO;
using System.Linq;
using HybridGen.Tests;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Tests;

public class GoldenTests
{
    private static GeneratorHarness.Run RunOnSample()
    {
        string path = RepoPaths.Of("samples", "Mlp", "Blocks.cs");
        return GeneratorHarness.Generate(GeneratorHarness.Compilation((path, File.ReadAllText(path))));
    }

    [Fact]
    public void SampleMethodsMatchTheirGoldenFiles()
    {
        GeneratorHarness.Run run = RunOnSample();
        Assert.Null(run.Result.Exception);
        Assert.Equal(2, run.Result.GeneratedSources.Length);
        bool update = Environment.GetEnvironmentVariable("HYBRIDGEN_UPDATE_GOLDEN") == "1";
        foreach (GeneratedSourceResult source in run.Result.GeneratedSources)
        {
            string golden = RepoPaths.Of("tests", "HybridGen.Generator.Tests", "Golden", source.HintName);
            string actual = source.SourceText.ToString();
            if (update) File.WriteAllText(golden, actual);
            Assert.True(File.Exists(golden), $"no golden file {golden}; rerun with HYBRIDGEN_UPDATE_GOLDEN=1 to write it");
            Assert.Equal(File.ReadAllText(golden), actual);
        }
    }

    [Fact]
    public void SampleOutputCompilesWithoutDiagnostics()
    {
        GeneratorHarness.Run run = RunOnSample();
        // Gate's scalar parameter gets the CUDA-graph advisory (HG0202, info); nothing else is reported.
        Assert.Equal(new[] { "HG0202" }, run.Diagnostics.Select(d => d.Id));
        Diagnostic[] problems = run.Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
        Assert.True(problems.Length == 0, string.Join("\n", problems.Select(d => d.ToString())));
    }

    [Fact]
    public void TwinNamesTheCSharpLineOfEachStatement()
    {
        string text = RunOnSample().Result.GeneratedSources.Single(s => s.HintName.Contains(".Mlp.")).SourceText.ToString();
        Assert.Contains("# Blocks.cs(15): nn.functional.relu(x.matmul(w1) + b1).matmul(w2) + b2", text);
        Assert.Contains("return torch.add(torch.matmul(torch.relu(torch.add(torch.matmul(x, w1), b1)), w2), b2)", text);
    }
}
