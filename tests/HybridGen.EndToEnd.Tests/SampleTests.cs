using System.IO;
using System.Text.RegularExpressions;
using HybridGen.Tests;

namespace HybridGen.EndToEnd.Tests;

/// <summary>The sample, run as a user runs it: HYBRIDGEN_MODE is obeyed and the report is printed.</summary>
public class SampleTests
{
    // 150 calls: enough for the first run to decide among eager, TorchScript and ONNX Runtime (noisy timings can take
    // 6 warm-ups + 3 x 20 probing calls).
    private static (int exit, string output) RunSample(string? mode, params (string name, string value)[] environment)
    {
        string dll = Path.Combine(Path.GetDirectoryName(typeof(SampleTests).Assembly.Location)!
            .Replace(Path.Combine("tests", "HybridGen.EndToEnd.Tests"), Path.Combine("samples", "Mlp")),
            "HybridGen.Samples.Mlp.dll");
        Assert.True(File.Exists(dll), "sample not built at " + dll);
        return TestProcess.Run(Directory.GetCurrentDirectory(), "dotnet", $"\"{dll}\" 150", [("HYBRIDGEN_MODE", mode), .. environment]);
    }

    [Theory]
    [InlineData("eager", "eager (forced)", "150/0")]
    [InlineData("graph", "graph (forced)", "0/150")]
    [InlineData("onnx", "onnx (forced)", "0/150")]
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

    // A remembered decision is used from the first call, so a restarted program never probes. A remembered "graph"
    // still runs the first call eager: that call starts the twin's compile in the background (the sample waits for
    // it before its second call), so it is 1/149; a remembered "eager" is 150/0. Both are forced here by rewriting the
    // profile the first run wrote, since which one the first run decides depends on the machine's timings.
    [Theory]
    [InlineData("graph", " 1/149")]
    [InlineData("eager", " 150/0")]
    public void AProfileLetsARestartedProgramSkipProbing(string remembered, string calls)
    {
        string profile = Path.Combine(Path.GetTempPath(), $"hybridgen-profile-{System.Guid.NewGuid():N}.json");
        try
        {
            (int first, string firstOutput) = RunSample(null, ("HYBRIDGEN_PROFILE", profile));
            Assert.True(first == 0, firstOutput);
            Assert.True(File.Exists(profile), "no profile written");
            string written = File.ReadAllText(profile);
            Assert.Contains("\"method\": \"Samples.Blocks.Mlp\"", written);
            File.WriteAllText(profile, Regex.Replace(written, "\"route\": \"(eager|graph|onnx)\"", $"\"route\": \"{remembered}\""));
            (int second, string secondOutput) = RunSample(null, ("HYBRIDGEN_PROFILE", profile));
            Assert.True(second == 0, secondOutput);
            string line = System.Array.Find(secondOutput.Split('\n'), l => l.StartsWith("Samples.Blocks.Mlp "))!;
            Assert.Matches($@"\s{remembered}\s", line);
            Assert.True(line.TrimEnd().EndsWith(calls), line);
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
        Assert.Matches(@"Samples\.Blocks\.Mlp\s+auto\s+(eager|graph|onnx)\s+[\d.]+ us\s+[\d.]+ us", output);
    }
}
