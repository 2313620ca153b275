using System;
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

    /// <summary>A library project that references the runtime and the generator the way the repository's samples do;
    /// <paramref name="property"/> and <paramref name="import"/> are what a test adds to it.</summary>
    private void WriteConsumerProject(string property, string import)
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                {property}
              </PropertyGroup>
              <ItemGroup>
                <ProjectReference Include="{RepoPaths.Of("runtime", "HybridGen.Runtime", "HybridGen.Runtime.csproj")}" />
                <ProjectReference Include="{RepoPaths.Of("generator", "HybridGen.Generator", "HybridGen.Generator.csproj")}"
                                  OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              </ItemGroup>
              {import}
            </Project>
            """);
    }

    private (int exit, string output) Build() => TestProcess.Run(_dir, "dotnet", "build -nologo -v:minimal -clp:NoSummary");

    [Fact]
    public void ATwinThatDoesNotCompileIsABuildErrorAtItsCSharpLine()
    {
        WriteConsumerProject(
            property: $"<HybridGenRoot>{RepoPaths.Root}/</HybridGenRoot>",
            import: $"""<Import Project="{RepoPaths.Of("build", "HybridGen.Common.targets")}" />""");
        File.WriteAllText(Path.Combine(_dir, "Bad.cs"), """
            using HybridGen;
            using HybridGen.Torch;
            public static class MyOps
            {
                // A declaration libtorch does not know: the twin cannot compile.
                [AtenOp("aten::definitely_not_an_op")] public static Tensor Bogus(Tensor x) => x;
            }
            public static partial class Bad
            {
                [Hybridize(nameof(UseEager))]
                public static partial Tensor Use(Tensor x);
                static Tensor UseEager(Tensor x)
                {
                    var y = x.relu();
                    return MyOps.Bogus(y);
                }
            }
            """);
        (int exit, string output) = Build();
        Assert.NotEqual(0, exit);
        Assert.Contains("Bad.cs(15): error HG0302: The graph twin of 'Bad.Use' does not compile with libtorch at 'return MyOps.Bogus(y);'", output);
        Assert.Contains("definitely_not_an_op", output);
    }

    [Fact]
    public void PragmaAndEditorConfigApplyToHybridGenDiagnostics()
    {
        WriteConsumerProject(property: "<Nullable>enable</Nullable>", import: "");
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

        (int exit, string output) = Build();

        Assert.NotEqual(0, exit);                                          // HG0111 raised to an error
        Assert.Contains("error HG0111", output);
        Assert.Contains("docs/diagnostics/HG0111.md", output);            // the help link
        Assert.DoesNotContain("HG0101", output);                           // silenced by #pragma
    }
}
