using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using HybridGen.Formats;

namespace HybridGen.Build.Tests;

/// <summary>
/// A real `dotnet build` of a scratch application that references TorchSharp-cpu, imports HybridGen's build steps
/// and records three twins: one good, one libtorch aborts on, and one after it. Built once for the tests below
/// (~15 s: TorchSharp-cpu is restored from the NuGet cache and hard-linked, not copied).
/// </summary>
public sealed class ScratchBuild : IDisposable
{
    public ScratchBuild()
    {
        string root = typeof(ScratchBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "HybridGenRoot").Value!;
        Folder = new TempFolder("hg-twinbuild-");
        File.WriteAllText(Folder.File("Scratch.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Folder.File("Directory.Build.targets"), $"""
            <Project>
              <PropertyGroup>
                <HybridGenTasksAssembly>{root}artifacts/tasks/HybridGen.Build.Tasks.dll</HybridGenTasksAssembly>
                <HybridGenTwinValidatorAssembly>{root}artifacts/validator/HybridGen.TwinValidator.dll</HybridGenTwinValidatorAssembly>
              </PropertyGroup>
              <Import Project="{root}build/HybridGen.Common.targets" />
            </Project>
            """);
        File.WriteAllText(Folder.File("Program.cs"), "static class Program { static void Main() { } }\n");
        File.WriteAllText(Folder.File("HybridTwinAttribute.cs"), """
            namespace HybridGen
            {
                [System.AttributeUsage(System.AttributeTargets.Assembly, AllowMultiple = true)]
                sealed class HybridTwinAttribute : System.Attribute
                {
                    public HybridTwinAttribute(string name, string location, string function, string source) { }
                }
            }
            """);
        File.WriteAllText(Folder.File("Good.cs"), string.Concat(new[] { TwinAssembly.Good, TwinAssembly.Bad, TwinAssembly.After }
            .Select(t => $"[assembly: HybridGen.HybridTwin(\"{t.Name}\", \"{t.Location}\", \"{t.Function}\", \"{t.Source.Replace("\n", "\\n")}\")]\n")));
        File.WriteAllText(Folder.File("Bad.cs"), "// the C# that Bad's twin names\n");
        File.WriteAllText(Folder.File("After.cs"), "// the C# that After's twin names\n");

        CacheHashBefore = Files.Sha256(Files.TorchSharpNative);
        (ExitCode, Output) = Dotnet(Folder.Path, "build", "-nologo", "--disable-build-servers", "-p:Configuration=Debug");
        CacheHashAfter = Files.Sha256(Files.TorchSharpNative);
    }

    public TempFolder Folder { get; }
    public int ExitCode { get; }
    public string Output { get; }
    public string CacheHashBefore { get; }
    public string CacheHashAfter { get; }
    public string OutputFolder => Folder.File("bin", "Debug", "net10.0");

    public void Dispose() => Folder.Dispose();

    /// <summary>Runs dotnet as a user would: without the MSBuild variables of the build or test run around us.</summary>
    internal static (int exit, string output) Dotnet(string folder, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        using Process process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(600_000)) { process.Kill(entireProcessTree: true); throw new TimeoutException(output); }
        return (process.ExitCode, output + error.Result);
    }
}

public sealed class TwinValidationBuildTests : IClassFixture<ScratchBuild>
{
    private readonly ScratchBuild _build;

    public TwinValidationBuildTests(ScratchBuild build) => _build = build;

    [Fact]
    public void TheTwinLibtorchAbortsOnIsWarningHG0302AtTheCSharpLineOfItsComment()
    {
        Assert.Contains($"{_build.Folder.File("Bad.cs")}(7): warning HG0302: The graph twin of 'N.Bad' does not compile with libtorch at 'return torch.no_such_op(y);': Unknown builtin op: aten::no_such_op.", _build.Output);
        Assert.DoesNotContain("'N.Good'", _build.Output);
        Assert.DoesNotContain("'N.After'", _build.Output);
    }

    [Fact]
    public void TheBuildSurvivedAndWarnedOnlyForTheBadTwin()
    {
        Assert.Equal(0, _build.ExitCode); // a HybridGen bug never fails the user's build (no crash either)
        Assert.Contains("0 Error(s)", _build.Output);
        Assert.Contains("1 Warning(s)", _build.Output);
    }

    [Fact]
    public void TheGoodTwinAndTheTwinAfterTheBadOneWereValidatedAndRecorded()
    {
        string[] record = File.ReadAllLines(Path.Combine(_build.OutputFolder, "Scratch.twins.validated"));
        Assert.Equal("libtorch 2.10.0.0", record[1]);
        Assert.Equal(new[] { ValidatedTwinsFile.Hash(TwinAssembly.Good.Source), ValidatedTwinsFile.Hash(TwinAssembly.After.Source) }, record.Skip(2).Take(2));
        Assert.StartsWith($"! {ValidatedTwinsFile.Hash(TwinAssembly.Bad.Source)} The graph twin of 'N.Bad' does not compile", record[4]);
    }

    [Fact]
    public void TorchSharpWasMadeLoadableWithoutChangingTheNuGetCache()
    {
        Assert.Contains("HybridGen: made libLibTorchSharp.so loadable", _build.Output);
        Assert.Equal(_build.CacheHashBefore, _build.CacheHashAfter);
        Assert.NotEqual(_build.CacheHashBefore, Files.Sha256(Path.Combine(_build.OutputFolder, "runtimes", "linux-x64", "native", "libLibTorchSharp.so")));
        Assert.False(Directory.Exists(Path.Combine(_build.OutputFolder, "cpu"))); // TorchSharp's fallback copy never ran
    }
}
