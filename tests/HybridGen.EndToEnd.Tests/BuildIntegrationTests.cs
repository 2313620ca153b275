using System;
using System.IO;
using System.Linq;
using HybridGen.Formats;
using HybridGen.Tests;

namespace HybridGen.EndToEnd.Tests;

/// <summary>HybridGen's diagnostics in a real `dotnet build` of a project that uses the repository's generator, runtime
/// and build steps: a twin libtorch rejects is a warning at its C# line (an error where the project asks), #pragma silences a diagnostic,
/// .editorconfig changes another's severity, and each carries its docs link.</summary>
[Collection(nameof(DotnetBuildCollection))]
public sealed class BuildIntegrationTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "hybridgen-build-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>An application that uses HybridGen the way the repository's own projects do: project references to
    /// the runtime and the generator, HybridGen's build steps imported from build/, TorchSharp-cpu for the natives
    /// (hard-linked from the NuGet cache rather than copied: they are ~600 MB).</summary>
    private void WriteConsumerProject()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <CreateHardLinksForCopyLocalIfPossible>true</CreateHardLinksForCopyLocalIfPossible>
                <HybridGenRoot>{RepoPaths.Root}/</HybridGenRoot>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TorchSharp-cpu" Version="0.107.0" />
                <ProjectReference Include="{RepoPaths.Of("runtime", "HybridGen.Runtime", "HybridGen.Runtime.csproj")}" />
                <ProjectReference Include="{RepoPaths.Of("generator", "HybridGen.Generator", "HybridGen.Generator.csproj")}"
                                  OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
              </ItemGroup>
              <Import Project="{RepoPaths.Of("build", "HybridGen.Common.targets")}" />
            </Project>
            """);
        File.WriteAllText(Path.Combine(_dir, "Program.cs"), "System.Console.WriteLine(\"consumer\");\n");
    }

    /// <summary>Release, as the test project itself is built: the runtime and the generator are already up to date.</summary>
    private (int exit, string output) Build(string verbosity = "minimal") =>
        TestProcess.Run(_dir, "dotnet", $"build -c Release -nologo -v:{verbosity} -clp:NoSummary");

    /// <summary>The generator never emits TorchScript libtorch rejects; a bug that did is simulated by recording such a
    /// twin by hand, beside a real hybridized method whose twin is fine. A HybridGen bug never breaks the user's
    /// build: warning HG0302 at the C# line, the method runs eager, and the runtime names the reason; a project that
    /// asks for it (HybridGenTwinFailuresAreErrors, as HybridGen's own projects do) gets an error.</summary>
    [Fact]
    public void ATwinThatDoesNotCompileIsAWarningAtItsCSharpLineAndItsMethodRunsEagerSayingWhy()
    {
        WriteConsumerProject();
        const string badTwin = "def Use(x: Tensor) -> Tensor:\n    # Bad.cs(5): return MyOps.Bogus(y);\n    return torch.definitely_not_an_op(x)\n";
        File.WriteAllText(Path.Combine(_dir, "Bad.cs"), $$"""
            // A generator bug, simulated: a twin record whose TorchScript calls an op libtorch does not have (libtorch
            // aborts the process that compiles it). Its comment names line 5 of this file, as a generated twin's name C#.
            [assembly: HybridGen.HybridTwin("Bad.Use", "Bad.cs(3)", "Use", "{{badTwin.Replace("\n", "\\n")}}")]

            // line 5: the C# the bad twin's comment points at
            public static class BadTwin { public const string Source = "{{badTwin.Replace("\n", "\\n")}}"; }
            """);
        File.WriteAllText(Path.Combine(_dir, "Good.cs"), """
            using HybridGen;
            using TorchSharp;
            using static TorchSharp.torch;
            public static partial class Good
            {
                [Hybridize(nameof(UseEager))]
                public static partial Tensor Use(Tensor x);
                static Tensor UseEager(Tensor x) => nn.functional.relu(x) * 2;
            }
            """);
        // The method behind the bad twin, as generated code would make it, called in forced graph mode.
        File.WriteAllText(Path.Combine(_dir, "Program.cs"), """
            using System;
            using HybridGen;
            using HybridGen.Dispatch;
            using HybridGen.Twins;
            using TorchSharp;
            using static TorchSharp.torch;
            HybridRuntime.Warnings = Console.Out;
            var bad = new HybridFunction<ValueTuple<Tensor>, Tensor>(new HybridMethodInfo("Bad.Use", "Bad.cs(3)", "Use", BadTwin.Source),
                eager: static a => a.Item1 * 2, writeArguments: static (in ValueTuple<Tensor> a, Span<TwinValue> g) => g[0] = a.Item1,
                argumentCount: 1, readResult: static r => r[0].Tensor!, resultCount: 1, options: new DispatchOptions { Mode = DispatchMode.Graph });
            for (int call = 0; call < 3; call++)
                Console.WriteLine($"call {call}: {bad.Invoke(new ValueTuple<Tensor>(ones(2))).sum().item<float>()}");
            HybridRuntime.WriteReport(Console.Out);
            """);

        (int exit, string output) = Build(verbosity: "normal");

        Assert.True(exit == 0, $"a twin that does not compile broke the build (exit {exit}):\n{output}");
        OutputAssert.Contains("Bad.cs(5): warning HG0302: The graph twin of 'Bad.Use' does not compile with libtorch at 'return MyOps.Bogus(y);': ", output);
        OutputAssert.Contains("aten::definitely_not_an_op", output);   // libtorch's reason, naming the op
        // Once (MSBuild's console may echo a warning at normal verbosity, with a node prefix: the same line).
        Assert.Single(output.Split('\n').Where(l => l.Contains("warning HG0302")).Select(l => System.Text.RegularExpressions.Regex.Replace(l.Trim(), @"^\d+>", "")).Distinct());
        // libtorch aborted the validator on the bad twin; the build went on, and the generator's twin was still
        // compiled and recorded (the bad one as failed, with its reason).
        OutputAssert.Matches(@"HybridGen: compiled 2 of 2 graph twins with libtorch [\d.]+: 1 compiled, 1 failed\.", output);
        string record = Path.Combine(_dir, "bin", "Release", "net10.0", "Consumer.twins.validated");
        Assert.True(File.Exists(record), $"no validation record {record}:\n{output}");
        var parsed = ValidatedTwinsFile.Parse(File.ReadAllText(record))!.Value;
        Assert.Single(parsed.hashes);
        Assert.DoesNotContain(ValidatedTwinsFile.Hash(badTwin), parsed.hashes);
        Assert.Contains("definitely_not_an_op", parsed.failures[ValidatedTwinsFile.Hash(badTwin)]);

        // At run time the method runs eager, says why (not "rebuild the project"), and no call counts as a graph call.
        (int ran, string run) = TestProcess.Run(_dir, "dotnet", Path.Combine("bin", "Release", "net10.0", "Consumer.dll"));
        Assert.True(ran == 0, run);
        OutputAssert.Contains("call 2: 4", run);
        OutputAssert.Contains("runs eager for [float32[2] cpu]: its graph twin failed validation at build time (HG0302): The graph twin of 'Bad.Use' does not compile with libtorch", run);
        OutputAssert.DoesNotContain("rebuild the project", run);
        OutputAssert.Matches(@"Bad\.Use\s+graph\s+eager \(graph failed\)\s.*3/0", run);

        // A project that wants HybridGen's bugs to fail its build says so.
        (int strictExit, string strict) = TestProcess.Run(_dir, "dotnet", "build -c Release -nologo -v:minimal -clp:NoSummary -p:HybridGenTwinFailuresAreErrors=true");
        Assert.True(strictExit == 1, $"expected MSBuild's exit code for a failed build (1), not {strictExit}:\n{strict}");
        OutputAssert.Contains("Bad.cs(5): error HG0302: The graph twin of 'Bad.Use' does not compile with libtorch", strict);
    }

    [Fact]
    public void PragmaAndEditorConfigApplyToHybridGenDiagnostics()
    {
        WriteConsumerProject();
        File.WriteAllText(Path.Combine(_dir, ".editorconfig"), "root = true\n[*.cs]\ndotnet_diagnostic.HG0111.severity = error\n");
        File.WriteAllText(Path.Combine(_dir, "Quiet.cs"), """
            using HybridGen;
            using TorchSharp;
            using static TorchSharp.torch;
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
            using TorchSharp;
            using static TorchSharp.torch;
            public static partial class Clock
            {
                [Hybridize(nameof(StampEager))]
                public static partial Tensor Stamp(Tensor x);
                static Tensor StampEager(Tensor x) => x * System.DateTime.Now.Second;
            }
            """);

        (int exit, string output) = Build();

        Assert.True(exit != 0, "HG0111 raised to an error by .editorconfig, yet the build succeeded:\n" + output);
        OutputAssert.Matches(@"Clock\.cs\(\d+,\d+\): error HG0111: 'Clock\.Stamp' runs eager only: ", output);
        OutputAssert.Contains("docs/diagnostics/HG0111.md", output);            // the help link
        OutputAssert.DoesNotContain("HG0101", output);                           // silenced by #pragma
    }
}

/// <summary>The test classes that run `dotnet build` or `dotnet pack` on the repository's projects: one at a time, so two
/// builds never write the same project's obj/ and bin/ at once (and two builds do not share the CI's two cores).</summary>
[CollectionDefinition(nameof(DotnetBuildCollection))]
public sealed class DotnetBuildCollection
{
}
