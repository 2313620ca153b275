using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using HybridGen.Generator;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

// Times HybridGen's generator over N hybridized methods (default 500) spread over N/10 files: a mix of methods that
// get a twin, that call helpers, and that trip rules. Prints the first full run (analysis, lowering, emission) and
// an incremental rerun after an edit to an unrelated file, each the median of several runs.
// Usage: HybridGen.Samples.GeneratorBenchmark [methods] [runs]
int methods = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 500;
int runs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 7;

string[] bodies =
{
    "=> nn.functional.relu(x.matmul(w) + b).matmul(w) + b;",
    "=> (x * scale).sigmoid() * x.tanh() + (1.0 - x.sigmoid()) * x;",
    "=> Helper(x) * w;",
    "{ System.Console.WriteLine(1); return x.relu(); }",
    "{ calls++; return x + b; }",
    "{ if (x.sum().item<float>() > 0) return x; return -x; }",
};
var trees = new List<SyntaxTree>();
var parse = new CSharpParseOptions(LanguageVersion.Latest);
for (int file = 0; file < methods / 10; file++)
{
    var text = new System.Text.StringBuilder("using HybridGen;\nusing TorchSharp;\nusing static TorchSharp.torch;\n");
    text.Append($"public static partial class Block{file}\n{{\n    static int calls;\n    static Tensor Helper(Tensor t) => t.tanh() * 2.0;\n");
    for (int m = 0; m < 10; m++)
    {
        string body = bodies[(file * 10 + m) % bodies.Length];
        text.Append($"    [Hybridize(nameof(E{m}))]\n    public static partial Tensor M{m}(Tensor x, Tensor w, Tensor b, double scale);\n");
        text.Append($"    static Tensor E{m}(Tensor x, Tensor w, Tensor b, double scale) {body}\n");
    }
    text.Append("}\n");
    trees.Add(CSharpSyntaxTree.ParseText(text.ToString(), parse, $"Block{file}.cs"));
}
trees.Add(CSharpSyntaxTree.ParseText("public class Unrelated { }", parse, "Unrelated.cs"));
var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(System.IO.Path.PathSeparator)
    .Select(p => MetadataReference.CreateFromFile(p));
CSharpCompilation compilation = CSharpCompilation.Create("Bench", trees, references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
compilation.GetDiagnostics(); // bind once, as the compiler has before generators run

var full = new List<double>();
var incremental = new List<double>();
int twins = 0, diagnostics = 0;
for (int r = 0; r < runs; r++)
{
    GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new HybridizeGenerator().AsSourceGenerator() }, parseOptions: parse);
    CSharpCompilation fresh = compilation.Clone(); // a new compilation: no summaries cached from the last run
    var timer = Stopwatch.StartNew();
    driver = driver.RunGenerators(fresh);
    full.Add(timer.Elapsed.TotalMilliseconds);
    GeneratorRunResult result = driver.GetRunResult().Results[0];
    twins = result.GeneratedSources.Count(s => s.SourceText.ToString().Contains("HybridFunction"));
    diagnostics = result.Diagnostics.Length;

    SyntaxTree unrelated = fresh.SyntaxTrees.Last();
    CSharpCompilation edited = fresh.ReplaceSyntaxTree(unrelated, CSharpSyntaxTree.ParseText("public class Unrelated { int f; }", parse, "Unrelated.cs"));
    timer.Restart();
    driver.RunGenerators(edited);
    incremental.Add(timer.Elapsed.TotalMilliseconds);
}

// For scale: what binding every method body of the same compilation costs the compiler itself (the generator's
// analysis binds the hybridized bodies again in a fresh compilation; the compiler shares that work in a real build).
var binding = new List<double>();
for (int r = 0; r < runs; r++)
{
    var timer = Stopwatch.StartNew();
    compilation.Clone().GetDiagnostics();
    binding.Add(timer.Elapsed.TotalMilliseconds);
}

double Median(List<double> v) { var s = v.OrderBy(x => x).ToArray(); return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2; }
Console.WriteLine($"HybridGen generator over {methods} hybridized methods in {methods / 10} files ({twins} twins, {diagnostics} diagnostics), median of {runs} runs:");
Console.WriteLine($"  first run (analysis, lowering, emission): {Median(full):F0} ms   (first of all runs, JIT included: {full[0]:F0} ms)");
Console.WriteLine($"  rerun after editing an unrelated file:    {Median(incremental):F0} ms");
Console.WriteLine($"  for scale, binding the whole compilation: {Median(binding):F0} ms");
