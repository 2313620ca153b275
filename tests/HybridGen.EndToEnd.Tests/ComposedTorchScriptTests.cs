using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using HybridGen.Composition;
using HybridGen.Twins;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// The TorchScript route of module trees composed at run time (docs/modules.md, "Trees composed at run time"): the
/// composed text is compiled in process only after the twin validator compiled it in a child process (answers kept
/// per libtorch and text); the twin gives eager's outputs, gradients and batch-norm statistics; where it cannot be
/// validated, calls under grad run eager and grad-free calls keep ONNX Runtime.
/// </summary>
[Collection(nameof(DispatchTests))]
public class ComposedTorchScriptTests
{
    private static Tensor Eager(Module<Tensor, Tensor> model, Tensor x) =>
        (Tensor)model.GetType().GetMethod("ForwardEager", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(model, new object[] { x })!;

    private static Dictionary<string, Func<Module<Tensor, Tensor>>> Models => ExampleShapedModelTests.Models;

    public static IEnumerable<object[]> Names() => Models.Keys.Select(k => new object[] { k });

    private static Tensor TorchScript(Module<Tensor, Tensor> model, Tensor x) => model switch
    {
        ResNetShaped m => ComposedTreeTests.Function<ResNetShaped>().InvokeGraph((m, x)),
        MobileNetShaped m => ComposedTreeTests.Function<MobileNetShaped>().InvokeGraph((m, x)),
        VggShaped m => ComposedTreeTests.Function<VggShaped>().InvokeGraph((m, x)),
        _ => throw new ArgumentException(model.GetType().Name),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void TheComposedTorchScriptTwinGivesEagersOutputsGradientsAndStatistics(string name)
    {
        var generator = new torch.Generator(43);
        Module<Tensor, Tensor> model = Models[name]();
        model.eval();
        foreach (long batch in new long[] { 1, 3 })
        {
            using Tensor x = randn(new long[] { batch, 3, 16, 16 }, generator: generator);
            using (no_grad())
                EagerOracle.AssertAgree($"{name}, eval, batch {batch}", () => Eager(model, x), () => TorchScript(model, x));
        }

        // Training: two models with the same weights, one run eager and one on the twin, two steps each (the
        // batch-norm statistics change at every call); outputs, every parameter's gradient and every buffer agree.
        Module<Tensor, Tensor> twin = Models[name]();
        twin.load_state_dict(model.state_dict());
        model.train();
        twin.train();
        using Tensor input = randn(new long[] { 2, 3, 16, 16 }, generator: generator);
        for (int step = 0; step < 2; step++)
        {
            model.zero_grad();
            twin.zero_grad();
            using Tensor eager = Eager(model, input), graph = TorchScript(twin, input);
            Assert.True(graph.requires_grad, $"{name}: the twin's result carries no autograd history");
            Assert.True(EagerOracle.Difference(eager, graph, 1e-4, 1e-5) is null, $"{name}, training step {step}: {EagerOracle.Difference(eager, graph, 1e-4, 1e-5)}");
            eager.square().sum().backward();
            graph.square().sum().backward();
        }
        ExampleShapedModelTests.AssertSameGradients(name, model, twin, 1e-3, 1e-4);
        var twinBuffers = twin.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach ((string key, Tensor buffer) in model.named_buffers())
            Assert.True(EagerOracle.Difference(buffer, twinBuffers[key], 1e-4, 1e-5) is null, $"{name}, buffer {key} after training calls");
    }

    [Fact]
    public void InAutoModeTrainingCallsOnAComposedTreeAreMeasuredOnTorchScript()
    {
        var model = new VggShaped("vgg-small", 10);
        model.train();
        using Tensor x = randn(4, 3, 16, 16);              // a batch no other test calls this tree with
        HybridFunction<ComposedCall<(VggShaped, Tensor)>, Tensor>? function = null;
        for (int k = 0; k < 300 && !Decided(); k++)
        {
            HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(120));
            using Tensor y = model.forward(x);
            Assert.True(y.requires_grad);
        }
        Assert.True(Decided(), "no decision after 300 calls");
        Dispatch.SignatureState training = Batch4(function!).Single(s => s.OnnxNote is not null && s.TryGetSteady(out _));
        Assert.NotNull(training.GraphMedian);                  // TorchScript was measured against eager
        Assert.Null(training.GraphNote);
        Assert.Contains("need gradients", training.OnnxNote);  // ONNX Runtime serves no call under grad

        bool Decided()
        {
            function = ComposedTreeTests.Function<VggShaped>().FunctionFor(model);
            return function is not null && Batch4(function).Any(s => s.OnnxNote is not null && s.TryGetSteady(out _));
        }

        static IEnumerable<Dispatch.SignatureState> Batch4(IHybridFunction f) =>
            f.Signatures.Where(s => s.Description.StartsWith("float32[4,3,16,16] ", StringComparison.Ordinal));
    }

    [Fact]
    public void ForcedModesRunTheComposedTwinsForEveryCall()
    {
        static (string, Module<Tensor, Tensor>)[] Layers() => new (string, Module<Tensor, Tensor>)[] { ("fc", Linear(4, 6)), ("norm", BatchNorm1d(6)), ("act", ReLU()), ("out", Linear(6, 2)) };
        var graph = new ForcedTorchScriptNet(Layers());
        var onnx = new ForcedOnnxNet(Layers());
        graph.train();                                           // under grad, batch norm updating its statistics
        onnx.eval();
        Tensor statistics = graph.named_buffers().Single(b => b.name.EndsWith("running_mean", StringComparison.Ordinal)).buffer;
        using Tensor before = statistics.clone();
        using Tensor x = randn(5, 4);
        for (int k = 0; k < 5; k++)
        {
            using Tensor y = graph.forward(x);
            Assert.True(y.requires_grad);
            using (no_grad())
                EagerOracle.AssertAgree("forced ONNX Runtime", () => Eager(onnx, x), () => onnx.forward(x));
        }
        Assert.False(statistics.allclose(before));               // the twin updated the running statistics
        SignatureReport ranGraph = Composed("ForcedTorchScriptNet"), ranOnnx = Composed("ForcedOnnxNet");
        Assert.Equal((0, 5, 0), (ranGraph.EagerCalls, ranGraph.GraphCalls, ranGraph.OnnxCalls));
        Assert.Equal((0, 5, 5), (ranOnnx.EagerCalls, ranOnnx.GraphCalls, ranOnnx.OnnxCalls));

        static SignatureReport Composed(string type) => HybridRuntime.GetReport()
            .Single(r => r.Name.StartsWith($"HybridGen.EndToEnd.Tests.{type}.forward [composed tree ", StringComparison.Ordinal)).Signatures.Single();
    }

    [Fact]
    public void RunTimeValidationKeepsItsAnswersAndRefusesABadTextWithoutACrash()
    {
        string cache = Path.Combine(Path.GetTempPath(), "hybridgen-cache-" + Guid.NewGuid().ToString("N"));
        string? before = Environment.GetEnvironmentVariable("HYBRIDGEN_CACHE");
        Environment.SetEnvironmentVariable("HYBRIDGEN_CACHE", cache);
        try
        {
            // Texts of their own (a comment with the folder's name), so no other test has an answer for them.
            string good = $"# {cache}\ndef f(x: Tensor) -> Tensor:\n    return torch.relu(x) + 1\n";
            string bad = $"# {cache}\ndef f(x: Tensor) -> Tensor:\n    return torch.no_such_op(x)\n";
            Assert.Null(RunTimeValidation.WhyNotValid(good, "good"));
            string? why = RunTimeValidation.WhyNotValid(bad, "bad"); // an abort in process; an answer here
            Assert.NotNull(why);
            Assert.Contains("did not compile", why);
            Assert.Contains("no_such_op", why);

            // Both answers are on disk (tests running beside this one may add theirs while the variable points here):
            // a later process reads them. Changing the good text's record proves it is read.
            string folder = Directory.GetDirectories(Path.Combine(cache, "validated")).Single();
            string goodRecord = Path.Combine(folder, Formats.ValidatedTwinsFile.Hash(good));
            Assert.Equal("ok", File.ReadAllText(goodRecord));
            Assert.StartsWith("failed ", File.ReadAllText(Path.Combine(folder, Formats.ValidatedTwinsFile.Hash(bad))));
            File.WriteAllText(goodRecord, "failed recorded earlier");
            RunTimeValidation.ForgetInProcess();
            Assert.StartsWith("recorded earlier (kept in ", RunTimeValidation.WhyNotValid(good, "good"));
            Assert.Contains("no_such_op", RunTimeValidation.WhyNotValid(bad, "bad"));

            // A trusted answer lets the text be compiled in process, and the twin runs.
            File.WriteAllText(goodRecord, "ok");
            RunTimeValidation.ForgetInProcess();
            var twin = TorchScriptTwin.ValidatedAtRunTime(good, "f", "good");
            using Tensor x = tensor(new float[] { -1, 2 });
            var results = new TwinValue[1];
            Assert.Equal(1, twin.Invoke(new[] { (TwinValue)x }, results));
            using Tensor y = results[0].Tensor!;
            Assert.Equal(new float[] { 1, 3 }, y.data<float>().ToArray());
        }
        finally
        {
            Environment.SetEnvironmentVariable("HYBRIDGEN_CACHE", before);
            RunTimeValidation.ForgetInProcess();
            try { Directory.Delete(cache, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public void WithoutTheValidatorGradFreeCallsKeepOnnxRuntimeAndCallsUnderGradRunEager()
    {
        string? before = Environment.GetEnvironmentVariable("HYBRIDGEN_VALIDATOR");
        Environment.SetEnvironmentVariable("HYBRIDGEN_VALIDATOR", Path.Combine(Path.GetTempPath(), "no-such-folder", "HybridGen.TwinValidator.dll"));
        var warnings = new StringWriter();
        TextWriter? quiet = HybridRuntime.Warnings;
        HybridRuntime.Warnings = warnings;
        try
        {
            // A tree no other test composes: its program, its text and its dispatcher are its own.
            var model = new ListBuiltNet(new (string, Module<Tensor, Tensor>)[] { ("fc", Linear(4, 9)), ("act", GELU()), ("out", Linear(9, 3)) });
            model.eval();
            using Tensor x = randn(2, 4);
            HybridFunction<ComposedCall<(ListBuiltNet, Tensor)>, Tensor>? function = null;
            using (no_grad())
            {
                for (int k = 0; k < 300 && !Decided(); k++)
                {
                    HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(60));
                    using Tensor expected = Eager(model, x), actual = model.forward(x);
                    Assert.Null(EagerOracle.Difference(expected, actual, 1e-4, 1e-5));
                }
            }
            Assert.True(Decided(), "no decision after 300 calls");
            Dispatch.SignatureState inference = ((IHybridFunction)function!).Signatures.Single();
            Assert.Contains("validator is not next to the app", inference.GraphNote);
            Assert.NotNull(inference.OnnxMedian);               // ONNX Runtime was still measured
            Assert.Null(inference.GraphMedian);

            // Under grad no route is left: eager, decided at once, with the reason in the report.
            using (Tensor withGrad = model.forward(x)) Assert.True(withGrad.requires_grad);
            using (Tensor again = model.forward(x)) Assert.True(again.requires_grad);
            Dispatch.SignatureState training = ((IHybridFunction)function!).Signatures.Single(s => s.OnnxNote is not null);
            Assert.True(training.TryGetSteady(out Dispatch.Route route));
            Assert.Equal(Dispatch.Route.Eager, route);
            Assert.Null(training.Fallback);                     // not a failure: the route was never there
            Assert.Contains("has no TorchScript route", warnings.ToString());

            bool Decided()
            {
                function = ComposedTreeTests.Function<ListBuiltNet>().FunctionFor(model);
                return function is not null && ((IHybridFunction)function).Signatures.SingleOrDefault() is { } state && state.TryGetSteady(out _);
            }
        }
        finally
        {
            HybridRuntime.Warnings = quiet;
            Environment.SetEnvironmentVariable("HYBRIDGEN_VALIDATOR", before);
        }
    }
}
