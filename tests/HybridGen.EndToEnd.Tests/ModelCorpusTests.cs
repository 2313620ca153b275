using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>Issue 12's model corpus (Models/CorpusModels.cs): each model eager vs twin in eval mode (outputs and
/// gradients of the input and of every parameter) and in training mode (batch-norm statistics after several
/// calls), with the dispatcher proven to run the twin (InvokeGraph is what forced graph mode calls).</summary>
public class ModelCorpusTests
{
    [Fact] public void MnistCnn() => EvalAndGradients(new MnistCnn(), randn(2, 1, 16, 16));
    [Fact] public void AlexNetLike() => EvalAndGradients(new AlexNetLike(), randn(2, 3, 32, 32));
    [Fact] public void TinyResNet() => EvalAndGradients(new TinyResNet(), randn(2, 3, 16, 16));
    [Fact] public void VggBn() => EvalAndGradients(new VggBn(), randn(2, 3, 16, 16));
    [Fact] public void MobileNetBlock() => EvalAndGradients(new MobileNetBlock(), randn(2, 16, 8, 8));
    [Fact] public void EncoderLayer() => EvalAndGradients(new EncoderLayer(), randn(2, 6, 32));
    [Fact] public void PositionalEncoding() => EvalAndGradients(new PositionalEncoding(16, 50), randn(3, 7, 16));
    [Fact] public void ListMlp() => EvalAndGradients(new ListMlp(), randn(4, 8));

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(8)]
    public void ASequentialFilledInALoopGetsTheTwinForItsDepth(int depth) => EvalAndGradients(new DeepMlp(depth), randn(3, 8));

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void AModuleListFilledInALoopGetsTheTwinForItsDepth(int depth) => EvalAndGradients(new EncoderStack(depth), randn(2, 5, 32));

    [Fact]
    public void ADeeperLoopThanTheTwinsWereBuiltForRunsEagerAndIsReported()
    {
        var model = new DeepMlp(9);                        // TwinBuilder.MaxRepeats is 8
        model.eval();
        using T x = randn(2, 8);
        Assert.DoesNotContain(typeof(DeepMlp).GetFields(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            .Where(f => f.Name.StartsWith("__hybrid_forward", StringComparison.Ordinal)),
            f => ((HybridFunction<(DeepMlp, T), T>)f.GetValue(null)!).Fits((model, x)));
        using T y = model.forward(x);
        Assert.Equal(new long[] { 2, 4 }, y.shape);
        Assert.Contains(HybridRuntime.GetReport(), r => r.Name == "HybridGen.EndToEnd.Tests.DeepMlp.forward"
            && r.Signatures.Any(s => s.Fallback is { } reason && reason.Contains("'layers' holds 20 modules")));
    }

    [Fact] public void TokenEncoder() => EvalAndGradients(new TokenEncoder(), randint(0, 50, new long[] { 3, 6 }));

    [Fact]
    public void TextClassifierWithEmbeddingBagOffsets()
    {
        var model = new TextClassifier(100, 16, 4);
        var f = (HybridFunction<(TextClassifier, T, T), T>)typeof(TextClassifier)
            .GetField("__hybrid_forward", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        using T tokens = randint(0, 100, new long[] { 12 }), offsets = tensor(new long[] { 0, 3, 7 });
        IReadOnlyList<object?> OutputAndGradients(bool graph)
        {
            Func<T> forward = graph ? () => f.InvokeGraph((model, tokens, offsets)) : () => f.InvokeEager((model, tokens, offsets));
            var values = new List<object?>();
            using (T output = forward()) values.Add(output.detach().clone());
            model.zero_grad();
            using (T loss = forward().square().sum()) loss.backward();
            values.AddRange(model.parameters().Select(p => (object?)p.grad!.clone()));
            return values;
        }
        EagerOracle.AssertAgree("TextClassifier", () => OutputAndGradients(false), () => OutputAndGradients(true),
            nameOf: k => k == 0 ? "output" : $"gradient of parameter {k - 1}", toleranceOf: k => k == 0 ? (1e-5, 1e-6) : (1e-4, 1e-5));
        // ONNX Runtime: bags scattered by their offsets, mean over each; an empty bag (offsets 3, 3) gives zeros.
        using (no_grad())
        {
            EagerOracle.AssertAgree("TextClassifier (ONNX Runtime)", () => f.InvokeEager((model, tokens, offsets)), () => f.InvokeOnnx((model, tokens, offsets)));
            using T withEmpty = tensor(new long[] { 0, 3, 3, 7 });
            EagerOracle.AssertAgree("TextClassifier, an empty bag (ONNX Runtime)", () => f.InvokeEager((model, tokens, withEmpty)), () => f.InvokeOnnx((model, tokens, withEmpty)));
        }
        // A 2-D input with offsets: TorchSharp's call refuses it eagerly (ArgumentException), the twin's assert too.
        using T rows = randint(0, 100, new long[] { 2, 3 });
        Assert.Throws<ArgumentException>(() => f.InvokeEager((model, rows, offsets)));
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => f.InvokeGraph((model, rows, offsets)));
        Assert.Throws<ArgumentException>(() => model.forward(rows, offsets));
    }

    [Fact]
    public void WeightedBagsWithALastOffsetAgreeOnEveryRoute()
    {
        var model = new WeightedBags();
        var f = (HybridFunction<(WeightedBags, T, T, T), T>)typeof(WeightedBags)
            .GetField("__hybrid_forward", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        using T tokens = randint(0, 30, new long[] { 9 }), offsets = tensor(new long[] { 0, 2, 2, 6, 9 }), weights = rand(9);
        using (no_grad())
        {
            EagerOracle.AssertAgree("WeightedBags (TorchScript)", () => f.InvokeEager((model, tokens, offsets, weights)), () => f.InvokeGraph((model, tokens, offsets, weights)));
            EagerOracle.AssertAgree("WeightedBags (ONNX Runtime)", () => f.InvokeEager((model, tokens, offsets, weights)), () => f.InvokeOnnx((model, tokens, offsets, weights)));
            // A last offset short of the input's end: the positions past it belong to no bag.
            using T short_ = tensor(new long[] { 0, 2, 2, 6 });
            EagerOracle.AssertAgree("WeightedBags, a short last offset (TorchScript)", () => f.InvokeEager((model, tokens, short_, weights)), () => f.InvokeGraph((model, tokens, short_, weights)));
            EagerOracle.AssertAgree("WeightedBags, a short last offset (ONNX Runtime)", () => f.InvokeEager((model, tokens, short_, weights)), () => f.InvokeOnnx((model, tokens, short_, weights)));
        }
    }

    [Fact]
    public void MaskedAttentionWithATupleResult()
    {
        var model = new MaskedAttention();
        var f = (HybridFunction<(MaskedAttention, T, T, T), (T, T)>)typeof(MaskedAttention)
            .GetField("__hybrid_Attend", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        using T x = randn(2, 5, 16), mask = ones(5, 5).tril().eq(0);
        EagerOracle.AssertAgree("MaskedAttention.Attend", () => Flat(f.InvokeEager((model, x, x, mask))), () => Flat(f.InvokeGraph((model, x, x, mask))),
            1e-4, 1e-5, k => k == 0 ? "output" : "weights");
        static IReadOnlyList<object?> Flat((T output, T weights) result) => new object?[] { result.output, result.weights };
        var (_, gw) = f.InvokeGraph((model, x, x, mask));
        using (T masked = gw.masked_select(mask.expand(2, 5, 5))) Assert.True(masked.eq(0).all().item<bool>()); // masked weights are 0
    }

    [Theory]
    [InlineData(typeof(TinyResNet))]
    [InlineData(typeof(VggBn))]
    [InlineData(typeof(MobileNetBlock))]
    public void TrainingModeUpdatesBatchNormStatisticsAsEagerDoes(Type modelType)
    {
        var initial = ((nn.Module<T, T>)Activator.CreateInstance(modelType)!).state_dict();
        long[] shape = modelType == typeof(MobileNetBlock) ? new long[] { 4, 16, 8, 8 } : new long[] { 4, 3, 16, 16 };
        T[] batches = Enumerable.Range(0, 3).Select(_ => randn(shape)).ToArray();
        bool outputsCompared = modelType != typeof(VggBn); // VggBn has dropout: random in training
        var names = new List<string>();
        IReadOnlyList<object?> ThreeTrainingCalls(bool graph)
        {
            var model = (nn.Module<T, T>)Activator.CreateInstance(modelType)!;
            model.load_state_dict(initial);
            model.train();
            var (eager, twin) = ForwardOf(modelType, model);
            var values = new List<object?>();
            names.Clear();
            for (int step = 0; step < batches.Length; step++)
            {
                using T y = (graph ? twin : eager)(batches[step]);
                if (!outputsCompared) continue;
                values.Add(y.detach().clone());
                names.Add($"output of call {step}");
            }
            foreach (var (key, value) in model.state_dict().Where(e => e.Key.EndsWith("running_mean") || e.Key.EndsWith("running_var") || e.Key.EndsWith("num_batches_tracked")))
            {
                values.Add(value.to(ScalarType.Float32));
                names.Add(key);
            }
            return values;
        }
        EagerOracle.AssertAgree($"{modelType.Name} in training mode", () => ThreeTrainingCalls(false), () => ThreeTrainingCalls(true),
            nameOf: k => names[k], toleranceOf: k => names[k].StartsWith("output", StringComparison.Ordinal) ? (1e-3, 1e-4) : (1e-4, 1e-5));
        Assert.True(names.Count(n => !n.StartsWith("output", StringComparison.Ordinal)) >= 6);
    }

    [Fact]
    public void TrainingThroughTheTwinFollowsEagersLossCurve()
    {
        // TinyResNet has batch norm in training mode and no dropout (the global generator is shared with tests
        // running in parallel), so every run sees exactly the same computation.
        var initial = new TinyResNet().state_dict();
        T[] batches = Enumerable.Range(0, 5).Select(_ => randn(4, 3, 16, 16)).ToArray();
        using T targets = tensor(new long[] { 0, 1, 2, 3 });
        var names = new List<string>();
        IReadOnlyList<object?> Train(bool graph)
        {
            var model = new TinyResNet();
            model.load_state_dict(initial);
            using var optimizer = optim.SGD(model.parameters(), 0.05, momentum: 0.9);
            var (eager, twin) = ForwardOf(typeof(TinyResNet), model);
            var values = new List<object?>();
            names.Clear();
            foreach (T batch in batches)
            {
                model.train();
                optimizer.zero_grad();
                using T loss = nn.functional.cross_entropy((graph ? twin : eager)(batch), targets);
                loss.backward();
                optimizer.step();
                values.Add(loss.detach().clone());
                names.Add($"loss of step {names.Count}");
            }
            foreach (var (name, parameter) in model.named_parameters())
            {
                values.Add(parameter.detach().clone());
                names.Add($"{name} after training");
            }
            return values;
        }
        // Losses within 5e-5 + 5e-5·|loss|, never looser than 1e-4·max(1, |loss|); parameters within 1e-4 + 1e-3·|p|.
        EagerOracle.AssertAgree("TinyResNet trained for 5 steps", () => Train(false), () => Train(true),
            nameOf: k => names[k], toleranceOf: k => k < batches.Length ? (5e-5, 5e-5) : (1e-3, 1e-4));
    }

    [Fact]
    public void TheDispatcherRunsTheTwinOfEveryCorpusModel()
    {
        foreach (var (model, input) in new (nn.Module<T, T>, T)[]
        {
            (new MnistCnn(), randn(1, 1, 16, 16)), (new AlexNetLike(), randn(1, 3, 32, 32)), (new TinyResNet(), randn(1, 3, 16, 16)),
            (new VggBn(), randn(1, 3, 16, 16)), (new MobileNetBlock(), randn(1, 16, 8, 8)), (new EncoderLayer(), randn(1, 4, 32)),
            (new PositionalEncoding(16, 20), randn(1, 5, 16)), (new ListMlp(), randn(1, 8)), (new TokenEncoder(), randint(0, 50, new long[] { 2, 5 })),
        })
        {
            model.eval();
            string name = "HybridGen.EndToEnd.Tests." + model.GetType().Name + ".forward";
            long Graph() => HybridRuntime.GetReport().Where(r => r.Name.StartsWith(name, StringComparison.Ordinal)).Sum(r => r.GraphCalls);
            long before = Graph();
            using (T first = model.forward(input)) { }         // starts the twin's compile (in the background)
            Assert.True(HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(60)));
            for (int call = 0; call < 8; call++)               // auto mode probes the twin among its next calls
                using (T y = model.forward(input)) { }
            Assert.True(Graph() > before, $"{name} did not run its twin");
        }
    }

    [Fact]
    public void AReassignedSubmoduleRunsEagerAndIsReported()
    {
        var model = new ListMlp();
        model.eval();
        using T x = randn(3, 8);
        using (T before = model.forward(x)) { }
        model.ReplaceLayer(1, nn.ReLU());                      // the twin was built for Tanh there
        using T expected = Forward<ListMlp>.Dispatcher.InvokeEager((model, x));
        using T y = model.forward(x);
        Twins.AssertClose(expected, y);
        Assert.Throws<InvalidOperationException>(() => Forward<ListMlp>.Dispatcher.InvokeGraph((model, x)));
        var report = HybridRuntime.GetReport().Where(r => r.Name == "HybridGen.EndToEnd.Tests.ListMlp.forward").ToList();
        Assert.Contains(report, r => r.Fallback is { } reason && reason.Contains("'layers[1]' is a ReLU") && reason.Contains("Tanh"));
    }

    private static void EvalAndGradients<TModel>(TModel model, T input) where TModel : nn.Module<T, T>
    {
        model.eval();
        Forward<TModel>.AgreesWithEager(model, input);
        input.Dispose();
    }

    private static (Func<T, T> eager, Func<T, T> graph) ForwardOf(Type modelType, nn.Module<T, T> model)
    {
        var method = typeof(ModelCorpusTests).GetMethod(nameof(Typed), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(modelType);
        return ((Func<T, T>, Func<T, T>))method.Invoke(null, new object[] { model })!;
    }

    private static (Func<T, T>, Func<T, T>) Typed<TModel>(nn.Module<T, T> model) where TModel : nn.Module<T, T>
    {
        var m = (TModel)model;
        return (x => Forward<TModel>.DispatcherFor(m, x).InvokeEager((m, x)), x => Forward<TModel>.DispatcherFor(m, x).InvokeGraph((m, x)));
    }
}
