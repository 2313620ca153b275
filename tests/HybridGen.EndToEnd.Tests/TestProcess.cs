using System.Diagnostics;

namespace HybridGen.EndToEnd.Tests;

/// <summary>Runs a child process (dotnet build, dotnet run, the sample) the way a user's shell would and hands back
/// its exit code with stdout and stderr together, so a failing assertion can print everything the tool said.</summary>
internal static class TestProcess
{
    /// <param name="environment">Variables to set for the child; a null value removes one the test host inherited.</param>
    public static (int exit, string output) Run(string dir, string file, string arguments, params (string name, string? value)[] environment)
    {
        var info = new ProcessStartInfo(file, arguments) { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach ((string name, string? value) in environment) info.Environment[name] = value;
        using Process process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output);
    }
}
