using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace HybridGen.Tests;

/// <summary>The fuzz tests' eager bodies: statements and an expression drawn at random from fragments (seeded, so a
/// failure reproduces), and fragments with a token deleted or duplicated. Tests/HybridGen.Generator.Tests/FuzzTests
/// feeds 2,000 of them to the generator; tests/HybridGen.EndToEnd.Tests/FuzzEquivalenceTests runs the twins of the
/// first 400 against their eager bodies.</summary>
internal static class FuzzBodies
{
    public const int Seed = 20261121;

    public const string Usings = "using HybridGen;\nusing TorchSharp;\nusing static TorchSharp.torch;\n";

    public static readonly string[] Statements =
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

    public static readonly string[] Expressions =
    {
        "x", "x.relu()", "x * 2.0 + 1", "Helper(x)", "-x", "torch.tanh(x) * x.sigmoid()", "x.sum()", "x.matmul(x)",
        "nn.functional.relu(x) / 3", "x.masked_fill(x > 0.0, 1.0)", "1.0 - x", "torch.zeros(2)", "x[0]", "M(x)",
    };

    public const string Members = """
        static int count;
        static Tensor? last;
        static Tensor Helper(Tensor t) => t.tanh();
        static Tensor Ping(Tensor t) => Pong(t);
        static Tensor Pong(Tensor t) => Ping(t);
        """;

    /// <summary>The next random body: 0 to 4 statements and a return (draws from <paramref name="random"/> in the
    /// order the generator's fuzz test always has, so its seeded bodies stay the same).</summary>
    public static string Next(Random random)
    {
        int count = random.Next(0, 5);
        IEnumerable<string> statements = Enumerable.Range(0, count).Select(_ => Statements[random.Next(Statements.Length)]);
        return string.Join("\n", statements) + "\nreturn " + Expressions[random.Next(Expressions.Length)] + ";";
    }

    public static string Mutate(string code, Random random, bool delete)
    {
        var tokens = SyntaxFactory.ParseTokens(code).Where(t => !t.IsKind(SyntaxKind.EndOfFileToken)).Select(t => t.ToFullString()).ToList();
        if (tokens.Count == 0) return code;
        int at = random.Next(tokens.Count);
        if (delete) tokens.RemoveAt(at);
        else tokens.Insert(at, tokens[at]);
        return string.Concat(tokens);
    }

    /// <summary>The file C{i}.cs: class C{i} (in <paramref name="ns"/>, if given) with M hybridized over E = the body.</summary>
    public static (string path, string text) File(int i, string body, string? ns = null) =>
        ($"C{i}.cs", Usings + (ns is null ? "" : $"namespace {ns};\n") + $$"""
            public static partial class C{{i}}
            {
                [Hybridize(nameof(E))]
                public static partial Tensor M(Tensor x);
                static Tensor E(Tensor x)
                {
                    {{body}}
                }
                {{Members}}
            }
            """);
}
