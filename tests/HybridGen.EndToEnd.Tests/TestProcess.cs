using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;

namespace HybridGen.EndToEnd.Tests;

/// <summary>Runs a child process (dotnet build, dotnet run, the sample) the way a user's shell would and hands back
/// its exit code with stdout and stderr together, so a failing assertion can print everything the tool said.</summary>
internal static class TestProcess
{
    /// <summary>Longer than any one build or run here takes (the slowest, a first build of an app with
    /// TorchSharp-cpu, takes ~10 s); a child still running then is killed and the test fails saying so.</summary>
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(5);

    /// <param name="environment">Variables to set for the child; a null value removes one the test host inherited.</param>
    public static (int exit, string output) Run(string dir, string file, string arguments, params (string name, string? value)[] environment)
    {
        var info = new ProcessStartInfo(file, arguments) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        // What `dotnet test` (or the build that started it) set for MSBuild is not in a user's shell: a child
        // `dotnet build` must find its own SDK and MSBuild, not inherit ours.
        foreach (string name in info.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            info.Environment.Remove(name);
        foreach ((string name, string? value) in environment) info.Environment[name] = value;
        using Process process = Process.Start(info)!;
        // Both streams at once: reading one to its end first blocks a child that fills the other's pipe.
        Task<string> output = process.StandardOutput.ReadToEndAsync(), error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {arguments}' in {dir} did not end within {s_timeout.TotalMinutes} minutes and was killed.");
        }
        // The streams end when every process holding them has ended: a build server started by the child must not hold them.
        if (!Task.WaitAll(new Task[] { output, error }, TimeSpan.FromSeconds(30)))
            throw new TimeoutException($"'{file} {arguments}' in {dir} ended, but a process it started kept its output open.");
        return (process.ExitCode, output.Result + error.Result);
    }
}

/// <summary>Assertions on what a child process said that print all of it when they fail (xunit's own cut a long
/// build log to its first few dozen characters).</summary>
internal static class OutputAssert
{
    public static void Contains(string expected, string output) =>
        Assert.True(output.Contains(expected, StringComparison.Ordinal), $"Expected \"{expected}\" in the output:\n{output}");

    public static void DoesNotContain(string unexpected, string output) =>
        Assert.False(output.Contains(unexpected, StringComparison.Ordinal), $"Did not expect \"{unexpected}\" in the output:\n{output}");

    public static void Matches(string pattern, string output) =>
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(output, pattern), $"Expected a match of /{pattern}/ in the output:\n{output}");
}
