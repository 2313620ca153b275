using System;
using System.Collections.Immutable;
using System.Linq;
using HybridGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace HybridGen.Generator.Tests;

/// <summary>Runs the generator over source text with CSharpGeneratorDriver, as the compiler would.</summary>
internal static class GeneratorHarness
{
    private static readonly ImmutableArray<MetadataReference> s_references =
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(System.IO.Path.PathSeparator)
            .Where(p => p.EndsWith(".dll", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToImmutableArray();

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public const string Usings = "using HybridGen;\nusing TorchSharp;\nusing static TorchSharp.torch;\n";

    public static CSharpCompilation Compilation(params (string path, string text)[] sources) =>
        CSharpCompilation.Create("Tests",
            sources.Select(s => CSharpSyntaxTree.ParseText(s.text, ParseOptions, s.path)),
            s_references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static GeneratorDriver Driver() =>
        CSharpGeneratorDriver.Create(
            new[] { new HybridizeGenerator().AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public sealed record Run(GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics);

    public static Run Generate(CSharpCompilation compilation)
    {
        GeneratorDriver driver = Driver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out var diagnostics);
        GeneratorRunResult result = driver.GetRunResult().Results.Single();
        // HYBRIDGEN_DUMP_GENERATED=dir writes every generated file of every test compilation there, named by a hash of
        // the compilation's sources: run the tests before and after a lowering change and diff the two folders (how
        // the graph IR was proven to leave every twin byte-identical).
        if (Environment.GetEnvironmentVariable("HYBRIDGEN_DUMP_GENERATED") is { Length: > 0 } dump)
        {
            string key = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join("\n", compilation.SyntaxTrees.Select(t => t.ToString()))))).Substring(0, 16);
            System.IO.Directory.CreateDirectory(dump);
            foreach (var s in result.GeneratedSources) System.IO.File.WriteAllText(System.IO.Path.Combine(dump, key + "." + s.HintName), s.SourceText.ToString());
        }
        return new Run(result, output, diagnostics);
    }

    /// <summary>The analyzers' diagnostics (HG0203) over the compilation the generator produced.</summary>
    public static ImmutableArray<Diagnostic> Analyze(Run run) =>
        run.Output.WithAnalyzers(ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(new Analysis.RedundantHybridizationAnalyzer()))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    /// <summary>The same, with every exception an analyzer throws added to <paramref name="exceptions"/> (by default
    /// one becomes an AD0001 diagnostic that nothing asserts on).</summary>
    public static ImmutableArray<Diagnostic> Analyze(Run run, System.Collections.Generic.ICollection<Exception> exceptions) =>
        run.Output.WithAnalyzers(
                ImmutableArray.Create<DiagnosticAnalyzer>(new Analysis.RedundantHybridizationAnalyzer()),
                new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
                    (exception, _, _) => { lock (exceptions) exceptions.Add(exception); },
                    concurrentAnalysis: true, logAnalyzerExecutionTime: false))
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    /// <summary>One file holding <paramref name="members"/> in a partial class C.</summary>
    public static Run GenerateClass(string members, string path = "C.cs") =>
        Generate(Compilation((path, Usings + "public static partial class C\n{\n" + members + "\n}\n")));
}
