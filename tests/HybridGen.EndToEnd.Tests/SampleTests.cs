using System.Diagnostics;
using System.IO;
using HybridGen.Tests;

namespace HybridGen.EndToEnd.Tests;

/// <summary>The sample, run as a user runs it: HYBRIDGEN_MODE is obeyed and the report is printed.</summary>
public class SampleTests
{
    private static (int exit, string output) RunSample(string? mode)
    {
        string dll = Path.Combine(Path.GetDirectoryName(typeof(SampleTests).Assembly.Location)!
            .Replace(Path.Combine("tests", "HybridGen.EndToEnd.Tests"), Path.Combine("samples", "Mlp")),
            "HybridGen.Samples.Mlp.dll");
        Assert.True(File.Exists(dll), "sample not built at " + dll);
        var info = new ProcessStartInfo("dotnet", $"\"{dll}\" 30") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["HYBRIDGEN_MODE"] = mode;
        using Process process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }

    [Theory]
    [InlineData("eager", "eager (forced)", "30/0")]
    [InlineData("graph", "graph (forced)", "0/30")]
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
    public void AutoReportsBothMedians()
    {
        (int exit, string output) = RunSample(null);
        Assert.True(exit == 0, output);
        Assert.Contains("eager median", output);
        Assert.Matches(@"Samples\.Blocks\.Mlp\s+auto\s+(eager|graph)\s+[\d.]+ us\s+[\d.]+ us", output);
    }
}
