using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using HybridGen.Composition;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// Twins composed at run time for module trees the build cannot see (docs/modules.md, "Trees composed at run time"):
/// the composed ONNX Runtime twin of each examples-shaped model agrees with its eager body, a changed tree is noticed
/// before the next call, and a tree that cannot be composed runs eager and says where and why.
/// </summary>
[Collection(nameof(DispatchTests))]
public class ComposedTreeTests
{
    internal static ComposedFunction<(T, Tensor), Tensor> Function<T>() =>
        (ComposedFunction<(T, Tensor), Tensor>)typeof(T).GetField("__hybrid_forward", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

    private static Tensor Eager<T>(T model, Tensor x) where T : Module<Tensor, Tensor> =>
        (Tensor)typeof(T).GetMethod("ForwardEager", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(model, new object[] { x })!;

    public static IEnumerable<object[]> Models() => new[] { "ResNet18-shaped", "ResNet50-shaped", "MobileNet-shaped", "VGG-shaped, small", "VGG-shaped, deeper" }
        .Select(n => new object[] { n });

    private static Module<Tensor, Tensor> Make(string name) => name switch
    {
        "ResNet18-shaped" => ResNetShaped.Basic18(10),
        "ResNet50-shaped" => ResNetShaped.Bottleneck50(10),
        "MobileNet-shaped" => new MobileNetShaped(10),
        "VGG-shaped, small" => new VggShaped("vgg-small", 10),
        _ => new VggShaped("VGG-deeper", 10),
    };

    private static Tensor OnnxTwin(Module<Tensor, Tensor> model, Tensor x) => model switch
    {
        ResNetShaped m => Function<ResNetShaped>().InvokeOnnx((m, x)),
        MobileNetShaped m => Function<MobileNetShaped>().InvokeOnnx((m, x)),
        VggShaped m => Function<VggShaped>().InvokeOnnx((m, x)),
        _ => throw new ArgumentException(model.GetType().Name),
    };

    private static Tensor EagerBody(Module<Tensor, Tensor> model, Tensor x) => model switch
    {
        ResNetShaped m => Eager(m, x),
        MobileNetShaped m => Eager(m, x),
        VggShaped m => Eager(m, x),
        _ => throw new ArgumentException(model.GetType().Name),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void TheComposedOnnxTwinAgreesWithEager(string name)
    {
        var generator = new torch.Generator(41);
        Module<Tensor, Tensor> model = Make(name);
        model.eval();
        foreach (long batch in new long[] { 1, 3 })
        {
            using Tensor x = randn(new long[] { batch, 3, 16, 16 }, generator: generator);
            using (no_grad())
                EagerOracle.AssertAgree($"{name}, batch {batch}", () => EagerBody(model, x), () => OnnxTwin(model, x), rtol: 1e-3, atol: 1e-4);
        }
    }

    [Fact]
    public void TheCompositionRunsWhereTheBuildSawNoTree()
    {
        // ResNet's blocks are themselves composed pieces: their trees (a Sequential from a list, a shortcut picked
        // by a condition) are composed inside the ResNet's.
        var model = ResNetShaped.Basic18(10);
        Assert.Null(Function<ResNetShaped>().CompositionFailure(model));
        var function = Function<ResNetShaped>().FunctionFor(model)!;
        Assert.Contains("__hg_piece_", function.Info.TwinGraph);
        Assert.DoesNotContain("(submodule ", function.Info.TwinGraph); // every run-time submodule was filled
    }

    [Fact]
    public void AReassignedSubmoduleIsNoticedBeforeTheNextCall()
    {
        var model = new ListBuiltNet(new (string, Module<Tensor, Tensor>)[] { ("fc", Linear(4, 3)), ("act", Tanh()) });
        model.eval();
        using Tensor x = randn(2, 4);
        var warnings = new StringWriter();
        TextWriter? before = HybridRuntime.Warnings;
        HybridRuntime.Warnings = warnings;
        try
        {
            using (no_grad())
            {
                EagerOracle.AssertAgree("list-built, first tree", () => Eager(model, x), () => Function<ListBuiltNet>().InvokeOnnx((model, x)));
                string first = Function<ListBuiltNet>().FunctionFor(model)!.Info.TwinGraph!;
                model.body = Sequential(("fc", Linear(4, 5)), ("act", ReLU()), ("out", Linear(5, 2)));
                using Tensor hybridized = model.forward(x); // the check notices the new tree: composed again
                EagerOracle.AssertAgree("list-built, reassigned tree", () => Eager(model, x), () => Function<ListBuiltNet>().InvokeOnnx((model, x)));
                Assert.Equal(new long[] { 2, 2 }, hybridized.shape);
                Assert.NotEqual(first, Function<ListBuiltNet>().FunctionFor(model)!.Info.TwinGraph);
            }
            Assert.Contains("'body' was reassigned", warnings.ToString());
        }
        finally
        {
            HybridRuntime.Warnings = before;
        }
    }

    [Fact]
    public void AnAppendedLayerIsNoticed()
    {
        var body = Sequential(("fc", Linear(4, 4)));
        var model = new ListBuiltNet(Array.Empty<(string, Module<Tensor, Tensor>)>()) { body = body };
        model.eval();
        using Tensor x = randn(2, 4);
        using (no_grad())
        {
            Assert.Null(Function<ListBuiltNet>().CompositionFailure(model));
            body.append("act", Sigmoid());
            EagerOracle.AssertAgree("appended layer", () => Eager(model, x), () => Function<ListBuiltNet>().InvokeOnnx((model, x)));
            Assert.Contains("sigmoid", Function<ListBuiltNet>().FunctionFor(model)!.Info.TwinGraph!.ToLowerInvariant());
        }
    }

    [Fact]
    public void AModuleThatIsNotHybridizedStopsTheCompositionWithItsPath()
    {
        var model = new ListBuiltNet(new (string, Module<Tensor, Tensor>)[] { ("fc", Linear(4, 4)), ("plain", new PlainBlock()) });
        string? failure = Function<ListBuiltNet>().CompositionFailure(model);
        Assert.NotNull(failure);
        Assert.Contains("'body[1]' is a PlainBlock", failure);
        using Tensor x = randn(2, 4);
        using (no_grad())
            EagerOracle.AssertAgree("a tree with a plain block runs eager", () => Eager(model, x), () => model.forward(x));
    }

    [Fact]
    public void AnInPlaceChangeOfASubmodulesResultNeedsAModuleThatAllocates()
    {
        var allocates = new InPlaceOnResultNet(new (string, Module<Tensor, Tensor>)[] { ("fc", Linear(4, 4)) });
        Assert.Null(Function<InPlaceOnResultNet>().CompositionFailure(allocates));
        // An Identity returns its input: changing its result in place would change the caller's tensor.
        var aliases = new InPlaceOnResultNet(new (string, Module<Tensor, Tensor>)[] { ("same", Identity()) });
        string? failure = Function<InPlaceOnResultNet>().CompositionFailure(aliases);
        Assert.NotNull(failure);
        Assert.Contains("HG0110", failure);
        using Tensor x = randn(2, 4);
        using (no_grad())
        {
            using Tensor before = x.clone();
            using Tensor result = aliases.forward(x);
            Assert.True(x.allclose(before * 2)); // eager's own semantics: Identity's result is x itself
        }
    }

    [Fact]
    public void BlocksWithTwinsOfTheirOwnArePiecesOfAComposedTree()
    {
        // Blocks whose trees the build saw whole (each has a twin of its own) inside a Sequential filled from a list.
        static ListBuiltNet Make() => new(new (string, Module<Tensor, Tensor>)[]
        {
            ("b1", new FixedBlock(3, 4)), ("b2", new FixedBlock(4, 4)), ("pool", AdaptiveAvgPool2d(1)), ("flat", Flatten()), ("fc", Linear(4, 2)),
        });
        var generator = new torch.Generator(47);
        ListBuiltNet model = Make();
        Assert.Null(Function<ListBuiltNet>().CompositionFailure(model));
        model.eval();
        using Tensor x = randn(new long[] { 2, 3, 8, 8 }, generator: generator);
        using (no_grad())
        {
            EagerOracle.AssertAgree("fixed blocks (ONNX Runtime)", () => Eager(model, x), () => Function<ListBuiltNet>().InvokeOnnx((model, x)));
            EagerOracle.AssertAgree("fixed blocks (TorchScript)", () => Eager(model, x), () => Function<ListBuiltNet>().InvokeGraph((model, x)));
        }
        // Training on the TorchScript twin: outputs, every gradient, the batch-norm statistics.
        ListBuiltNet twin = Make();
        twin.load_state_dict(model.state_dict());
        model.train();
        twin.train();
        using Tensor eager = Eager(model, x), graph = Function<ListBuiltNet>().InvokeGraph((twin, x));
        Assert.Null(EagerOracle.Difference(eager, graph, 1e-4, 1e-5));
        eager.square().sum().backward();
        graph.square().sum().backward();
        ExampleShapedModelTests.AssertSameGradients("fixed blocks", model, twin, 1e-3, 1e-4);
        var buffers = twin.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach ((string key, Tensor buffer) in model.named_buffers())
            Assert.Null(EagerOracle.Difference(buffer, buffers[key], 1e-4, 1e-5));

        // A block's own field reassigned from outside with another kind of module: its tree check notices it before
        // the next call (one of the same kind needs nothing: its states are read at every call).
        model.eval();
        var warnings = new StringWriter();
        TextWriter? before = HybridRuntime.Warnings;
        HybridRuntime.Warnings = warnings;
        try
        {
            ((FixedBlock)((TorchSharp.Modules.Sequential)model.body)[1]).conv = Identity();
            using (no_grad())
            {
                using Tensor expected = Eager(model, x), actual = model.forward(x);
                Assert.Null(EagerOracle.Difference(expected, actual, 1e-4, 1e-5));
            }
            Assert.Contains("'body[1]'", warnings.ToString());
        }
        finally
        {
            HybridRuntime.Warnings = before;
        }
    }

    [Fact]
    public void EachBlockInATreeGetsThePieceForItsOwnChoice()
    {
        // ChoiceBlock has one piece per shortcut choice; the list holds one of each.
        var model = new ListBuiltNet(new (string, Module<Tensor, Tensor>)[] { ("plain", new ChoiceBlock(project: false)), ("projected", new ChoiceBlock(project: true)) });
        model.eval();
        Assert.Null(Function<ListBuiltNet>().CompositionFailure(model));
        using Tensor x = randn(3, 4);
        using (no_grad())
            EagerOracle.AssertAgree("blocks of both choices", () => Eager(model, x), () => Function<ListBuiltNet>().InvokeOnnx((model, x)));
    }

    [Fact]
    public void InAutoModeAComposedTreeIsMeasuredOnEveryRoute()
    {
        var model = new VggShaped("vgg-small", 10);
        model.eval();
        using Tensor x = randn(1, 3, 16, 16);
        HybridFunction<ComposedCall<(VggShaped, Tensor)>, Tensor> function = null!;
        using (no_grad())
        {
            for (int k = 0; k < 300 && !Decided(); k++)
            {
                HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(30));
                using Tensor expected = Eager(model, x);
                using Tensor actual = model.forward(x);
                Assert.Null(EagerOracle.Difference(expected, actual, 1e-3, 1e-4));
            }
        }
        Assert.True(Decided(), "no decision after 300 calls");
        Dispatch.SignatureState inference = Batch1(function).Single(s => s.OnnxNote is null);
        Assert.NotNull(inference.OnnxMedian);                 // ONNX Runtime was measured against eager
        Assert.NotNull(inference.GraphMedian);                // and so was the composed TorchScript twin
        Assert.StartsWith("HybridGen.EndToEnd.Tests.VggShaped.forward [composed tree ", function.Info.Name);

        // With grad on and parameters that require it: the report says what would let ONNX Runtime serve it
        // (ComposedTorchScriptTests: such calls are measured on TorchScript).
        using (Tensor withGrad = model.forward(x)) Assert.True(withGrad.requires_grad);
        Dispatch.SignatureState training = Batch1(function).Single(s => s.OnnxNote is not null);
        Assert.Contains("need gradients", training.OnnxNote);

        bool Decided()
        {
            function = Function<VggShaped>().FunctionFor(model)!;
            return Batch1(function).SingleOrDefault(s => s.OnnxNote is null) is { } state && state.TryGetSteady(out _);
        }

        // Instances of this tree share one dispatcher, and other tests call it at batch 2.
        static IEnumerable<Dispatch.SignatureState> Batch1(IHybridFunction f) =>
            f.Signatures.Where(s => s.Description.StartsWith("float32[1,3,16,16] ", StringComparison.Ordinal));
    }

    [Fact]
    public void ProbingTimesOnnxRuntimeOnItsFrozenWeightsSession()
    {
        // A tree no other test composes (its own dispatcher and ONNX sessions), one instance, unchanged weights: the
        // session freezes them after 8 calls, and probing times ONNX Runtime only from then on.
        var model = new ListBuiltNet(new (string, Module<Tensor, Tensor>)[] { ("fc", Linear(5, 7)), ("act", ReLU()), ("out", Linear(7, 3)) });
        model.eval();
        using Tensor x = randn(2, 5);
        HybridFunction<ComposedCall<(ListBuiltNet, Tensor)>, Tensor>? function = null;
        using (no_grad())
            for (int k = 0; k < 500 && !Decided(); k++)
            {
                // The twins' builds, and the frozen session's (so a fast machine does not run out of calls first).
                HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(60));
                function?.OnnxTwin?.WaitForFrozen();
                using Tensor y = model.forward(x);
            }
        Assert.True(Decided(), "no decision after 500 calls");
        Dispatch.SignatureState state = ((IHybridFunction)function!).Signatures.Single();
        Assert.NotNull(state.OnnxMedian);
        Assert.True(function!.OnnxTwin!.Calls.frozen >= function.Options.ProbeCalls, $"{function.OnnxTwin.Calls.frozen} frozen calls");

        bool Decided()
        {
            function = Function<ListBuiltNet>().FunctionFor(model);
            return function is not null && ((IHybridFunction)function).Signatures.SingleOrDefault() is { } only && only.TryGetSteady(out _) && !only.DecidedWithoutGraph;
        }
    }

    [Fact]
    public void InAutoModeTheFirstCallRunsEagerAndTheTreeIsComposedInTheBackground()
    {
        static int ComposedRows() => HybridRuntime.GetReport().Count(r => r.Name.StartsWith("HybridGen.EndToEnd.Tests.ListBuiltNet.forward [composed tree ", StringComparison.Ordinal));
        // A tree no other test composes (a program of its own, so a dispatcher of its own).
        var model = new ListBuiltNet(new (string, Module<Tensor, Tensor>)[] { ("fc", Linear(4, 7)), ("act", Softmax(1)) });
        model.eval();
        using Tensor x = randn(2, 4);
        int before = ComposedRows();
        using (no_grad())
        {
            using Tensor first = model.forward(x);                       // eager, the composition started
            EagerOracle.AssertAgree("first call", () => Eager(model, x), () => first.clone());
            Assert.True(HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(60)));
            Assert.Equal(before + 1, ComposedRows());                    // composed in the background, not by a later call
            using Tensor second = model.forward(x);
            EagerOracle.AssertAgree("second call", () => Eager(model, x), () => second.clone());
        }
    }
}
