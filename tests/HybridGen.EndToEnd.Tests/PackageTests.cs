using System;
using System.IO;
using System.Linq;
using HybridGen.Tests;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// HybridGen as a new user meets it: pack the repository into HybridGen.nupkg, make console apps with
/// `dotnet new`, add the package from a local folder, and build and run them.
/// </summary>
public sealed class PackageTests : IClassFixture<PackageTests.Feed>
{
    /// <summary>Packs once for the class, with a version of its own (the NuGet cache never serves a stale one).</summary>
    public sealed class Feed : IDisposable
    {
        public Feed()
        {
            Root = Path.Combine(Path.GetTempPath(), "hybridgen-package-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Root);
            Version = "0.1.0-test." + Guid.NewGuid().ToString("N")[..12];
            string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            (int exit, string output) = TestProcess.Run(RepoPaths.Root, "dotnet", $"pack build/HybridGen.Package -c {configuration} -o \"{Path.Combine(Root, "feed")}\" -p:PackageVersion={Version}");
            if (exit != 0) throw new InvalidOperationException("dotnet pack failed:\n" + output);
            File.WriteAllText(Path.Combine(Root, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <clear />
                    <add key="local" value="{Path.Combine(Root, "feed")}" />
                    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
                  </packageSources>
                </configuration>
                """);
        }

        public string Root { get; }
        public string Version { get; }

        /// <summary>A new console app in its own folder, with the package added.</summary>
        public string NewApp(string name, string program)
        {
            string dir = Path.Combine(Root, name);
            (int exit, string output) = TestProcess.Run(Root, "dotnet", $"new console -n {name} -o \"{dir}\"");
            if (exit != 0) throw new InvalidOperationException("dotnet new failed:\n" + output);
            (exit, output) = TestProcess.Run(dir, "dotnet", $"add package HybridGen --version {Version}");
            if (exit != 0) throw new InvalidOperationException("dotnet add package failed:\n" + output);
            File.WriteAllText(Path.Combine(dir, "Program.cs"), program);
            return dir;
        }

        public void Dispose()
        {
            try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
        }
    }

    private readonly Feed _feed;

    public PackageTests(Feed feed) => _feed = feed;

    private const string Hybridized = """
        using HybridGen;
        using HybridGen.Torch;
        using static HybridGen.Torch.torch;

        using Tensor x = randn(4, 8), w = randn(8, 3);
        for (int i = 0; i < 30; i++) using (Blocks.Layer(x, w)) { }
        Console.WriteLine("done");
        HybridRuntime.WriteReport(Console.Out);

        public static partial class Blocks
        {
            [Hybridize(nameof(LayerEager))]
            public static partial Tensor Layer(Tensor x, Tensor w);
            static Tensor LayerEager(Tensor x, Tensor w) => nn.functional.gelu(x.matmul(w)) + 1.0;
        }
        """;

    [Fact]
    public void TheNupkgHoldsWhatItShould()
    {
        string package = Directory.GetFiles(Path.Combine(_feed.Root, "feed"), "*.nupkg").Single();
        using var zip = System.IO.Compression.ZipFile.OpenRead(package);
        string[] entries = zip.Entries.Select(e => e.FullName).ToArray();
        foreach (string expected in new[]
        {
            "lib/net8.0/HybridGen.Runtime.dll", "lib/net8.0/HybridGen.Torch.dll", "analyzers/dotnet/cs/HybridGen.Generator.dll",
            "tasks/net8.0/HybridGen.Build.Tasks.dll", "build/HybridGen.props", "build/HybridGen.targets",
            "buildTransitive/HybridGen.props", "buildTransitive/HybridGen.targets", "build/HybridGen.Common.targets", "native/CMakeLists.txt", "native/hybridgen_shim.cpp", "README.md",
        })
            Assert.Contains(expected, entries);
    }

    [Fact]
    public void ANewConsoleAppBuildsRunsTheTwinAndRebuildsNothingTheSecondTime()
    {
        string app = _feed.NewApp("App", Hybridized);
        (int exit, string build) = TestProcess.Run(app, "dotnet", "build -v:n -p:HybridGenEmitTwinFiles=true");
        Assert.True(exit == 0, build);
        Assert.Contains("HybridGen: compiled 1 graph twins with libtorch, 0 failed", build);
        Assert.True(File.Exists(Path.Combine(app, "obj", "Debug", "net10.0", "hybridgen", "twins", "Blocks.Layer.py")));

        (exit, string run) = TestProcess.Run(app, "dotnet", "run --no-build", ("HYBRIDGEN_MODE", "graph"));
        Assert.True(exit == 0, run);
        Assert.Contains("done", run);
        string line = run.Split('\n').Single(l => l.StartsWith("Blocks.Layer "));
        Assert.Contains("graph (forced)", line);
        Assert.EndsWith(" 0/30", line.TrimEnd());   // every call ran the twin

        (exit, string again) = TestProcess.Run(app, "dotnet", "build -v:n -p:HybridGenEmitTwinFiles=true");
        Assert.True(exit == 0, again);
        Assert.DoesNotContain("compiling libhybridgen_shim.so", again);
        Assert.DoesNotContain("compiled 1 graph twins", again);
        Assert.Contains("Skipping target \"HybridGenValidateTwins\" because all output files are up-to-date", again);
    }

    [Fact]
    public void HybridGenModeSetsTheDefaultModeOfTheApp()
    {
        string app = _feed.NewApp("ModeApp", Hybridized);
        (int exit, string build) = TestProcess.Run(app, "dotnet", "build -p:HybridGenMode=eager");
        Assert.True(exit == 0, build);
        (exit, string run) = TestProcess.Run(app, "dotnet", "run --no-build");
        Assert.True(exit == 0, run);
        Assert.Contains("eager (forced)", run);
    }

    [Fact]
    public void AnIncompatibleMethodGetsItsWarningWithTheHelpLink()
    {
        string app = _feed.NewApp("Noisy", Hybridized.Replace("static Tensor LayerEager(Tensor x, Tensor w) => nn.functional.gelu(x.matmul(w)) + 1.0;",
            "static Tensor LayerEager(Tensor x, Tensor w) { System.Console.WriteLine(\"layer\"); return x.matmul(w); }"));
        (int exit, string build) = TestProcess.Run(app, "dotnet", "build");
        Assert.True(exit == 0, build);
        Assert.Contains("warning HG0101: 'Blocks.Layer' runs eager only: it writes to or reads the console", build);
        Assert.Contains("docs/diagnostics/HG0101.md", build);
    }

    [Fact]
    public void MissingLibtorchOrCMakeAreClearBuildErrors()
    {
        string app = _feed.NewApp("Broken", Hybridized);
        (int exit, string build) = TestProcess.Run(app, "dotnet", "build -p:HybridGenLibTorchDir=/nonexistent/libtorch");
        Assert.NotEqual(0, exit);
        Assert.Contains("error HG9001: HybridGen could not find libtorch", build);
        Assert.Contains("HybridGenLibTorchDir = /nonexistent/libtorch", build);
        Assert.Contains("apt-get install libtorch-dev", build);

        string cache = Path.Combine(_feed.Root, "empty-cache");
        (exit, build) = TestProcess.Run(app, "dotnet", $"build -p:HybridGenCMake=/nonexistent/cmake -p:HybridGenCacheDir={cache}");
        Assert.NotEqual(0, exit);
        Assert.Contains("error HG9002", build);
        Assert.Contains("apt-get install cmake g++", build);
    }
}
