using Microsoft.CodeAnalysis;
using System.Linq;

namespace HybridGen.Generator.Tests;

/// <summary>How particular constructs are spelled in a twin (their behaviour is checked end to end, eager vs graph,
/// in HybridGen.EndToEnd.Tests).</summary>
public class LoweringTests
{
    private static string Twin(string members, bool instance = false)
    {
        GeneratorHarness.Run run = instance
            ? GeneratorHarness.Generate(GeneratorHarness.Compilation(("C.cs", GeneratorHarness.Usings + "public partial class C\n{\n" + members + "\n}\n")))
            : GeneratorHarness.GenerateClass(members);
        Assert.DoesNotContain(run.Diagnostics, d => d.Id is "HG0301" or "HG0900");
        return run.Result.GeneratedSources.Single().SourceText.ToString();
    }

    [Fact]
    public void SlicePartsOmittedOrNullAreLeftOutOfTheSubscript()
    {
        // TorchSharp's SequenceToSequence example, and the other TensorIndex forms: never a `None` step, which
        // libtorch's TorchScript rejects (aten::slice's step is an int).
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor pe, Tensor t, long i);
            static Tensor E(Tensor pe, Tensor t, long i) =>
                t + pe[TensorIndex.Slice(null, t.shape[0]), TensorIndex.Slice()] + pe[TensorIndex.Slice(1)] + pe[TensorIndex.Slice(step: 2)]
                + pe[TensorIndex.Slice(-3, -1, null)] + pe[TensorIndex.Single(i), TensorIndex.Null] + pe[TensorIndex.Single(null)] + pe.index(TensorIndex.Slice(1..3));
            """);
        Assert.Contains("pe[:t.shape[0], :]", twin);
        Assert.Contains("pe[1:]", twin);
        Assert.Contains("pe[::2]", twin);
        Assert.Contains("pe[-3:-1]", twin);
        Assert.Contains("pe[i, None]", twin);
        Assert.Contains("pe[0]", twin);
        Assert.Contains("pe[1:3]", twin);
        Assert.DoesNotContain(":None", twin);
    }

    [Theory]
    [InlineData("System.Math.Round(a, 2)")]
    [InlineData("System.Math.Round(a, System.MidpointRounding.AwayFromZero)")]
    [InlineData("System.Math.Log(a, 2.0)")]
    public void MathOverloadsWithAnotherMeaningAreHG0301NotTheOneArgumentForm(string call)
    {
        var run = GeneratorHarness.GenerateClass($$"""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, double a);
            static Tensor E(Tensor x, double a) => x * {{call}};
            """);
        Assert.Contains(run.Diagnostics, d => d.Id == "HG0301");
    }

    [Fact]
    public void RoundTruncateSignAndClampOfScalarsAreLowered()
    {
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, double a, int n);
            static Tensor E(Tensor x, double a, int n) => x * System.Math.Round(a) + System.Math.Truncate(a) + System.Math.Sign(n) + System.Math.Clamp(n, -2, 3);
            """);
        Assert.Contains("round(a)", twin);
        Assert.Contains("float(int(a))", twin);
        Assert.Contains("(1 if n > 0 else (-1 if n < 0 else 0))", twin);
        Assert.Contains("(-2 if n < -2 else (3 if n > 3 else n))", twin);
    }

    [Theory]
    [InlineData("x[TensorIndex.Slice(0, 4, step)]", "long? step")]
    [InlineData("x[idx]", "TensorIndex[] idx")]
    [InlineData("x[TensorIndex.Bool(true)]", "long unused")]
    public void IndexFormsWithoutAGraphSpellingAreHG0301(string index, string parameter)
    {
        var run = GeneratorHarness.GenerateClass($$"""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, {{parameter}});
            static Tensor E(Tensor x, {{parameter}}) => {{index}};
            """);
        Assert.Contains(run.Diagnostics, d => d.Id is "HG0301" or "HG0003");
        Assert.DoesNotContain(run.Diagnostics, d => d.Id == "HG0900");
    }

    [Fact]
    public void IntegerDivisionAndRemainderKeepCSharpsMeaning()
    {
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, int a, int b);
            static Tensor E(Tensor x, int a, int b) => x * (a / b) + (a % b) + (double)a / b;
            """);
        Assert.Contains("def __hg_idiv(a: int, b: int) -> int:", twin);
        Assert.Contains("__hg_idiv(a, b)", twin);
        Assert.Contains("__hg_irem(a, b)", twin);
        Assert.Contains("(float(a) / float(b))", twin);
    }

    [Fact]
    public void AForWhoseBoundTheBodyChangesIsNotARange()
    {
        string changing = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, int n);
            static Tensor E(Tensor x, int n) { for (int i = 0; i < n; i++) { x = x + 1; n = n - 1; } return x; }
            """);
        Assert.DoesNotContain("in range(", changing);
        Assert.Contains("while (i < n):", changing);
        string fixedBound = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, int n);
            static Tensor E(Tensor x, int n) { for (int i = 0; i < n; i++) { x = x + 1; } return x; }
            """);
        Assert.Contains("for i in range(0, n, 1):", fixedBound);
    }

    /// <summary>A module Net with one submodule field and a hybridized forward returning <paramref name="body"/>.</summary>
    private static GeneratorHarness.Run Model(string field, string body) =>
        GeneratorHarness.Generate(GeneratorHarness.Compilation(("Net.cs", GeneratorHarness.Usings + $$"""
            public sealed partial class Net : nn.Module<Tensor, Tensor>
            {
                {{field}}
                public Net() : base("Net") => RegisterComponents();
                [Hybridize(nameof(ForwardEager))] public override partial Tensor forward(Tensor x);
                private Tensor ForwardEager(Tensor x) => {{body}};
            }
            """)));

    [Fact]
    public void ASubmoduleCallIsSpelledWithItsStateAsGraphInputs()
    {
        GeneratorHarness.Run run = Model("private readonly TorchSharp.Modules.Linear fc = nn.Linear(4, 2);", "fc.forward(x).relu()");
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        string twin = run.Result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("torch.linear(x, __in_fc_weight, __in_fc_bias)", twin);
        Assert.Contains("__in_fc_bias: Optional[Tensor]", twin);
        Assert.Contains("global::HybridGen.Twins.TwinValue.Optional(a.Item1.fc.bias)", twin);
        Assert.Contains("public override partial global::TorchSharp.torch.Tensor forward(", twin);
    }

    [Fact]
    public void AFieldTypedModuleIsBuiltForWhatItIsAssignedAndCheckedBeforeEachCall()
    {
        GeneratorHarness.Run run = Model("private readonly nn.Module<Tensor, Tensor> conv = nn.Conv2d(3, 4, 3, padding: 1);", "conv.forward(x)");
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        string code = run.Result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("__hg_convolution(x, 2, __in_conv_weight", code);
        Assert.Contains("global::HybridGen.ModuleTree.Kind(a.Item1.conv, typeof(global::TorchSharp.Modules.Conv2d), \"conv\")", code);
        Assert.Contains("((global::TorchSharp.Modules.Conv2d)a.Item1.conv).weight", code);
    }

    [Theory]
    [InlineData("private readonly nn.Module<Tensor, Tensor> seq = nn.Sequential(new System.Collections.Generic.List<nn.Module<Tensor, Tensor>> { nn.ReLU() });")]
    [InlineData("private readonly TorchSharp.Modules.Sequential seq = nn.Sequential(); public void Grow() => seq.append(nn.ReLU());")]
    [InlineData("private nn.Module<Tensor, Tensor> seq = nn.ReLU(); public void Swap() => seq = nn.Tanh();")]
    [InlineData("private readonly nn.Module<Tensor, Tensor> seq = nn.GRU(4, 4).AsModule();")]
    public void AModuleTreeTheBuildCannotSeeIsAPieceTheRuntimeComposes(string field)
    {
        GeneratorHarness.Run run = Model(field.Replace(".AsModule()", " as nn.Module<Tensor, Tensor>"), "seq.forward(x).relu()");
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        string code = run.Result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("global::HybridGen.Composition.ComposedFunction<", code);
        Assert.Contains("(submodule 0 \\\"seq\\\" 0 [ (name \\\"x\\\")])", code); // the hole, its result not written in place
        Assert.Contains("m[0] = a.Item1.seq;", code);
        Assert.DoesNotContain("HybridTwin(", code);                          // no TorchScript to validate at build time
    }

    [Theory]
    [InlineData("private readonly nn.Module<Tensor, Tensor> seq = nn.Sequential(new System.Collections.Generic.List<nn.Module<Tensor, Tensor>> { nn.ReLU() }); private Tensor Apply(Tensor x) => seq.forward(x);",
        "is built from a collection")]
    [InlineData("private nn.Module<Tensor, Tensor> seq = nn.ReLU(); public void Swap() => seq = nn.Tanh(); private Tensor Apply(Tensor x) => seq.forward(x);",
        "'seq' is assigned in 2 places")]
    public void AModuleTreeTheBuildCannotSeeIsHG0108WithTheReasonOutsideTheForwardsOwnBody(string field, string reason)
    {
        GeneratorHarness.Run run = Model(field, "Apply(x)");
        Diagnostic diagnostic = Assert.Single(run.Diagnostics, d => d.Id == "HG0108");
        Assert.Contains(reason, diagnostic.GetMessage());
    }

    [Fact]
    public void AConstructorChoiceBesideARunTimeSubmoduleGivesAPiecePerTreeThatCompiles()
    {
        GeneratorHarness.Run run = Model(
            "private readonly nn.Module<Tensor, Tensor> seq = nn.Sequential(new System.Collections.Generic.List<nn.Module<Tensor, Tensor>> { nn.ReLU() }); "
            + "private readonly nn.Module<Tensor, Tensor> shortcut = Flag ? nn.Sequential(nn.Linear(4, 4), nn.ReLU()) : nn.Sequential(); static bool Flag = true;",
            "seq.forward(x) + shortcut.forward(x)");
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Empty(run.Output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        string code = run.Result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("ComposedFunction<(Net, global::TorchSharp.torch.Tensor), global::TorchSharp.torch.Tensor> __hybrid_forward_tree1", code);
        Assert.Contains("__hybrid_forward_tree1.TryInvoke(", code);
        Assert.Contains("(call \\\"torch.alias\\\" [ (name \\\"x\\\")])", code);       // the empty Sequential's piece
        Assert.Contains("(module \\\"Linear\\\" \\\"torch.linear\\\"", code);           // the other tree's
    }

    [Theory]
    [InlineData("seq.forward(x).add_(1.0)", 1)]
    [InlineData("seq.forward(x).add(1.0)", 0)]
    public void AResultWrittenInPlaceAsksTheLiveModuleToAllocate(string body, int mustAllocate)
    {
        GeneratorHarness.Run run = Model("private readonly nn.Module<Tensor, Tensor> seq = nn.Sequential(new System.Collections.Generic.List<nn.Module<Tensor, Tensor>> { nn.ReLU() });", body);
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Contains($"(submodule 0 \\\"seq\\\" {mustAllocate} ", run.Result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void AConstructorChoiceGivesOneTwinPerTree()
    {
        GeneratorHarness.Run run = Model("private readonly nn.Module<Tensor, Tensor> shortcut = Flag ? nn.Sequential(nn.Linear(4, 4), nn.ReLU()) : nn.Sequential(); static bool Flag = true;",
            "shortcut.forward(x)");
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        string code = run.Result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("__hybrid_forward_tree1.TryInvoke(", code);
        Assert.Contains("[module tree 2]", code);
        Assert.Contains("torch.alias(x)", code);                 // the empty Sequential
        Assert.Contains("torch.linear(x, ", code);               // the other tree
    }

    [Fact]
    public void AUserSubmodulesPrivateFieldsAreReadThroughUnsafeAccessors()
    {
        GeneratorHarness.Run run = GeneratorHarness.Generate(GeneratorHarness.Compilation(("Net.cs", GeneratorHarness.Usings + """
            public sealed class Block : nn.Module<Tensor, Tensor>
            {
                private readonly TorchSharp.Modules.Linear fc = nn.Linear(4, 4);
                private readonly bool residual = true;
                public Block() : base("Block") => RegisterComponents();
                public override Tensor forward(Tensor x) => residual ? fc.forward(x) + x : fc.forward(x);
            }
            public sealed partial class Net : nn.Module<Tensor, Tensor>
            {
                private readonly Block first = new Block(), second = new Block();
                public Net() : base("Net") => RegisterComponents();
                [Hybridize(nameof(ForwardEager))] public override partial Tensor forward(Tensor x);
                private Tensor ForwardEager(Tensor x) => second.forward(first.forward(x));
            }
            """)));
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        string code = run.Result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("UnsafeAccessorKind.Field, Name = \"fc\")] private static extern ref global::TorchSharp.Modules.Linear __hg_access_Block_fc_", code);
        Assert.Contains("def __hg_module_Block_forward(x: Tensor, __st_fc_weight: Tensor, __st_fc_bias: Optional[Tensor], __st_residual: bool)", code);
        Assert.Contains("__in_first_fc_weight", code);
        Assert.Contains("__in_second_fc_weight", code);
    }

    [Fact]
    public void AChainOfModulesWritesEachInputOnce()
    {
        // ReLU(inplace) is a function call, not `relu_(x) if inplace else relu(x)`: that would repeat the chain so
        // far in both branches, doubling the twin's text at each module (2^12 copies here).
        string twelve = string.Join(", ", Enumerable.Repeat("nn.ReLU()", 12));
        GeneratorHarness.Run run = Model($"private readonly TorchSharp.Modules.Sequential seq = nn.Sequential({twelve});", "seq.forward(x)");
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        string code = run.Result.GeneratedSources.Single().SourceText.ToString();
        int calls = System.Text.RegularExpressions.Regex.Matches(code, "__hg_relu\\(").Count;
        // The twin is written twice (attribute, dispatcher) and its graph text names each module's spelling once.
        Assert.InRange(calls, 12, 3 * 13);
    }

    [Fact]
    public void AFieldOfAUserModuleTypeThatIsNotSealedIsCheckedBeforeEachCall()
    {
        // A subclass could override forward: the twin is for Block's, so the exact type is confirmed per call.
        GeneratorHarness.Run run = GeneratorHarness.Generate(GeneratorHarness.Compilation(("Net.cs", GeneratorHarness.Usings + """
            public class Block : nn.Module<Tensor, Tensor>
            {
                public Block() : base("Block") { }
                public override Tensor forward(Tensor x) => x.relu();
            }
            public sealed partial class Net : nn.Module<Tensor, Tensor>
            {
                private readonly Block block = new Block();
                public Net() : base("Net") => RegisterComponents();
                [Hybridize(nameof(ForwardEager))] public override partial Tensor forward(Tensor x);
                private Tensor ForwardEager(Tensor x) => block.forward(x);
            }
            """)));
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        Assert.Contains("global::HybridGen.ModuleTree.Kind(a.Item1.block, typeof(global::Block), \"block\")", run.Result.GeneratedSources.Single().SourceText.ToString());
    }

    [Theory]
    [InlineData("fc.forward(x).relu_()", false)]                 // Linear allocates: its result is the body's own
    [InlineData("id.forward(x).relu_()", true)]                  // Identity aliases the caller's x
    [InlineData("id.forward(x * 2).relu_()", false)]             // ... of the body's own tensor: fine
    public void InPlaceOnASubmodulesResultIsFineWhereTheResultIsTheBodysOwn(string body, bool hg0110)
    {
        GeneratorHarness.Run run = Model("private readonly TorchSharp.Modules.Linear fc = nn.Linear(4, 4); private readonly TorchSharp.Modules.Identity id = nn.Identity();", body);
        Assert.Equal(hg0110, run.Diagnostics.Any(d => d.Id == "HG0110"));
    }

    [Theory]
    [InlineData("var y = x; if (x.shape[0] > 1) y = x * 2; y.add_(1); return y;", true)]          // an input on one path
    [InlineData("var y = x * 3; if (x.shape[0] > 1) y = x * 2; y.add_(1); return y;", false)]     // its own on both
    [InlineData("var y = x * 3; if (x.shape[0] > 1) y = x * 2; else y = x; y.add_(1); return y;", true)]
    [InlineData("var y = x * 3; for (int i = 0; i < 2; i++) y = x; y.add_(1); return y;", true)]   // the loop may run
    [InlineData("var y = x * 3; switch (x.shape[0]) { case 1: y = x; break; default: y = x * 2; break; } y.add_(1); return y;", true)]
    // A later iteration starts where the earlier one left the local: an input put in it at the end of the body is
    // written in place at the top of the next.
    [InlineData("var y = x * 3; for (int i = 0; i < 2; i++) { y.add_(1); y = x; } return y * 1;", true)]
    [InlineData("var y = x * 3; for (int i = 0; i < 2; i++) { y.add_(1); y = x * 2; } return y;", false)]
    [InlineData("var y = x * 3; var z = x * 4; int i = 0; while (i < 3) { y.mul_(2); y = z; z = x; i++; } return y * 1;", true)]   // two iterations on
    [InlineData("var y = x * 3; foreach (var t in new[] { x, x }) { y.sub_(1); y = t; } return y * 1;", true)]
    [InlineData("var y = x * 3; foreach (var t in new[] { x, x }) { y.sub_(1); y = t * 1; } return y;", false)]
    public void InPlaceAfterABranchNeedsTheLocalToBeTheBodysOwnOnEveryPath(string body, bool hg0110)
    {
        GeneratorHarness.Run run = GeneratorHarness.GenerateClass($$"""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x);
            static Tensor E(Tensor x) { {{body}} }
            """);
        Assert.Equal(hg0110, run.Diagnostics.Any(d => d.Id == "HG0110"));
    }

    [Theory]
    [InlineData("x.relu()", false)]                                 // a tensor the block's forward creates
    [InlineData("{ using var y = x * 2; return drop.forward(y); }", false)] // PositionalEncoding's dropout of its own sum
    [InlineData("x", true)]                                        // the caller's own input back
    [InlineData("drop.forward(x)", true)]                          // in eval, dropout gives back its input
    [InlineData("{ var y = x * 2; if (x.shape[0] > 1) y = x; return y; }", true)]  // reassigned under a condition
    [InlineData("{ var y = x * 2; var z = x; (y, z) = (z, y); return y; }", true)] // reassigned by a deconstruction
    [InlineData("torch.abs_(x)", true)]                            // a static in-place op returns what it wrote
    [InlineData("{ var y = x; if (x.shape[0] > 1) y = x * 2; var z = y.view(-1); return z; }", true)] // through another local
    [InlineData("{ var y = x * 2; y = y.relu(); return y; }", false)]                          // straight-line reassignment
    public void InPlaceOnAUserBlocksResultIsFineWhereItsForwardReturnsOnlyTensorsItCreated(string blockBody, bool hg0110)
    {
        string body = blockBody.StartsWith("{", System.StringComparison.Ordinal) ? blockBody : "=> " + blockBody + ";";
        GeneratorHarness.Run run = GeneratorHarness.Generate(GeneratorHarness.Compilation(("Net.cs", GeneratorHarness.Usings + $$"""
            public sealed class Block : nn.Module<Tensor, Tensor>
            {
                private readonly TorchSharp.Modules.Dropout drop = nn.Dropout(0.1);
                public Block() : base("Block") => RegisterComponents();
                public override Tensor forward(Tensor x) {{body}}
            }
            public sealed partial class Net : nn.Module<Tensor, Tensor>
            {
                private readonly Block block = new Block();
                public Net() : base("Net") => RegisterComponents();
                [Hybridize(nameof(ForwardEager))] public override partial Tensor forward(Tensor x);
                private Tensor ForwardEager(Tensor x) => block.forward(x).relu_();
            }
            """)));
        Assert.Equal(hg0110, run.Diagnostics.Any(d => d.Id == "HG0110"));
    }

    [Theory]
    [InlineData("private readonly TorchSharp.Modules.TransformerEncoder enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2), 2);", "enc.call(x, x)",
        "(submodule 0 \\\"enc\\\" 0 [ (name \\\"x\\\") (name \\\"x\\\")])")]
    [InlineData("private readonly TorchSharp.Modules.TransformerEncoderLayer layer = nn.TransformerEncoderLayer(8, 2);", "layer.call(x, x, x).relu_()",
        "(submodule 0 \\\"layer\\\" 1 [ (name \\\"x\\\") (name \\\"x\\\") (name \\\"x\\\")])")]
    [InlineData("private readonly TorchSharp.Modules.GRU gru = nn.GRU(4, 4);", "gru.call(x).Item1",
        "(submodule 0 \\\"gru\\\" 0 [ (name \\\"x\\\") (lit \\\"None\\\")])")]
    [InlineData("private readonly TorchSharp.Modules.RNN rnn = nn.RNN(4, 4);", "rnn.call(x, null).Item2",
        "(submodule 0 \\\"rnn\\\" 0 [ (name \\\"x\\\") (lit \\\"None\\\")])")]
    [InlineData("private readonly TorchSharp.Modules.LSTM lstm = nn.LSTM(4, 4);", "lstm.call(x, (x, x)).Item2",
        "(submodule 0 \\\"lstm\\\" 0 [ (name \\\"x\\\") (tuple [ (name \\\"x\\\") (name \\\"x\\\")] 1)])")]
    [InlineData("private readonly TorchSharp.Modules.MultiheadAttention mha = nn.MultiheadAttention(4, 2);", "mha.call(x, x, x).Item1",
        "(submodule 0 \\\"mha\\\" 0 [ (name \\\"x\\\") (name \\\"x\\\") (name \\\"x\\\") (lit \\\"None\\\") (lit \\\"True\\\") (lit \\\"None\\\")])")]
    public void ANativeTransformerIsAHoleWithItsInputsThatTheRuntimeComposes(string field, string body, string hole)
    {
        // Their heads, activation and dropout live in libtorch's options (a GRU's and an LSTM's dropout too): only the
        // live module shows them (an RNN's nonlinearity too). A GRU's, an LSTM's and an RNN's results are tuples.
        GeneratorHarness.Run run = Model(field, body);
        Assert.DoesNotContain(run.Diagnostics, d => d.Severity >= DiagnosticSeverity.Warning);
        string code = run.Result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("global::HybridGen.Composition.ComposedFunction<", code);
        Assert.Contains(hole, code);
    }

    [Theory]
    [InlineData("private readonly TorchSharp.Modules.Linear fc = nn.Linear(4, 4); private int calls;", "{ calls++; return fc.forward(x); }")]
    [InlineData("private readonly TorchSharp.Modules.Linear fc = nn.Linear(4, 4);", "{ fc.bias = null; return fc.forward(x); }")]
    public void WritingAFieldOrASubmodulesStateIsHG0102(string field, string body)
    {
        GeneratorHarness.Run run = GeneratorHarness.Generate(GeneratorHarness.Compilation(("Net.cs", GeneratorHarness.Usings + $$"""
            public sealed partial class Net : nn.Module<Tensor, Tensor>
            {
                {{field}}
                public Net() : base("Net") => RegisterComponents();
                [Hybridize(nameof(ForwardEager))] public override partial Tensor forward(Tensor x);
                private Tensor ForwardEager(Tensor x) {{body}}
            }
            """)));
        Assert.Contains(run.Diagnostics, d => d.Id == "HG0102");
    }

    [Fact]
    public void ASubmoduleTheCatalogDoesNotKnowIsHG0108()
    {
        GeneratorHarness.Run run = Model("private readonly TorchSharp.Modules.PixelShuffle shuffle = nn.PixelShuffle(2);", "shuffle.forward(x)");
        Assert.Contains(run.Diagnostics, d => d.Id == "HG0108");
        Assert.DoesNotContain("HybridFunction", run.Result.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void TwoMembersWithLookAlikeNamesGetTwoInputs()
    {
        string twin = Twin("""
            private double _scale = 2.0;
            public double scale { get; set; } = 3.0;
            [Hybridize(nameof(E))] public partial Tensor M(Tensor x);
            Tensor E(Tensor x) => x * _scale + x * scale;
            """, instance: true);
        Assert.Contains("__in_scale: float", twin);
        Assert.Contains("__in_scale_2: float", twin);
        Assert.Contains("a.Item1._scale", twin);
        Assert.Contains("a.Item1.scale", twin);
    }

    [Fact]
    public void ReusedNamesInSiblingBlocksGetNamesOfTheirOwn()
    {
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, bool f);
            static Tensor E(Tensor x, bool f)
            {
                if (f) { var t = x * 2.0; x = t; }
                else { var t = 3; x = x + t; }
                return x;
            }
            """);
        Assert.Contains("t = torch.mul(x, 2.0)", twin);
        Assert.Contains("t_1 = 3", twin);
    }

    [Fact]
    public void ACountingForIsARangeAndOtherForsAWhileWithTheStepBeforeContinue()
    {
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x, int n);
            static Tensor E(Tensor x, int n)
            {
                for (int i = 0; i < n; i++) x = x + i;
                for (int j = 1; j < n; j *= 2) { if (j == 4) continue; x = x * j; }
                return x;
            }
            """);
        Assert.Contains("for i in range(0, n, 1):", twin);
        Assert.Contains("while (j < n):", twin);
        string[] lines = twin.Split('\n').Select(l => l.Trim()).ToArray();
        int @continue = System.Array.FindIndex(lines, l => l.StartsWith("\"            continue"));
        Assert.Contains("j = (j * 2)", lines[@continue - 1]);
    }

    [Fact]
    public void FieldsBecomeGraphInputsReadAtEachCall()
    {
        string twin = Twin("""
            [Hybridize(nameof(E))] public partial Tensor M(Tensor x);
            Tensor E(Tensor x) => x.matmul(_w) * _scale;
            Tensor _w = null!;
            double _scale;
            """, instance: true);
        Assert.Contains("def M(x: Tensor, __in_w: Tensor, __in_scale: float) -> Tensor:", twin);
        Assert.Contains("g[1] = a.Item1._w!; // __in_w", twin);
        Assert.Contains("g[2] = a.Item1._scale; // __in_scale", twin);
    }

    [Fact]
    public void ListsTheBodyMakesAreListsFilledInPlace()
    {
        // A collection initializer, a collection expression, an append, an element write and a compound write.
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x);
            static Tensor E(Tensor x)
            {
                var parts = new System.Collections.Generic.List<Tensor> { x };
                System.Collections.Generic.List<Tensor> more = [x, x];
                parts.Add(x.relu());
                parts[0] = parts[1] * 2;
                more[1] += x;
                return parts[0] + more[1];
            }
            """);
        Assert.Contains("parts = [x]", twin);
        Assert.Contains("more = [x, x]", twin);
        Assert.Contains("parts.append(torch.relu(x))", twin);
        Assert.Contains("parts[0] = ", twin);
        Assert.Contains("more[1] = ", twin);
    }

    [Fact]
    public void AVoidHelperFillingAListItIsGivenReturnsNone()
    {
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x);
            static Tensor E(Tensor x)
            {
                var parts = new System.Collections.Generic.List<Tensor> { x };
                Fill(parts, x);
                Scale(parts, 0);
                return parts[0] + parts[1];
            }
            static void Fill(System.Collections.Generic.List<Tensor> into, Tensor t) => into.Add(t.relu());
            static void Scale(System.Collections.Generic.List<Tensor> into, int k) { into[k] = into[k] * 2; }
            """);
        Assert.Matches(@"def \w*Fill\w*\(into: List\[Tensor\], t: Tensor\) -> None:", twin);
        Assert.Contains("into.append(", twin);
        Assert.Contains("into[k] = ", twin);
    }

    [Fact]
    public void ACountBoundOfAListTheLoopGrowsIsReadAtEveryIteration()
    {
        // for (i < parts.Count) with parts.Add inside: C# reads Count at every iteration, range() would read it once.
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x);
            static Tensor E(Tensor x)
            {
                var parts = new System.Collections.Generic.List<Tensor> { x };
                for (int i = 0; i < parts.Count; i++)
                    if (parts.Count < 4) parts.Add(parts[i] * 2);
                return parts[3];
            }
            """);
        Assert.DoesNotContain("range(", twin);
        Assert.Contains("while ", twin);
    }

    [Fact]
    public void AnEmptyListOfNumbersSaysItsType()
    {
        // TorchScript types a bare [] as List[Tensor].
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x);
            static Tensor E(Tensor x)
            {
                var sizes = new System.Collections.Generic.List<long>();
                sizes.Add(x.shape[0]);
                sizes.Add(-1);
                return x * sizes[0] + sizes[1];
            }
            """);
        Assert.Contains("sizes: List[int] = []", twin);
    }

    [Fact]
    public void UsingDeclaredIntermediatesAreVariables()
    {
        // TorchSharp's examples free intermediates with `using var`; a graph frees nothing.
        string twin = Twin("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x);
            static Tensor E(Tensor x)
            {
                using var a = x.relu();
                using (var b = a * 2.0)
                {
                    return b + 1.0;
                }
            }
            """);
        Assert.Contains("a = torch.relu(x)", twin);
        Assert.Matches(@"b\w* = ", twin);
    }

    [Fact]
    public void ReturningATensorItsUsingDisposesIsRefused()
    {
        // Eager returns a disposed tensor there: the twin must not quietly return a live one.
        GeneratorHarness.Run run = GeneratorHarness.GenerateClass("""
            [Hybridize(nameof(E))] public static partial Tensor M(Tensor x);
            static Tensor E(Tensor x)
            {
                using var a = x.relu();
                return a;
            }
            """);
        Assert.Contains(run.Diagnostics, d => d.Id == "HG0301" && d.GetMessage().Contains("its using declaration disposes"));
    }
}
