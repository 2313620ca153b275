using System;
using System.IO;
using System.Linq;
using HybridGen.Composition;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// Native modules whose dropout probability lives in libtorch's options (docs/modules.md, "Training mode of native
/// modules"): measured at their first call in training mode, then their TorchScript twins draw the same masks as the
/// native forwards from the same seed, so outputs, gradients and the random generator's state after the call all
/// agree with eager. Alone in their collection: measuring draws from (and restores) the process's random generator, and
/// the comparisons seed it.
/// </summary>
[Collection(nameof(DefaultGeneratorCollection))]
public class NativeDropoutTests
{
    private static Tensor Eager(object model, params object[] arguments) => ComposedForwards.Eager(model, arguments);

    /// <summary>Eager on <paramref name="model"/> and the twin on <paramref name="twin"/> (the same weights), each from
    /// the same seed: the outputs, the numbers drawn after them and the gradients agree; another seed gives another
    /// output where dropout acts.</summary>
    private static void AssertTrainingAgrees(string what, Module model, Module twin, Func<Tensor> eager, Func<Tensor> graph, bool dropoutActs)
    {
        // Three calls each: TorchScript runs a graph as written at first and optimizes it (dropout's autodiff form
        // among others) after its first runs, and both must draw what eager draws. Gradients add up over the calls.
        Tensor? first = null;
        for (int call = 0; call < 3; call++)
        {
            manual_seed(11 + call);
            Tensor expected = eager();
            using Tensor drawnAfterEager = rand(6);
            manual_seed(11 + call);
            using Tensor actual = graph();
            using Tensor drawnAfterTwin = rand(6);
            Assert.True(actual.requires_grad, $"{what}: the twin's result carries no autograd history");
            Assert.True(EagerOracle.Difference(expected, actual, 1e-4, 1e-5) is null, $"{what}, call {call}: {EagerOracle.Difference(expected, actual, 1e-4, 1e-5)}");
            Assert.True(drawnAfterEager.allclose(drawnAfterTwin, 0, 0), $"{what}, call {call}: the twin's call drew other random numbers than eager's");
            expected.square().sum().backward();
            actual.square().sum().backward();
            if (call == 0) first = expected;
            else expected.Dispose();
        }
        ExampleShapedModelTests.AssertSameGradients(what, model, twin, 1e-3, 1e-4);
        using (first)
        {
            if (!dropoutActs) return;
            manual_seed(11);
            using (no_grad())
            using (Tensor other = eager())
                Assert.True(other.allclose(first!, 1e-4, 1e-5), $"{what}: eager is not reproducible from a seed (the test would compare nothing)");
            manual_seed(99);
            using (no_grad())
            using (Tensor other = eager())
                Assert.False(other.allclose(first!, 1e-4, 1e-5), $"{what}: dropout did not act (the test compares nothing random)");
        }
    }

    private static ComposedFunction<(EncoderLayerBlock, Tensor, Tensor, Tensor), Tensor> Block =>
        ComposedForwards.Of<EncoderLayerBlock, (EncoderLayerBlock, Tensor, Tensor, Tensor)>();

    [Theory]
    [InlineData(0.1, false)]
    [InlineData(0.0, true)]
    [InlineData(0.2, true)]
    [InlineData(0.37, false)]
    [InlineData(0.5, false)]
    public void ATransformerLayersProbabilityIsMeasuredAndItsTwinTrains(double p, bool gelu)
    {
        var model = new EncoderLayerBlock(8, 2, 12, gelu ? Activations.GELU : Activations.ReLU, p);
        var twin = new EncoderLayerBlock(8, 2, 12, gelu ? Activations.GELU : Activations.ReLU, p);
        twin.load_state_dict(model.state_dict());
        twin.eval();
        Assert.Null(Block.CompositionFailure(twin));                     // heads and activation are measured in eval mode
        model.train();
        twin.train();
        var generator = new torch.Generator(71);
        using Tensor x = randn(new long[] { 5, 3, 8 }, generator: generator);
        using Tensor mask = TransformerShaped.SquareSubsequentMask(5);
        using Tensor padding = tensor(new[] { false, false, false, false, true, false, false, false, false, false, false, false, true, true, false }).reshape(3, 5);
        AssertTrainingAgrees($"dropout {p}", model, twin, () => Eager(model, x, mask, padding), () => Block.InvokeGraph((twin, x, mask, padding)), dropoutActs: p > 0);
        Assert.Equal(p, NativeDropout.Measure(twin.Layer));
    }

    [Fact]
    public void InAutoModeATrainingCallRunsTheTwinWithoutAReport()
    {
        var model = new EncoderLayerBlock(8, 2, 12, Activations.ReLU, 0.1);
        model.eval();
        Assert.Null(Block.CompositionFailure(model));
        model.train();
        using Tensor x = randn(4, 1, 8), mask = TransformerShaped.SquareSubsequentMask(4), padding = zeros(new long[] { 1, 4 }, ScalarType.Bool);
        long before = TwinCalls();
        string warnings = Quietly(() =>
        {
            for (int call = 0; call < 30; call++)
            {
                using Tensor y = model.forward(x, mask, padding);
                Assert.True(y.requires_grad);
                if (call == 2) HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(120));   // the signature's twin is built
            }
        });
        Assert.DoesNotContain("dropout probability", warnings);
        Assert.Equal(0.1, NativeDropout.Measure(model.Layer));
        Assert.True(TwinCalls() > before, "no call in training mode ran the twin");
    }

    [Fact]
    public void InAutoModeALayerFirstCalledInTrainingModeGetsItsTwinAfterItsFirstCalls()
    {
        // The dispatcher's own path: the first call runs eager and its composition (in the background) stops at the
        // layer in training mode; the next call measures heads, activation and dropout on the caller's thread; the
        // tree is composed again, and the signature's twin built.
        var model = new EncoderLayerBlock(8, 4, 12, Activations.GELU, 0.2);
        model.train();
        using Tensor x = randn(5, 2, 8), mask = TransformerShaped.SquareSubsequentMask(5), padding = zeros(new long[] { 2, 5 }, ScalarType.Bool);
        long before = TwinCalls();
        string warnings = Quietly(() =>
        {
            for (int call = 0; call < 40; call++)
            {
                using Tensor y = model.forward(x, mask, padding);
                if (call < 4) HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(120));
            }
        });
        // (What the first call reports is reported once per process, so another test may have shown it already.)
        Assert.DoesNotContain("could not be measured", warnings);
        Assert.Equal(0.2, NativeDropout.Measure(model.Layer));
        Assert.True(TwinCalls() > before, "no call in training mode ran the twin");
    }

    private static long TwinCalls() => HybridRuntime.GetReport()
        .Where(r => r.Name.StartsWith("HybridGen.EndToEnd.Tests.EncoderLayerBlock.forward [composed tree ", StringComparison.Ordinal))
        .SelectMany(r => r.Signatures).Sum(s => s.GraphCalls);

    [Fact]
    public void AProbabilityOffTheGridIsReportedAndItsCallsRunEager()
    {
        var model = new EncoderLayerBlock(8, 2, 12, Activations.ReLU, 0.1234);
        model.eval();
        Assert.Null(Block.CompositionFailure(model));
        model.train();
        using Tensor x = randn(4, 2, 8), mask = TransformerShaped.SquareSubsequentMask(4), padding = zeros(new long[] { 2, 4 }, ScalarType.Bool);
        manual_seed(21);
        using Tensor expected = Eager(model, x, mask, padding);
        using Tensor drawnAfterEager = rand(6);
        manual_seed(21);
        Tensor? actual = null;
        string warnings = Quietly(() => actual = model.forward(x, mask, padding));
        using Tensor drawnAfterCall = rand(6);
        using (actual)
            Assert.True(EagerOracle.Difference(expected, actual!, 1e-6, 1e-7) is null, "the eager call's result changed");
        Assert.True(drawnAfterEager.allclose(drawnAfterCall, 0, 0), "the failed measurement left the random generator elsewhere");
        Assert.Contains("'layer' is a native TransformerEncoderLayer in training mode whose dropout probability", warnings);
        Assert.Contains("no probability on a grid of 0.001 reproduces its output", warnings);
        Assert.Null(NativeDropout.Measure(model.Layer));
        // The TorchScript twin run by itself refuses the call.
        var error = Assert.ThrowsAny<Exception>(() => Block.InvokeGraph((model, x, mask, padding)));
        Assert.Contains("dropout probability", error.Message);
    }

    [Fact]
    public void ALayerFirstCalledInTrainingModeIsMeasuredWholeAtItsNextCall()
    {
        var model = new EncoderLayerBlock(8, 2, 12, Activations.GELU, 0.2);
        var twin = new EncoderLayerBlock(8, 2, 12, Activations.GELU, 0.2);
        twin.load_state_dict(model.state_dict());
        model.train();
        twin.train();
        Assert.Contains("'layer' is a native TransformerEncoderLayer in training mode: its heads and activation are measured with its dropout probability at its next call",
            Block.CompositionFailure(twin));
        // The next call measures heads, activation and dropout together, drawing nothing the program would see.
        manual_seed(5);
        Assert.Null(Block.CompositionFailure(twin));
        using (Tensor drawn = rand(6))
        {
            manual_seed(5);
            using Tensor fresh = rand(6);
            Assert.True(drawn.allclose(fresh, 0, 0), "measuring in training mode left the random generator elsewhere");
        }
        Assert.Equal(0.2, NativeDropout.Measure(twin.Layer));
        var generator = new torch.Generator(75);
        using Tensor x = randn(new long[] { 4, 2, 8 }, generator: generator);
        using Tensor mask = TransformerShaped.SquareSubsequentMask(4);
        using Tensor padding = zeros(new long[] { 2, 4 }, ScalarType.Bool);
        AssertTrainingAgrees("first called in training mode", model, twin, () => Eager(model, x, mask, padding), () => Block.InvokeGraph((twin, x, mask, padding)), dropoutActs: true);
        Assert.Contains("__hg_transformer_encoder_layer(src, src_mask, key_padding_mask, 2, True,", Block.FunctionFor(twin)!.Info.TwinSource);
    }

    [Fact]
    public void AProbabilityOffTheCommonOnesIsMeasuredAfterAnEvalCall()
    {
        // 0.12 is no multiple of 0.05: measured together with the heads in training mode, nothing agrees, so the tree
        // waits for a call in eval mode (heads and activation), then the next call in training mode finds 0.12.
        var model = new EncoderLayerBlock(8, 4, 12, Activations.ReLU, 0.12);
        model.train();
        Assert.NotNull(Block.CompositionFailure(model));
        string? second = Block.CompositionFailure(model);               // measured now: nothing agrees, and it says so
        Assert.NotNull(second);
        Assert.Contains("could not be measured with its dropout probability (no multiple of 0.05", second);
        Assert.Contains("composed at its first call in eval mode", second);
        model.eval();
        Assert.Null(Block.CompositionFailure(model));
        model.train();
        using Tensor x = randn(3, 2, 8), mask = TransformerShaped.SquareSubsequentMask(3), padding = zeros(new long[] { 2, 3 }, ScalarType.Bool);
        using (Tensor y = Block.InvokeGraph((model, x, mask, padding))) Assert.True(y.requires_grad);
        Assert.Equal(0.12, NativeDropout.Measure(model.Layer));
    }

    [Fact]
    public void MultiheadAttentionFirstCalledInTrainingModeIsMeasuredWholeAtItsNextCall()
    {
        var model = new AttentionBlock(8, 4, dropout: 0.1, addZeroAttn: true);
        var twin = new AttentionBlock(8, 4, dropout: 0.1, addZeroAttn: true);
        twin.load_state_dict(model.state_dict());
        var function = ComposedForwards.Of<AttentionBlock, (AttentionBlock, Tensor, Tensor, Tensor)>();
        model.train();
        twin.train();
        Assert.Contains("'attention' is a native MultiheadAttention in training mode: its heads are measured with its dropout probability at its next call",
            function.CompositionFailure(twin));
        Assert.Null(function.CompositionFailure(twin));
        Assert.Equal(0.1, NativeDropout.Measure(twin.Attention));
        var generator = new torch.Generator(76);
        using Tensor query = randn(new long[] { 3, 2, 8 }, generator: generator), memory = randn(new long[] { 4, 2, 8 }, generator: generator);
        using Tensor mask = zeros(3, 4);
        AssertTrainingAgrees("attention first called in training mode", model, twin, () => Eager(model, query, memory, mask),
            () => function.InvokeGraph((twin, query, memory, mask)), dropoutActs: true);
    }

    [Fact]
    public void TheCorpusTransformerTrainsOnItsTwin()
    {
        var model = new TransformerShaped(ntokens: 30, ninputs: 12, nheads: 3, nhidden: 20, nlayers: 2, dropout: 0.2);
        var twin = new TransformerShaped(ntokens: 30, ninputs: 12, nheads: 3, nhidden: 20, nlayers: 2, dropout: 0.2);
        twin.load_state_dict(model.state_dict());
        var function = ComposedForwards.Of<TransformerShaped, (TransformerShaped, Tensor, Tensor)>();
        twin.eval();
        Assert.Null(function.CompositionFailure(twin));
        model.train();
        twin.train();
        var generator = new torch.Generator(72);
        using Tensor tokens = randint(0, 30, new long[] { 6, 2 }, generator: generator);
        using Tensor mask = TransformerShaped.SquareSubsequentMask(6);
        // The positional encoding's Dropout (a catalog module) and the encoder's draw in the eager body's order.
        AssertTrainingAgrees("corpus transformer", model, twin, () => Eager(model, tokens, mask), () => function.InvokeGraph((twin, tokens, mask)), dropoutActs: true);
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.25, false)]
    [InlineData(0.3, true)]
    public void MultiheadAttentionsProbabilityIsMeasuredAndItsTwinTrains(double p, bool addedKeys)
    {
        var model = new AttentionBlock(8, 2, dropout: p, addBiasKv: addedKeys, addZeroAttn: addedKeys);
        var twin = new AttentionBlock(8, 2, dropout: p, addBiasKv: addedKeys, addZeroAttn: addedKeys);
        twin.load_state_dict(model.state_dict());
        var function = ComposedForwards.Of<AttentionBlock, (AttentionBlock, Tensor, Tensor, Tensor)>();
        twin.eval();
        Assert.Null(function.CompositionFailure(twin));
        model.train();
        twin.train();
        var generator = new torch.Generator(73);
        using Tensor query = randn(new long[] { 3, 2, 8 }, generator: generator), memory = randn(new long[] { 4, 2, 8 }, generator: generator);
        using Tensor mask = zeros(3, 4);
        AssertTrainingAgrees($"attention, dropout {p}", model, twin, () => Eager(model, query, memory, mask), () => function.InvokeGraph((twin, query, memory, mask)), dropoutActs: p > 0);
        Assert.Equal(p, NativeDropout.Measure(twin.Attention));
    }

    [Fact]
    public void StackedRecurrentModulesTrainOnTheirTwinsWithDropoutBetweenLayers()
    {
        var generator = new torch.Generator(74);
        using Tensor sequence = randn(new long[] { 5, 3, 4 }, generator: generator);

        var lstm = new StatefulLstm(0.3);
        var lstmTwin = new StatefulLstm(0.3);
        lstmTwin.load_state_dict(lstm.state_dict());
        var stateful = ComposedForwards.Of<StatefulLstm, (StatefulLstm, Tensor, Tensor, Tensor)>();
        lstm.train();
        lstmTwin.train();
        Assert.Null(stateful.CompositionFailure(lstmTwin));               // an LSTM composes in training mode
        using Tensor h0 = randn(new long[] { 2, 3, 6 }, generator: generator), c0 = randn(new long[] { 2, 3, 6 }, generator: generator);
        AssertTrainingAgrees("LSTM, 2 layers", lstm, lstmTwin, () => Eager(lstm, sequence, h0, c0), () => stateful.InvokeGraph((lstmTwin, sequence, h0, c0)), dropoutActs: true);

        var gru = new RecurrentNet(2, bidirectional: true, dropout: 0.15);
        var gruTwin = new RecurrentNet(2, bidirectional: true, dropout: 0.15);
        gruTwin.load_state_dict(gru.state_dict());
        var net = ComposedForwards.Of<RecurrentNet, (RecurrentNet, Tensor)>();
        gru.train();
        gruTwin.train();
        using Tensor batchFirst = sequence.transpose(0, 1).contiguous();
        AssertTrainingAgrees("GRU, 2 layers, bidirectional, batch first", gru, gruTwin, () => Eager(gru, batchFirst), () => net.InvokeGraph((gruTwin, batchFirst)), dropoutActs: true);

        var rnn = new ElmanNet(3, NonLinearities.ReLU, bidirectional: false, dropout: 0.4);
        var rnnTwin = new ElmanNet(3, NonLinearities.ReLU, bidirectional: false, dropout: 0.4);
        rnnTwin.load_state_dict(rnn.state_dict());
        var elman = ComposedForwards.Of<ElmanNet, (ElmanNet, Tensor)>();
        rnnTwin.eval();
        Assert.Null(elman.CompositionFailure(rnnTwin));                   // its nonlinearity is measured in eval mode
        rnn.train();
        rnnTwin.train();
        AssertTrainingAgrees("RNN, 3 layers", rnn, rnnTwin, () => Eager(rnn, sequence), () => elman.InvokeGraph((rnnTwin, sequence)), dropoutActs: true);
    }

    [Fact]
    public void AStackedRnnFirstCalledInTrainingModeIsMeasuredWholeAtItsNextCall()
    {
        var model = new ElmanNet(2, NonLinearities.ReLU, bidirectional: true, dropout: 0.25);
        var twin = new ElmanNet(2, NonLinearities.ReLU, bidirectional: true, dropout: 0.25);
        twin.load_state_dict(model.state_dict());
        var elman = ComposedForwards.Of<ElmanNet, (ElmanNet, Tensor)>();
        model.train();
        twin.train();
        Assert.Contains("'rnn' is a native RNN of 2 layers in training mode: its nonlinearity is measured with its dropout probability at its next call",
            elman.CompositionFailure(twin));
        Assert.Null(elman.CompositionFailure(twin));
        Assert.Equal(0.25, NativeDropout.Measure(twin.Rnn));
        Assert.Contains("torch.rnn_relu(", elman.FunctionFor(twin)!.Info.TwinSource);
        using Tensor sequence = randn(new long[] { 4, 3, 4 }, generator: new torch.Generator(77));
        AssertTrainingAgrees("RNN first called in training mode", model, twin, () => Eager(model, sequence), () => elman.InvokeGraph((twin, sequence)), dropoutActs: true);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    [InlineData(1.0)]
    public void ACatalogDropoutsTwinDrawsWhatEagerDraws(double p)
    {
        // TorchSharp's Dropout (a catalog module, not a native one): at p = 0 and 1 eager draws nothing (at 1 it
        // multiplies by zero), and so must the twin.
        var model = new PositionalEncodingShaped(16, p);
        model.train();
        var f = (HybridFunction<(PositionalEncodingShaped, Tensor), Tensor>)typeof(PositionalEncodingShaped)
            .GetField("__hybrid_forward", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        using Tensor x = randn(new long[] { 5, 3, 16 }).requires_grad_();
        for (int call = 0; call < 3; call++)                                // TorchScript optimizes a graph after its first runs
        {
            manual_seed(13);
            using Tensor expected = f.InvokeEager((model, x));
            using Tensor drawnAfterEager = rand(6);
            manual_seed(13);
            using Tensor actual = f.InvokeGraph((model, x));
            using Tensor drawnAfterTwin = rand(6);
            Assert.True(EagerOracle.Difference(expected, actual, 1e-5, 1e-6) is null, $"dropout {p}, call {call}: {EagerOracle.Difference(expected, actual, 1e-5, 1e-6)}");
            Assert.True(drawnAfterEager.allclose(drawnAfterTwin, 0, 0), $"dropout {p}, call {call}: the twin drew other random numbers than eager");
        }
    }

    private static string Quietly(Action call)
    {
        TextWriter? quiet = HybridRuntime.Warnings;
        var warnings = new StringWriter();
        HybridRuntime.Warnings = warnings;
        try
        {
            call();
        }
        finally
        {
            HybridRuntime.Warnings = quiet;
        }
        return warnings.ToString();
    }
}
