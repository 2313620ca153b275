using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using HybridGen.Formats;
using HybridGen.Tests;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// HybridGen as a new user meets it: pack the repository into HybridGen.nupkg, make console apps with
/// `dotnet new`, add TorchSharp and the package (from a local folder) with `dotnet add package`, and build and run
/// them. The apps are plain `dotnet new` projects: TorchSharp-cpu's ~1 GB of natives are copied into each, as they
/// would be for a user.
/// </summary>
[Collection(nameof(DotnetBuildCollection))]
public sealed class PackageTests : IClassFixture<PackageTests.Feed>
{
    /// <summary>The TorchSharp version the apps use; the package's dependency is checked against the runtime project's.</summary>
    private const string TorchSharpVersion = "0.107.0";

    /// <summary>Packs once for the class, with a version of its own (the NuGet cache never serves a stale one).</summary>
    public sealed class Feed : IDisposable
    {
        public Feed()
        {
            Root = Path.Combine(Path.GetTempPath(), "hybridgen-package-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Root);
            Version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..12];
            string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            (int exit, string output) = TestProcess.Run(RepoPaths.Root, "dotnet", $"pack build/HybridGen.Package -c {configuration} -o \"{FeedFolder}\" -p:PackageVersion={Version}");
            if (exit != 0) throw new InvalidOperationException("dotnet pack failed:\n" + output);
            // The local feed first; nuget.org for TorchSharp and the rest (served from the NuGet cache when it has them).
            File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{FeedFolder}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                </configuration>
                """);
        }

        public string Root { get; }
        public string Version { get; }
        public string FeedFolder => Path.Combine(Root, "feed");

        /// <summary>A new console app in its own folder, with <paramref name="torchSharpPackage"/> and HybridGen added
        /// as a user adds them, and <paramref name="program"/> as its Program.cs.</summary>
        public App NewApp(string name, string program, string torchSharpPackage = "TorchSharp-cpu")
        {
            string dir = Path.Combine(Root, name);
            Dotnet(Root, $"new console -n {name} -o \"{dir}\"");
            Dotnet(dir, $"add package {torchSharpPackage} --version {TorchSharpVersion}");
            Dotnet(dir, $"add package HybridGen --version {Version}");
            File.WriteAllText(Path.Combine(dir, "Program.cs"), program);
            return new App(dir, name);
        }

        private static void Dotnet(string dir, string arguments)
        {
            (int exit, string output) = TestProcess.Run(dir, "dotnet", arguments);
            if (exit != 0) throw new InvalidOperationException($"dotnet {arguments} failed:\n{output}");
        }

        /// <summary>Deletes the apps and the feed, and this run's version of HybridGen from the NuGet cache (no other
        /// run uses it).</summary>
        public void Dispose()
        {
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } folder ? folder
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (string dir in new[] { Root, Path.Combine(cache, "hybridgen", Version.ToLowerInvariant()) })
                try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>An app made by <see cref="Feed.NewApp"/>: where its Debug build puts things.</summary>
    public sealed record App(string Dir, string Name)
    {
        /// <summary>The target framework `dotnet new console` chose (the SDK's own).</summary>
        public string TargetFramework { get; } = XDocument.Load(Path.Combine(Dir, Name + ".csproj")).Descendants("TargetFramework").Single().Value;

        public string Output => Path.Combine(Dir, "bin", "Debug", TargetFramework);

        public string Intermediate => Path.Combine(Dir, "obj", "Debug", TargetFramework);

        /// <summary>The app's copy of TorchSharp's native wrapper (the portable layout of `dotnet build`).</summary>
        public string TorchSharpNative => Path.Combine(Output, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

        /// <summary>The same file in the NuGet cache, found through the app's restore.</summary>
        public string TorchSharpNativeInCache
        {
            get
            {
                using JsonDocument assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "obj", "project.assets.json")));
                string folder = assets.RootElement.GetProperty("packageFolders").EnumerateObject().First().Name;
                string package = assets.RootElement.GetProperty("libraries").GetProperty($"TorchSharp/{TorchSharpVersion}").GetProperty("path").GetString()!;
                return Path.Combine(folder, package, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            }
        }

        public (int exit, string output) Build(string arguments = "") => TestProcess.Run(Dir, "dotnet", "build " + arguments);

        /// <summary>Runs the built app; HYBRIDGEN_MODE is the given one, or unset.</summary>
        public (int exit, string output) Run(string? mode = null) => TestProcess.Run(Dir, "dotnet", "run --no-build", ("HYBRIDGEN_MODE", mode));
    }

    private readonly Feed _feed;

    public PackageTests(Feed feed) => _feed = feed;

    /// <summary>What a user writes (README.md, "What you write"): an MLP block, called 30 times, then the dispatch report. It also
    /// checks the results against the same expression run directly, so a twin that computed something else fails.</summary>
    private const string Hybridized = """
        using HybridGen;
        using TorchSharp;
        using static TorchSharp.torch;

        torch.manual_seed(7);
        using Tensor x = randn(4, 8), w1 = randn(8, 16), b1 = randn(16), w2 = randn(16, 3), b2 = randn(3);
        using Tensor expected = nn.functional.relu(x.matmul(w1) + b1).matmul(w2) + b2;
        bool agree = true;
        for (int i = 0; i < 30; i++)
            using (Tensor y = Blocks.Mlp(x, w1, b1, w2, b2)) agree &= y.allclose(expected, rtol: 1e-5, atol: 1e-6);
        Console.WriteLine($"results agree: {agree}");
        HybridRuntime.WriteReport(Console.Out);

        public static partial class Blocks
        {
            [Hybridize(nameof(MlpEager))]
            public static partial Tensor Mlp(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2);

            static Tensor MlpEager(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2)
                => nn.functional.relu(x.matmul(w1) + b1).matmul(w2) + b2;
        }
        """;

    private const string PatchMessage = "HybridGen: made libLibTorchSharp.so loadable with this system's libstdc++";

    [Fact]
    public void TheNupkgHoldsWhatItShould()
    {
        string package = Directory.GetFiles(_feed.FeedFolder, "*.nupkg").Single();
        using ZipArchive zip = ZipFile.OpenRead(package);
        // Everything but NuGet's own bookkeeping (the nuspec is checked below).
        string[] entries = zip.Entries.Select(e => e.FullName)
            .Where(e => !e.StartsWith("_rels/") && !e.StartsWith("package/") && e != "[Content_Types].xml" && e != "HybridGen.nuspec")
            .OrderBy(e => e, StringComparer.Ordinal).ToArray();
        string[] expected = new[]
        {
            "README.md",
            "lib/net8.0/HybridGen.Runtime.dll", "lib/net8.0/HybridGen.Runtime.xml",
            "analyzers/dotnet/cs/HybridGen.Generator.dll",
            "tasks/net8.0/HybridGen.Build.Tasks.dll",
            "native/cuda-graphs/CMakeLists.txt", "native/cuda-graphs/hybridgen_cuda_graphs.cpp",
            "tasks/net8.0/validator/HybridGen.TwinValidator.dll", "tasks/net8.0/validator/HybridGen.TwinValidator.runtimeconfig.json",
            "tasks/net8.0/validator/HybridGen.TwinValidator.deps.json",
            "build/HybridGen.props", "build/HybridGen.targets", "build/HybridGen.Common.targets",
            "buildTransitive/HybridGen.props", "buildTransitive/HybridGen.targets", "buildTransitive/HybridGen.Common.targets",
        }.OrderBy(e => e, StringComparer.Ordinal).ToArray();
        Assert.True(expected.SequenceEqual(entries),
            $"The package holds what it should not: [{string.Join(", ", entries.Except(expected))}]; it lacks: [{string.Join(", ", expected.Except(entries))}]");

        // TorchSharp, ONNX Runtime and the logging abstractions, at the versions the runtime is built against; no
        // libtorch flavour: the application picks one.
        XDocument nuspec = XDocument.Load(zip.GetEntry("HybridGen.nuspec")!.Open());
        XNamespace ns = nuspec.Root!.Name.Namespace;
        XElement group = nuspec.Descendants(ns + "group").Single();
        Assert.Equal("net8.0", group.Attribute("targetFramework")?.Value);
        Dictionary<string, string> dependencies = group.Elements(ns + "dependency").ToDictionary(d => d.Attribute("id")!.Value, d => d.Attribute("version")!.Value);
        Dictionary<string, string> runtimeReferences = XDocument.Load(RepoPaths.Of("runtime", "HybridGen.Runtime", "HybridGen.Runtime.csproj"))
            .Descendants("PackageReference").Where(r => r.Attribute("PrivateAssets")?.Value != "all").ToDictionary(r => r.Attribute("Include")!.Value, r => r.Attribute("Version")!.Value);
        Assert.Equal(TorchSharpVersion, runtimeReferences["TorchSharp"]);
        Assert.Contains("Microsoft.ML.OnnxRuntime", dependencies.Keys);
        Assert.Equal(runtimeReferences.OrderBy(r => r.Key), dependencies.OrderBy(d => d.Key));

        // The analyzer assembly carries the generator and the DiagnosticAnalyzer (HG0203).
        Dictionary<string, List<string>> components = RoslynComponents(zip.GetEntry("analyzers/dotnet/cs/HybridGen.Generator.dll")!);
        Assert.True(components.ContainsKey("Microsoft.CodeAnalysis.GeneratorAttribute"), "no [Generator] type in the analyzer assembly");
        Assert.True(components.ContainsKey("Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzerAttribute"), "no [DiagnosticAnalyzer] type in the analyzer assembly");
    }

    /// <summary>The types of an assembly marked [Generator] or [DiagnosticAnalyzer], by attribute, read from its metadata.</summary>
    private static Dictionary<string, List<string>> RoslynComponents(ZipArchiveEntry entry)
    {
        using var bytes = new MemoryStream();
        using (Stream stream = entry.Open()) stream.CopyTo(bytes);
        bytes.Position = 0;
        using var pe = new PEReader(bytes);
        MetadataReader metadata = pe.GetMetadataReader();
        var found = new Dictionary<string, List<string>>();
        foreach (TypeDefinitionHandle handle in metadata.TypeDefinitions)
        {
            TypeDefinition type = metadata.GetTypeDefinition(handle);
            foreach (CustomAttributeHandle attributeHandle in type.GetCustomAttributes())
            {
                CustomAttribute attribute = metadata.GetCustomAttribute(attributeHandle);
                if (attribute.Constructor.Kind != HandleKind.MemberReference) continue;
                EntityHandle parent = metadata.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
                if (parent.Kind != HandleKind.TypeReference) continue;
                TypeReference reference = metadata.GetTypeReference((TypeReferenceHandle)parent);
                string name = metadata.GetString(reference.Namespace) + "." + metadata.GetString(reference.Name);
                if (!found.TryGetValue(name, out List<string>? types)) found[name] = types = new List<string>();
                types.Add(metadata.GetString(type.Name));
            }
        }
        return found;
    }

    [Fact]
    public void ANewConsoleAppBuildsRunsTheTwinAndRebuildsNothingTheSecondTime()
    {
        App app = _feed.NewApp("App", Hybridized);
        (int exit, string build) = app.Build("-v:n -p:HybridGenEmitTwinFiles=true");
        Assert.True(exit == 0, build);
        OutputAssert.DoesNotContain("warning HG", build);
        Assert.Equal(Platform.TorchSharpNeedsRewriting ? 1 : 0, Occurrences(build, PatchMessage));
        OutputAssert.Matches(@"HybridGen: compiled 1 of 1 graph twins with libtorch [\d.]+: 1 compiled, 0 failed\.", build);
        string twin = Path.Combine(app.Intermediate, "hybridgen", "twins", "Blocks.Mlp.py");
        Assert.True(File.Exists(twin), $"HybridGenEmitTwinFiles=true wrote no {twin}:\n{build}");
        Assert.Contains("torch.relu(", File.ReadAllText(twin));
        string record = Path.Combine(app.Output, "App.twins.validated");
        Assert.True(File.Exists(record), $"no validation record {record}:\n{build}");
        Assert.Single(ValidatedTwinsFile.Parse(File.ReadAllText(record))!.Value.hashes);
        // One PackageReference brings ONNX Runtime's CPU natives too (the grad-free route).
        Assert.True(File.Exists(Path.Combine(app.Output, "runtimes", "linux-x64", "native", "libonnxruntime.so")), "no libonnxruntime.so in " + app.Output);
        // The validator for TorchScript composed at run time (trees the build cannot see), next to the app.
        foreach (string file in new[] { "HybridGen.TwinValidator.dll", "HybridGen.TwinValidator.runtimeconfig.json", "HybridGen.TwinValidator.deps.json" })
            Assert.True(File.Exists(Path.Combine(app.Output, "hybridgen", file)), $"no hybridgen/{file} in {app.Output}");

        (exit, string run) = app.Run(mode: "graph");
        Assert.True(exit == 0, run);
        OutputAssert.Contains("results agree: True", run);
        string line = ReportLine(run, "Blocks.Mlp");
        Assert.Contains("graph (forced)", line);
        Assert.EndsWith(" 0/30", line);   // 0 eager calls, 30 graph calls: every call ran the twin

        (exit, string again) = app.Build("-v:n -p:HybridGenEmitTwinFiles=true");
        Assert.True(exit == 0, again);
        OutputAssert.DoesNotContain(PatchMessage, again);
        OutputAssert.DoesNotContain("graph twins with libtorch", again);
        OutputAssert.Contains("Skipping target \"CoreCompile\" because all output files are up-to-date", again);
        OutputAssert.Contains("Skipping target \"_HybridGenRewriteTorchSharpNatives\" because all output files are up-to-date", again);
        OutputAssert.Contains("Skipping target \"_HybridGenCompileTwins\" because all output files are up-to-date", again);
    }

    [Fact]
    public void HybridGenModeSetsTheDefaultModeOfTheApp()
    {
        App app = _feed.NewApp("ModeApp", Hybridized);
        (int exit, string build) = app.Build("-p:HybridGenMode=eager");
        Assert.True(exit == 0, build);
        (exit, string run) = app.Run(mode: null);
        Assert.True(exit == 0, run);
        OutputAssert.Contains("results agree: True", run);
        string line = ReportLine(run, "Blocks.Mlp");
        Assert.Contains("eager (forced)", line);
        Assert.EndsWith(" 30/0", line);
    }

    [Fact]
    public void AnIncompatibleMethodGetsItsWarningWithTheHelpLink()
    {
        const string body = "=> nn.functional.relu(x.matmul(w1) + b1).matmul(w2) + b2;";
        Assert.Single(Regex.Matches(Hybridized, Regex.Escape(body)));
        App app = _feed.NewApp("Noisy", Hybridized.Replace(body,
            "{ System.Console.WriteLine(\"mlp\"); return nn.functional.relu(x.matmul(w1) + b1).matmul(w2) + b2; }"));
        (int exit, string build) = app.Build();
        Assert.True(exit == 0, build);
        OutputAssert.Matches(@"Program\.cs\(\d+,\d+\): warning HG0101: 'Blocks\.Mlp' runs eager only: it writes to or reads the console \('Console\.WriteLine'\)", build);
        OutputAssert.Contains("docs/diagnostics/HG0101.md", build);
        OutputAssert.DoesNotContain("HG9004", build);   // no twin, so nothing to validate
    }

    /// <summary>What can still go wrong in a user's build: the app names no libtorch flavour (TorchSharp only), so its
    /// twins cannot be compiled (HG9004, and the build goes on), and the rewrite of TorchSharp's wrapper is turned off.</summary>
    [Fact]
    public void WithoutALibtorchFlavourTheTwinsAreNotValidatedAndTheRewriteCanBeTurnedOff()
    {
        App app = _feed.NewApp("NoFlavour", Hybridized, torchSharpPackage: "TorchSharp");
        (int exit, string build) = app.Build("-p:HybridGenPatchTorchSharp=false");
        Assert.True(exit == 0, build);
        OutputAssert.Contains("warning HG9004: HybridGen could not validate 1 graph twin:", build);
        OutputAssert.Contains("libtorch.so", build);   // the loader's reason: TorchSharp without libtorch
        OutputAssert.DoesNotContain(PatchMessage, build);
        Assert.True(File.ReadAllBytes(app.TorchSharpNative).AsSpan().SequenceEqual(File.ReadAllBytes(app.TorchSharpNativeInCache)),
            "HybridGenPatchTorchSharp=false, yet the app's libLibTorchSharp.so differs from TorchSharp's");
        Assert.False(File.Exists(Path.Combine(app.Output, "NoFlavour.twins.validated")), "a validation record although nothing was validated");

        // Turned back on, the next build rewrites the copy (the twins still cannot be validated).
        (exit, build) = app.Build();
        Assert.True(exit == 0, build);
        OutputAssert.Contains("warning HG9004: HybridGen could not validate 1 graph twin:", build);
        Assert.Equal(Platform.TorchSharpNeedsRewriting ? 1 : 0, Occurrences(build, PatchMessage));
        Assert.Equal(Platform.TorchSharpNeedsRewriting,
            !File.ReadAllBytes(app.TorchSharpNative).AsSpan().SequenceEqual(File.ReadAllBytes(app.TorchSharpNativeInCache)));
    }

    /// <summary>The report's row for a method, trailing spaces removed.</summary>
    private static string ReportLine(string output, string method)
    {
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith(method + " ", StringComparison.Ordinal));
        Assert.True(line is not null, $"no report row for {method}:\n{output}");
        return line!.TrimEnd();
    }

    private static int Occurrences(string text, string part) => Regex.Matches(text, Regex.Escape(part)).Count;
}

/// <summary>What this system is, for the expectations that depend on it.</summary>
internal static class Platform
{
    /// <summary>Whether TorchSharp 0.107's libLibTorchSharp.so needs rewriting here: this system's libstdc++ lacks the
    /// GLIBCXX_3.4.32 it asks for (Debian 12, Ubuntu 22.04; see docs/build.md).</summary>
    public static bool TorchSharpNeedsRewriting { get; } = FindsNoGlibcxx3432();

    private static bool FindsNoGlibcxx3432()
    {
        string? libstdcxx = new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64" }
            .Select(d => Path.Combine(d, "libstdc++.so.6")).FirstOrDefault(File.Exists);
        if (libstdcxx is null) throw new InvalidOperationException("no libstdc++.so.6 found on this system");
        return File.ReadAllBytes(libstdcxx).AsSpan().IndexOf(Encoding.ASCII.GetBytes("GLIBCXX_3.4.32\0")) < 0;
    }
}
