using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace HybridGen.Generator.Tests;

/// <summary>
/// The generator never throws: 2,000 eager bodies assembled at random from statement and expression fragments,
/// and the same fragments with a token deleted or duplicated, each must get a twin or a diagnostic (HybridGen's or,
/// for broken code, the compiler's) and never an exception or HG0900. Seeded, so a failure reproduces.
/// </summary>
public class FuzzTests
{
    private static readonly string[] Statements =
    {
        "var a = x.relu();", "var b = x * 2.0 + 1;", "System.Console.WriteLine(1);", "count++;", "last = x;",
        "if (x.sum().item<float>() > 0) return x;", "for (int i = 0; i < 3; i++) x = x + 1.0;", "while (count < 2) count++;",
        "try { x = x.tanh(); } catch { }", "x.add_(1.0);", "var r = new System.Random();", "yield return x;",
        "System.Func<Tensor> f = () => x;", "dynamic d = x;", "throw new System.Exception(\"a\" + count);",
        "x = Helper(x);", "x = M(x);", "var l = new System.Collections.Generic.List<Tensor>(); l.Add(x);",
        "foreach (var t in new[] { x }) { x = x + t; }", "using var s = torch.NewDisposeScope();", "x = x[0];",
        "var w = torch.nn.Linear(2, 2);", "double now = System.DateTime.Now.Ticks;", "x = x.masked_select(x > 0.0);",
        "long n = x.shape[0];", "var y = torch.zeros(3); y.mul_(2.0);", "switch (count) { case 1: x = -x; break; }",
        "x = Ping(x);", "string z = x.ToString();", "System.IO.File.WriteAllText(\"p\", \"q\");",
    };

    private static readonly string[] Expressions =
    {
        "x", "x.relu()", "x * 2.0 + 1", "Helper(x)", "-x", "torch.tanh(x) * x.sigmoid()", "x.sum()", "x.matmul(x)",
        "nn.functional.relu(x) / 3", "x.masked_fill(x > 0.0, 1.0)", "1.0 - x", "torch.zeros(2)", "x[0]", "M(x)",
    };

    private const string Members = """
        static int count;
        static Tensor? last;
        static Tensor Helper(Tensor t) => t.tanh();
        static Tensor Ping(Tensor t) => Pong(t);
        static Tensor Pong(Tensor t) => Ping(t);
        """;

    [Fact]
    public void TwoThousandBodiesGiveATwinOrADiagnosticAndNeverAnException()
    {
        var random = new Random(20261121);
        var bodies = new List<string>();
        while (bodies.Count < 1400)
        {
            int count = random.Next(0, 5);
            IEnumerable<string> statements = Enumerable.Range(0, count).Select(_ => Statements[random.Next(Statements.Length)]);
            bodies.Add(string.Join("\n", statements) + "\nreturn " + Expressions[random.Next(Expressions.Length)] + ";");
        }
        foreach (string fragment in Statements.Concat(Expressions.Select(e => "return " + e + ";")).ToArray())
        {
            bodies.Add(Mutate(fragment + "\nreturn x;", random, delete: true));
            bodies.Add(Mutate(fragment + "\nreturn x;", random, delete: false));
        }
        while (bodies.Count < 2000) bodies.Add(Mutate(bodies[random.Next(1400)], random, random.Next(2) == 0));

        for (int batch = 0; batch < bodies.Count; batch += 100)
        {
            var sources = new List<(string path, string text)>();
            for (int i = batch; i < Math.Min(batch + 100, bodies.Count); i++)
            {
                sources.Add(($"C{i}.cs", GeneratorHarness.Usings + $$"""
                    public static partial class C{{i}}
                    {
                        [Hybridize(nameof(E))]
                        public static partial Tensor M(Tensor x);
                        static Tensor E(Tensor x)
                        {
                            {{bodies[i]}}
                        }
                        {{Members}}
                    }
                    """));
            }
            GeneratorHarness.Run run = GeneratorHarness.Generate(GeneratorHarness.Compilation(sources.ToArray()));
            Assert.True(run.Result.Exception is null, $"batch {batch}: {run.Result.Exception}");
            Assert.DoesNotContain(run.Diagnostics, d => d.Id == "HG0900");
            Diagnostic[] compilerErrors = run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToArray();
            foreach ((string path, string text) in sources)
            {
                string name = path[..^3];
                bool twin = run.Result.GeneratedSources.Any(s => s.HintName.StartsWith(name + ".M.") && s.SourceText.ToString().Contains("HybridFunction"));
                bool diagnostic = run.Diagnostics.Any(d => d.Location.SourceTree?.FilePath == path && d.Id.StartsWith("HG"));
                bool broken = compilerErrors.Any(d => d.Location.SourceTree?.FilePath == path);
                Assert.True(twin || diagnostic || broken, $"{path}: neither a twin nor a diagnostic for:\n{text}");
            }
        }
    }

    private static string Mutate(string code, Random random, bool delete)
    {
        var tokens = SyntaxFactory.ParseTokens(code).Where(t => !t.IsKind(SyntaxKind.EndOfFileToken)).Select(t => t.ToFullString()).ToList();
        if (tokens.Count == 0) return code;
        int at = random.Next(tokens.Count);
        if (delete) tokens.RemoveAt(at);
        else tokens.Insert(at, tokens[at]);
        return string.Concat(tokens);
    }
}
