using System.IO;
using HybridGen.Tests;

namespace HybridGen.EndToEnd.Tests;

/// <summary>The sample, run as a user runs it: HYBRIDGEN_MODE is obeyed and the report is printed.</summary>
public class SampleTests
{
    // 60 calls: enough for the first run to decide (noisy timings can take 4 + 2 x 20 probing calls).
    private static (int exit, string output) RunSample(string? mode, params (string name, string value)[] environment)
    {
        string dll = Path.Combine(Path.GetDirectoryName(typeof(SampleTests).Assembly.Location)!
            .Replace(Path.Combine("tests", "HybridGen.EndToEnd.Tests"), Path.Combine("samples", "Mlp")),
            "HybridGen.Samples.Mlp.dll");
        Assert.True(File.Exists(dll), "sample not built at " + dll);
        return TestProcess.Run(Directory.GetCurrentDirectory(), "dotnet", $"\"{dll}\" 60", [("HYBRIDGEN_MODE", mode), .. environment]);
    }

    [Theory]
    [InlineData("eager", "eager (forced)", "60/0")]
    [InlineData("graph", "graph (forced)", "0/60")]
    public void ForcedModeFromTheEnvironment(string mode, string state, string calls)
    {
        (int exit, string output) = RunSample(mode);
        Assert.True(exit == 0, output);
        Assert.Contains($"mode: {mode}", output);
        foreach (string method in new[] { "Samples.Blocks.Mlp", "Samples.Blocks.Gate" })
        {
            string line = System.Array.Find(output.Split('\n'), l => l.StartsWith(method + " "))!;
            Assert.Contains(state, line);
            Assert.EndsWith(calls, line.TrimEnd());
        }
    }

    [Fact]
    public void AMalformedConfigIsReportedWithFileLineAndKeyAndTheProgramRunsOn()
    {
        string config = Path.Combine(Path.GetTempPath(), $"hybridgen-{System.Guid.NewGuid():N}.json");
        File.WriteAllText(config, "{\n  \"mode\": \"auto\",\n  \"probeCalls\": 0\n}");
        try
        {
            (int exit, string output) = RunSample(null, ("HYBRIDGEN_CONFIG", config));
            Assert.True(exit == 0, output);
            Assert.Contains($"{config}(3): 'probeCalls' must be 1 or more, not 0; the defaults are used", output);
            Assert.Contains("Samples.Blocks.Mlp", output); // the report: the program ran on with the defaults
        }
        finally
        {
            File.Delete(config);
        }
    }

    [Fact]
    public void AProfileLetsARestartedProgramSkipProbing()
    {
        string profile = Path.Combine(Path.GetTempPath(), $"hybridgen-profile-{System.Guid.NewGuid():N}.json");
        try
        {
            (int first, string firstOutput) = RunSample(null, ("HYBRIDGEN_PROFILE", profile));
            Assert.True(first == 0, firstOutput);
            Assert.True(File.Exists(profile), "no profile written");
            Assert.Contains("\"method\": \"Samples.Blocks.Mlp\"", File.ReadAllText(profile));
            (int second, string secondOutput) = RunSample(null, ("HYBRIDGEN_PROFILE", profile));
            Assert.True(second == 0, secondOutput);
            string line = System.Array.Find(secondOutput.Split('\n'), l => l.StartsWith("Samples.Blocks.Mlp "))!;
            // The remembered decision is used from the first call: every call took that one path, none probed the other.
            Assert.True(line.TrimEnd().EndsWith(" 60/0") || line.TrimEnd().EndsWith(" 0/60"), line);
            Assert.DoesNotContain("probing", secondOutput);
        }
        finally
        {
            File.Delete(profile);
        }
    }

    [Fact]
    public void AutoReportsBothMedians()
    {
        (int exit, string output) = RunSample(null);
        Assert.True(exit == 0, output);
        Assert.Contains("eager median", output);
        Assert.Matches(@"Samples\.Blocks\.Mlp\s+auto\s+(eager|graph)\s+[\d.]+ us\s+[\d.]+ us", output);
    }
}
