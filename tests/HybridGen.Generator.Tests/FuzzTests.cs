using System;
using System.Collections.Generic;
using System.Linq;
using HybridGen.Tests;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Tests;

/// <summary>
/// The generator never throws and never fails: 2,000 eager bodies (tests/FuzzBodies.cs), each gets a twin or a
/// diagnostic (HybridGen's or, for broken code, the compiler's); HG0900, an internal error, is a failure, not a
/// diagnostic; the code generated for a body that compiles compiles too; the HG0203 analyzer never throws on them.
/// Seeded, so a failure reproduces. (FuzzEquivalenceTests in the EndToEnd tests runs the twins of the first 400.)
/// </summary>
public class FuzzTests
{
    [Fact]
    public void TwoThousandBodiesGiveATwinOrADiagnosticAndNeverAnException()
    {
        var random = new Random(FuzzBodies.Seed);
        var bodies = new List<string>();
        while (bodies.Count < 1400) bodies.Add(FuzzBodies.Next(random));
        foreach (string fragment in FuzzBodies.Statements.Concat(FuzzBodies.Expressions.Select(e => "return " + e + ";")).ToArray())
        {
            bodies.Add(FuzzBodies.Mutate(fragment + "\nreturn x;", random, delete: true));
            bodies.Add(FuzzBodies.Mutate(fragment + "\nreturn x;", random, delete: false));
        }
        while (bodies.Count < 2000) bodies.Add(FuzzBodies.Mutate(bodies[random.Next(1400)], random, random.Next(2) == 0));

        int twins = 0;
        for (int batch = 0; batch < bodies.Count; batch += 100)
        {
            (string path, string text)[] sources = Enumerable.Range(batch, Math.Min(100, bodies.Count - batch)).Select(i => FuzzBodies.File(i, bodies[i])).ToArray();
            GeneratorHarness.Run run = GeneratorHarness.Generate(GeneratorHarness.Compilation(sources));
            Assert.True(run.Result.Exception is null, $"batch {batch}: {run.Result.Exception}");
            Diagnostic[] internalErrors = run.Diagnostics.Where(d => d.Id == "HG0900").ToArray();
            Assert.True(internalErrors.Length == 0, "HG0900 is a generator bug, never an answer:\n" + string.Join("\n\n",
                internalErrors.Select(d => $"{d}\n{sources.FirstOrDefault(s => s.path == d.Location.SourceTree?.FilePath).text}")));
            var generated = run.Result.GeneratedSources.Select(s => s.SyntaxTree).ToHashSet();
            Diagnostic[] compilerErrors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            foreach ((string path, string text) in sources)
            {
                string name = path[..^3];
                bool twin = run.Result.GeneratedSources.Any(s => s.HintName.StartsWith(name + ".M.") && s.SourceText.ToString().Contains("HybridFunction"));
                bool diagnostic = run.Diagnostics.Any(d => d.Location.SourceTree?.FilePath == path && d.Id.StartsWith("HG"));
                bool broken = compilerErrors.Any(d => d.Location.SourceTree?.FilePath == path);
                Assert.True(twin || diagnostic || broken, $"{path}: neither a twin nor a diagnostic for:\n{text}");
                if (broken) continue;
                // The code generated for a body that compiles compiles too.
                Diagnostic[] inGenerated = compilerErrors.Where(d => d.Location.SourceTree is { } t && generated.Contains(t)
                    && System.IO.Path.GetFileName(t.FilePath).StartsWith(name + ".M.", StringComparison.Ordinal)).ToArray();
                Assert.True(inGenerated.Length == 0, $"{path}: the generated code does not compile ({string.Join("; ", inGenerated.Select(d => d.ToString()))}) for:\n{text}");
            }
            // Each twin's graph IR, as the generated code carries it, prints the TorchScript it carries.
            twins += GraphIrTests.AssertGraphPrintsTheTwin(run);
            // The HG0203 analyzer over the same code (broken code included) never throws.
            var exceptions = new List<Exception>();
            GeneratorHarness.Analyze(run, exceptions);
            Assert.True(exceptions.Count == 0, $"batch {batch}: the HG0203 analyzer threw: {exceptions.FirstOrDefault()}");
        }
        Assert.True(twins >= 500, $"only {twins} twins among the bodies");
    }
}
