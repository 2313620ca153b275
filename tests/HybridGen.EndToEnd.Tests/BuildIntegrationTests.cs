using System;
using System.Diagnostics;
using System.IO;
using HybridGen.Tests;

namespace HybridGen.EndToEnd.Tests;

/// <summary>HybridGen's diagnostics in a real `dotnet build`: #pragma silences one, .editorconfig changes another's
/// severity, and each carries its docs link.</summary>
public sealed class BuildIntegrationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hybridgen-build-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void PragmaAndEditorConfigApplyToHybridGenDiagnostics()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{RepoPaths.Of("runtime", "HybridGen.Runtime", "HybridGen.Runtime.csproj")}" />
                <ProjectReference Include="{RepoPaths.Of("generator", "HybridGen.Generator", "HybridGen.Generator.csproj")}"
                                  OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(_dir, ".editorconfig"), "root = true\n[*.cs]\ndotnet_diagnostic.HG0111.severity = error\n");
        File.WriteAllText(Path.Combine(_dir, "Quiet.cs"), """
            using HybridGen;
            using HybridGen.Torch;
            public static partial class Quiet
            {
                [Hybridize(nameof(LoudEager))]
                public static partial Tensor Loud(Tensor x);
                static Tensor LoudEager(Tensor x)
                {
            #pragma warning disable HG0101
                    System.Console.WriteLine("step");
            #pragma warning restore HG0101
                    return x.relu();
                }
            }
            """);
        File.WriteAllText(Path.Combine(_dir, "Clock.cs"), """
            using HybridGen;
            using HybridGen.Torch;
            public static partial class Clock
            {
                [Hybridize(nameof(StampEager))]
                public static partial Tensor Stamp(Tensor x);
                static Tensor StampEager(Tensor x) => x * System.DateTime.Now.Second;
            }
            """);

        var info = new ProcessStartInfo("dotnet", "build -nologo -v:minimal -clp:NoSummary") { WorkingDirectory = _dir, RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(info)!;
        string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.NotEqual(0, process.ExitCode);                              // HG0111 raised to an error
        Assert.Contains("error HG0111", output);
        Assert.Contains("docs/diagnostics/HG0111.md", output);            // the help link
        Assert.DoesNotContain("HG0101", output);                           // silenced by #pragma
    }
}
