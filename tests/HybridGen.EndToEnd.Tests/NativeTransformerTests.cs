using System;
using System.IO;
using System.Linq;
using System.Reflection;
using HybridGen.Composition;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// TorchSharp's native TransformerEncoder and TransformerEncoderLayer in composed trees (docs/modules.md, "Native
/// transformer modules"): their heads and activation probed on the live module, their twins (TorchScript and ONNX
/// Runtime) agreeing with libtorch's own forward on outputs and gradients, with both masks (training mode: NativeDropoutTests).
/// </summary>
[Collection(nameof(DispatchTests))]
public class NativeTransformerTests
{
    private static ComposedFunction<TArgs, Tensor> Function<TModel, TArgs>() => ComposedForwards.Of<TModel, TArgs>();

    private static ComposedFunction<(TransformerShaped, Tensor, Tensor), Tensor> Transformer => Function<TransformerShaped, (TransformerShaped, Tensor, Tensor)>();

    private static ComposedFunction<(EncoderLayerBlock, Tensor, Tensor, Tensor), Tensor> Block => Function<EncoderLayerBlock, (EncoderLayerBlock, Tensor, Tensor, Tensor)>();

    private static Tensor Eager(object model, params object[] arguments) => ComposedForwards.Eager(model, arguments);

    [Fact]
    public void TheTransformersTwinsGiveEagersOutputsAtEveryLengthAndBatch()
    {
        var generator = new torch.Generator(51);
        var model = new TransformerShaped(ntokens: 40, ninputs: 16, nheads: 2, nhidden: 32, nlayers: 2, dropout: 0.1);
        model.eval();
        foreach ((long length, long batch) in new[] { (7L, 3L), (5L, 1L) })
        {
            using Tensor tokens = randint(0, 40, new long[] { length, batch }, generator: generator);
            using Tensor mask = TransformerShaped.SquareSubsequentMask(length);
            using (no_grad())
            {
                EagerOracle.AssertAgree($"transformer {length}x{batch}, TorchScript", () => Eager(model, tokens, mask), () => Transformer.InvokeGraph((model, tokens, mask)));
                EagerOracle.AssertAgree($"transformer {length}x{batch}, ONNX Runtime", () => Eager(model, tokens, mask), () => Transformer.InvokeOnnx((model, tokens, mask)),
                    rtol: 1e-3, atol: 1e-4);
            }
        }
        Assert.Null(Transformer.CompositionFailure(model));
        // Two layers, each the runtime function with the probed heads (2) and ReLU.
        string graph = Transformer.FunctionFor(model)!.Info.TwinSource;
        Assert.Equal(2, graph.Split("__hg_transformer_encoder_layer(").Length - 2);
    }

    [Fact]
    public void EveryParametersGradientAgreesWithEagers()
    {
        var generator = new torch.Generator(52);
        var model = new TransformerShaped(ntokens: 30, ninputs: 12, nheads: 3, nhidden: 20, nlayers: 2, dropout: 0.2);
        var twin = new TransformerShaped(ntokens: 30, ninputs: 12, nheads: 3, nhidden: 20, nlayers: 2, dropout: 0.2);
        twin.load_state_dict(model.state_dict());
        model.eval();
        twin.eval();
        using Tensor tokens = randint(0, 30, new long[] { 6, 2 }, generator: generator);
        using Tensor mask = TransformerShaped.SquareSubsequentMask(6);
        using Tensor eager = Eager(model, tokens, mask), graph = Transformer.InvokeGraph((twin, tokens, mask));
        Assert.True(graph.requires_grad, "the twin's result carries no autograd history");
        Assert.True(EagerOracle.Difference(eager, graph, 1e-4, 1e-5) is null, EagerOracle.Difference(eager, graph, 1e-4, 1e-5));
        eager.square().sum().backward();
        graph.square().sum().backward();
        ExampleShapedModelTests.AssertSameGradients("transformer", model, twin, 1e-3, 1e-4);
    }

    [Theory]
    [InlineData(4L, false)]
    [InlineData(2L, true)]
    [InlineData(1L, true)]
    public void HeadsAndActivationAreProbedAndBothMasksAreApplied(long heads, bool gelu)
    {
        var generator = new torch.Generator(53 + (ulong)heads);
        var model = new EncoderLayerBlock(8, heads, 12, gelu ? Activations.GELU : Activations.ReLU);
        model.eval();
        using Tensor x = randn(new long[] { 5, 2, 8 }, generator: generator);
        using Tensor causal = TransformerShaped.SquareSubsequentMask(5);
        using Tensor boolean = rand(new long[] { 5, 5 }, generator: generator) > 0.7;
        using Tensor padding = tensor(new[] { false, false, false, true, true, false, false, false, false, true }).reshape(2, 5);
        foreach ((string what, Tensor mask) in new[] { ("float mask", causal), ("bool mask", boolean) })
        {
            using (no_grad())
            {
                EagerOracle.AssertAgree($"{heads} heads, {what}, TorchScript", () => Eager(model, x, mask, padding), () => Block.InvokeGraph((model, x, mask, padding)));
                EagerOracle.AssertAgree($"{heads} heads, {what}, ONNX Runtime", () => Eager(model, x, mask, padding), () => Block.InvokeOnnx((model, x, mask, padding)),
                    rtol: 1e-3, atol: 1e-4);
            }
        }
        // libtorch 2.10's layer adds a boolean attention mask as 0 and 1 (it does not fill with -inf where true): the
        // twins follow what it does, and this pins it.
        using (no_grad())
        using (Tensor asBool = model.Layer.call(x, boolean), asNumbers = model.Layer.call(x, boolean.to(ScalarType.Float32)))
            Assert.True(asBool.allclose(asNumbers, 0, 0), "libtorch's TransformerEncoderLayer no longer adds a boolean mask as numbers: revisit __hg_transformer_encoder_layer");
        string source = Block.FunctionFor(model)!.Info.TwinSource;
        Assert.Contains($"__hg_transformer_encoder_layer(src, src_mask, key_padding_mask, {heads}, {(gelu ? "True" : "False")},", source);
    }

    // A tree first called in training mode: NativeDropoutTests (measuring draws from the process's random generator).

    [Fact]
    public void ForcedModesRunTheNativeTransformersTwinsForEveryCall()
    {
        var graph = new ForcedGraphEncoder();
        var onnx = new ForcedOnnxEncoder();
        graph.eval();
        onnx.eval();
        using Tensor x = randn(4, 3, 8);
        for (int k = 0; k < 3; k++)
        {
            using (Tensor y = graph.forward(x)) Assert.True(y.requires_grad);            // under grad: TorchScript
            using (no_grad())
                EagerOracle.AssertAgree("forced ONNX Runtime", () => Eager(onnx, x), () => onnx.forward(x), rtol: 1e-3, atol: 1e-4);
        }
        SignatureReport ranGraph = Composed("ForcedGraphEncoder"), ranOnnx = Composed("ForcedOnnxEncoder");
        Assert.Equal((0, 3, 0), (ranGraph.EagerCalls, ranGraph.GraphCalls, ranGraph.OnnxCalls));
        Assert.Equal((0, 3, 3), (ranOnnx.EagerCalls, ranOnnx.GraphCalls, ranOnnx.OnnxCalls));

        static SignatureReport Composed(string type) => HybridRuntime.GetReport()
            .Single(r => r.Name.StartsWith($"HybridGen.EndToEnd.Tests.{type}.forward [composed tree ", StringComparison.Ordinal)).Signatures.Single();
    }

    [Fact]
    public void WeightsThatDoNotTellTheSettingsApartStopTheComposition()
    {
        var model = new EncoderLayerBlock(8, 2, 12, Activations.ReLU);
        using (no_grad())
            foreach ((string name, var parameter) in model.Layer.named_parameters())
                if (name.StartsWith("self_attn.in_proj", StringComparison.Ordinal) || name.StartsWith("linear1", StringComparison.Ordinal)) parameter.zero_();
        model.eval();
        using Tensor x = randn(3, 2, 8), mask = zeros(3, 3), padding = zeros(new long[] { 2, 3 }, ScalarType.Bool);
        string? failure = Block.CompositionFailure(model);
        Assert.NotNull(failure);
        Assert.Contains("do not tell its settings apart", failure);
        // The call still runs, eager.
        using (no_grad())
            EagerOracle.AssertAgree("ambiguous settings", () => Eager(model, x, mask, padding), () => model.forward(x, mask, padding));
    }
}

/// <summary>Probing a native transformer's settings draws nothing from the process's random generator: a program that
/// seeds it gets the same numbers with HybridGen as without (alone in its collection: other tests draw from it).</summary>
[Collection(nameof(DefaultGeneratorCollection))]
public class NativeTransformerRandomTests
{
    [Fact]
    public void ComposingANativeTransformerLeavesTheRandomGeneratorAlone()
    {
        var model = new EncoderLayerBlock(16, 4, 24, Activations.GELU);
        model.eval();
        var function = ComposedForwards.Of<EncoderLayerBlock, (EncoderLayerBlock, Tensor, Tensor, Tensor)>();
        manual_seed(77);
        Assert.Null(function.CompositionFailure(model));          // composes here, on this thread
        using Tensor after = rand(8);
        manual_seed(77);
        using Tensor fresh = rand(8);
        Assert.True(after.allclose(fresh, 0, 0), "the composition drew from the default generator");
    }
}
