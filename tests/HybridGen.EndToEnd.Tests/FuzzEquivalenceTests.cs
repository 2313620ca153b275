using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;
using HybridGen;
using HybridGen.Validation;
using HybridGen.Formats;
using HybridGen.Generator.Tests;
using HybridGen.Tests;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Emit;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// The fuzz test's bodies, run. The first 400 seeded random bodies of the generator's fuzz test (tests/FuzzBodies.cs)
/// that are C#, in one compilation:
/// * the code generated for them compiles;
/// * every twin the generator emits compiles with libtorch in the validator, a child process as in a build (a
///   TorchScript compile error aborts the process it happens in);
/// * every twin agrees with its eager body on a seeded input.
/// Only twins the validator compiled are recorded as validated, so this process compiles no other. Reproduce one
/// body with FuzzBodies.File(i, body).
/// </summary>
public sealed class FuzzEquivalenceTests : IDisposable
{
    private const int Bodies = 400;
    // Rank 6, size 2: four `x = x[0]` in a body still leave a matrix, so `x.matmul(x)` fits.
    private static readonly long[] Shape = { 2, 2, 2, 2, 2, 2 };

    private readonly string _folder = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "hybridgen-fuzz-" + Guid.NewGuid().ToString("N"))).FullName;
    private readonly ITestOutputHelper _output;

    public FuzzEquivalenceTests(ITestOutputHelper output) => _output = output;

    public void Dispose()
    {
        try { Directory.Delete(_folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [Fact]
    public void EveryFuzzedBodyThatGetsATwinCompilesValidatesAndAgreesWithEager()
    {
        // 1. The bodies, and those that are C# (without the generator; CS8795 is M's implementation, which it writes).
        var random = new Random(FuzzBodies.Seed);
        string[] bodies = Enumerable.Range(0, Bodies).Select(_ => FuzzBodies.Next(random)).ToArray();
        (string path, string text)[] files = bodies.Select((body, i) => FuzzBodies.File(i, body, "Fuzz")).ToArray();
        HashSet<string> broken = GeneratorHarness.Compilation(files).GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Id != "CS8795" && d.Location.SourceTree is not null)
            .Select(d => d.Location.SourceTree!.FilePath).ToHashSet();
        (string path, string text)[] sources = files.Where(f => !broken.Contains(f.path)).ToArray();

        // 2. The generator over them; the code it writes compiles, every line of it.
        GeneratorHarness.Run run = GeneratorHarness.Generate(GeneratorHarness.Compilation(sources));
        Assert.True(run.Result.Exception is null, $"the generator threw: {run.Result.Exception}");
        Diagnostic[] internalErrors = run.Diagnostics.Where(d => d.Id == "HG0900").ToArray();
        Assert.True(internalErrors.Length == 0, "HG0900 is a generator bug:\n" + string.Join("\n", internalErrors.Select(d => $"{d}\n{BodyAt(bodies, d.Location.SourceTree?.FilePath)}")));
        string dll = Path.Combine(_folder, "HybridGenFuzz.dll");
        EmitResult emitted = run.Output.WithAssemblyName("HybridGenFuzz").Emit(dll);
        Assert.True(emitted.Success, "the generated code does not compile:\n" + string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));

        // 3. Every twin compiles with libtorch, in the validator; only then is it recorded, so only then compiled here.
        Assembly assembly = new AssemblyLoadContext("hybridgen-fuzz").LoadFromAssemblyPath(dll);
        HybridTwinAttribute[] twins = assembly.GetCustomAttributes<HybridTwinAttribute>().OrderBy(t => t.Name, StringComparer.Ordinal).ToArray();
        Assert.True(twins.Length > 0, "no body got a twin");
        (string version, Dictionary<int, string?> results) = Validate(twins.Select(t => new TwinToValidate(t.Name, t.Source)).ToList());
        string[] rejected = Enumerable.Range(0, twins.Length).Where(k => results[k] is not null)
            .Select(k => $"{twins[k].Name}: {results[k]}\n--- body:\n{bodies[IndexOf(twins[k].Name)]}\n--- twin:\n{twins[k].Source}").ToArray();
        File.WriteAllText(ValidatedTwinsFile.PathFor(dll),
            ValidatedTwinsFile.Format(version, Enumerable.Range(0, twins.Length).Where(k => results[k] is null).Select(k => twins[k].Source)));
        Assert.True(rejected.Length == 0, $"{rejected.Length} of {twins.Length} twins do not compile with libtorch (HG0302 in a build):\n\n" + string.Join("\n\n", rejected));
        Assert.Equal(__version__, version);

        // 4. Eager and twin on a seeded input, the twin first: after a twin failure, eager must fail too, but eager is
        //    not run where the body multiplies matrices (TorchSharp's eager matmul ends the process on a shape
        //    error, docs/torchsharp.md).
        int compared = 0, bothFailed = 0, notRunEager = 0, eagerDisposed = 0;
        foreach (HybridTwinAttribute twin in twins)
        {
            int i = IndexOf(twin.Name);
            object function = LoweringEquivalenceTests.Function(assembly.GetType("Fuzz.C" + i, throwOnError: true)!, "M");
            string what = $"{twin.Name} (seed {FuzzBodies.Seed + i}):\n{bodies[i]}\n";
            List<object> Run(string path)
            {
                using var generator = new torch.Generator((ulong)(FuzzBodies.Seed + i));
                return LoweringEquivalenceTests.Flatten(LoweringEquivalenceTests.Call(function, path, new object[] { randn(Shape, generator: generator) }));
            }
            using DisposeScope scope = NewDisposeScope();
            try
            {
                Run("InvokeGraph");
            }
            catch (ExternalException twinError)
            {
                if (bodies[i].Contains("matmul")) { notRunEager++; continue; }
                Exception? eagerError = Record.Exception(() => Run("InvokeEager"));
                Assert.True(eagerError is not null, $"{what}the twin failed where eager did not: {twinError.Message}");
                bothFailed++;
                continue;
            }
            // A body whose own dispose scope frees the tensor it returns (`using var s = NewDisposeScope(); return 1.0 - x;`)
            // returns a dead tensor eager: the user's bug, nothing to compare the twin's live result with.
            if (Run("InvokeEager").Any(v => v is Tensor { IsInvalid: true }))
            {
                eagerDisposed++;
                continue;
            }
            try
            {
                EagerOracle.AssertAgree(what, () => Run("InvokeEager"), () => Run("InvokeGraph"));
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"{what}eager failed where the twin did not: {e}");
            }
            compared++;
        }
        _output.WriteLine($"{Bodies} bodies, {sources.Length} are C#, {twins.Length} twins, all validated; {compared} compared, {bothFailed} failed in both, {notRunEager} not run eager (matmul after a twin failure), {eagerDisposed} whose eager result its own dispose scope freed");
        // 111 of 116 were compared when this was written (the bodies are seeded, so the count changes only with the
        // generator): a floor at half of that catches a change that silently stops comparing.
        Assert.True(compared >= 55, $"only {compared} twins compared with eager; the fuzz test would mean little");
    }

    /// <summary>Compiles the twins in the validator with the TorchSharp of this test's output folder, restarting it
    /// after a twin that ended the process (as the build's ValidateTwins does): twin index → null or the error.</summary>
    private (string version, Dictionary<int, string?> results) Validate(IReadOnlyList<TwinToValidate> twins)
    {
        string file = Path.Combine(_folder, "twins.json");
        TwinValidatorProtocol.WriteTwins(file, twins);
        string validatorDll = RepoPaths.Of("artifacts", "validator", "HybridGen.TwinValidator.dll");
        Assert.True(File.Exists(validatorDll), $"{validatorDll} is not built (build/HybridGen.Repository.targets builds it with every test project)");
        string dotnet = DotnetHost.Find() ?? throw new InvalidOperationException("no dotnet to run the twin validator with");
        var validator = new ValidatorProcess(dotnet, validatorDll, AppContext.BaseDirectory, file, TimeSpan.FromSeconds(120));
        var results = new Dictionary<int, string?>();
        string? version = null;
        int first = 0;
        while (first < twins.Count)
        {
            ValidatorRun run = validator.Run(first);
            Assert.True(run.Fatal is null && run.TimedOut is null, $"the validator could not go on (fatal: {run.Fatal}; timed out at twin {run.TimedOut}):\n{run.StandardError}");
            version ??= run.LibTorchVersion;
            foreach (KeyValuePair<int, string?> result in run.Results) results[result.Key] = result.Value;
            if (run.Crashed is int crashed)
            {
                results[crashed] = run.CrashMessage; // libtorch aborted it on this twin; the rest go on in a new process
                first = crashed + 1;
                continue;
            }
            while (results.ContainsKey(first)) first++;
            Assert.True(first == twins.Count, $"the validator ended before twin {first} (exit {run.ExitCode}):\n{run.StandardError}");
        }
        Assert.True(version is not null, "the validator never said ready");
        return (version!, results);
    }

    /// <summary>"Fuzz.C12.M" → 12.</summary>
    private static int IndexOf(string twinName) => int.Parse(twinName.Split('.')[1].Substring(1), System.Globalization.CultureInfo.InvariantCulture);

    private static string BodyAt(string[] bodies, string? path) =>
        path is { } p && p.StartsWith("C", StringComparison.Ordinal) && int.TryParse(Path.GetFileNameWithoutExtension(p).Substring(1), out int i) ? bodies[i] : "";
}
