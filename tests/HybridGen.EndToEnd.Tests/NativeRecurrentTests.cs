using System;
using System.IO;
using System.Reflection;
using HybridGen.Composition;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// TorchSharp's native GRU, LSTM and RNN in composed trees (docs/modules.md, "Native recurrent modules"): their settings
/// read from TorchSharp's private fields and their weights by name, their TorchScript twins agreeing with libtorch's own
/// forward on outputs and gradients, their ONNX Runtime twins on outputs (bidirectional, batch first, several layers, a
/// given initial state); several layers in training mode, with dropout between them: NativeDropoutTests.
/// </summary>
[Collection(nameof(DispatchTests))]
public class NativeRecurrentTests
{
    private static ComposedFunction<TArgs, Tensor> Function<TModel, TArgs>() => ComposedForwards.Of<TModel, TArgs>();

    private static ComposedFunction<(RecurrentNet, Tensor), Tensor> Net => Function<RecurrentNet, (RecurrentNet, Tensor)>();

    private static ComposedFunction<(StatefulLstm, Tensor, Tensor, Tensor), Tensor> Stateful => Function<StatefulLstm, (StatefulLstm, Tensor, Tensor, Tensor)>();

    private static Tensor Eager(object model, params object[] arguments) => ComposedForwards.Eager(model, arguments);

    [Theory]
    [InlineData(1L, false)]
    [InlineData(2L, true)]
    public void TheTwinGivesEagersOutputsAndGradients(long layers, bool bidirectional)
    {
        var generator = new torch.Generator(61);
        var model = new RecurrentNet(layers, bidirectional);
        var twin = new RecurrentNet(layers, bidirectional);
        twin.load_state_dict(model.state_dict());
        model.eval();
        twin.eval();
        foreach (long batch in new long[] { 1, 3 })
        {
            using Tensor x = randn(new long[] { batch, 7, 4 }, generator: generator);
            using (no_grad())
            {
                EagerOracle.AssertAgree($"{layers} layers, batch {batch}, TorchScript", () => Eager(model, x), () => Net.InvokeGraph((model, x)));
                EagerOracle.AssertAgree($"{layers} layers, batch {batch}, ONNX Runtime", () => Eager(model, x), () => Net.InvokeOnnx((model, x)), rtol: 1e-3, atol: 1e-4);
            }
        }
        using Tensor input = randn(new long[] { 2, 5, 4 }, generator: generator);
        using Tensor eager = Eager(model, input), graph = Net.InvokeGraph((twin, input));
        Assert.True(graph.requires_grad, "the twin's result carries no autograd history");
        eager.square().sum().backward();
        graph.square().sum().backward();
        ExampleShapedModelTests.AssertSameGradients($"{layers} layers", model, twin, 1e-4, 1e-5);
        Assert.Contains("torch.gru(", Net.FunctionFor(model)!.Info.TwinSource);
        Assert.Contains("torch.lstm(", Net.FunctionFor(model)!.Info.TwinSource);
    }

    [Fact]
    public void ASingleLayerTrainsOnItsTwin()
    {
        var generator = new torch.Generator(62);
        var single = new RecurrentNet(1, false);
        var twin = new RecurrentNet(1, false);
        twin.load_state_dict(single.state_dict());
        single.train();
        twin.train();
        using Tensor x = randn(new long[] { 3, 6, 4 }, generator: generator);
        using (Tensor eager = Eager(single, x), graph = Net.InvokeGraph((twin, x)))   // no dropout within one layer
        {
            eager.square().sum().backward();
            graph.square().sum().backward();
        }
        ExampleShapedModelTests.AssertSameGradients("one layer, training", single, twin, 1e-4, 1e-5);
        // Several layers in training mode (dropout between them): NativeDropoutTests.
    }

    private static ComposedFunction<(ElmanNet, Tensor), Tensor> Elman => Function<ElmanNet, (ElmanNet, Tensor)>();

    [Theory]
    [InlineData(1L, false, false)]
    [InlineData(2L, true, true)]
    [InlineData(2L, false, true)]
    public void AnRnnsNonlinearityIsProbedAndItsTwinsAgree(long layers, bool relu, bool bidirectional)
    {
        var generator = new torch.Generator(64);
        var model = new ElmanNet(layers, relu ? NonLinearities.ReLU : NonLinearities.Tanh, bidirectional);
        var twin = new ElmanNet(layers, relu ? NonLinearities.ReLU : NonLinearities.Tanh, bidirectional);
        twin.load_state_dict(model.state_dict());
        model.eval();
        twin.eval();
        using Tensor x = randn(new long[] { 6, 3, 4 }, generator: generator);
        using (no_grad())
        {
            EagerOracle.AssertAgree($"RNN {layers} layers, TorchScript", () => Eager(model, x), () => Elman.InvokeGraph((model, x)));
            EagerOracle.AssertAgree($"RNN {layers} layers, ONNX Runtime", () => Eager(model, x), () => Elman.InvokeOnnx((model, x)), rtol: 1e-3, atol: 1e-4);
        }
        Assert.Contains(relu ? "torch.rnn_relu(" : "torch.rnn_tanh(", Elman.FunctionFor(model)!.Info.TwinSource);
        Assert.Contains($"{(relu ? "True" : "False")})", Elman.FunctionFor(model)!.Info.TwinSource.Split("__hg_rnn(input")[1].Split('\n')[0]);
        using Tensor eager = Eager(model, x), graph = Elman.InvokeGraph((twin, x));
        eager.square().sum().backward();
        graph.square().sum().backward();
        ExampleShapedModelTests.AssertSameGradients($"RNN {layers} layers", model, twin, 1e-4, 1e-5);
    }

    [Fact]
    public void AStackedRnnFirstCalledInTrainingModeIsComposedInEvalMode()
    {
        var model = new ElmanNet(2, NonLinearities.ReLU, false);
        model.train();
        string? failure = Elman.CompositionFailure(model);
        Assert.NotNull(failure);
        Assert.Contains("'rnn' is a native RNN of 2 layers in training mode", failure);
        model.eval();
        using Tensor x = randn(5, 2, 4);
        using (no_grad())
        using (Tensor y = model.forward(x)) Assert.Equal(new long[] { 2, 12 }, y.shape);
        HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(120));
        Assert.Null(Elman.CompositionFailure(model));
    }

    [Fact]
    public void AGivenInitialStateIsPassedThrough()
    {
        var generator = new torch.Generator(63);
        var model = new StatefulLstm();
        model.eval();
        using Tensor x = randn(new long[] { 5, 3, 4 }, generator: generator);
        using Tensor h0 = randn(new long[] { 2, 3, 6 }, generator: generator), c0 = randn(new long[] { 2, 3, 6 }, generator: generator);
        using (no_grad())
        {
            EagerOracle.AssertAgree("LSTM with its initial state, TorchScript", () => Eager(model, x, h0, c0), () => Stateful.InvokeGraph((model, x, h0, c0)));
            EagerOracle.AssertAgree("LSTM with its initial state, ONNX Runtime", () => Eager(model, x, h0, c0), () => Stateful.InvokeOnnx((model, x, h0, c0)),
                rtol: 1e-3, atol: 1e-4);
        }
    }
}

/// <summary>A native module's weights are read at every call: a load_state_dict, an optimizer step and a to(dtype)
/// after the tree was composed are seen by the next call of its twin.</summary>
[Collection(nameof(DispatchTests))]
public class NativeWeightsTests
{
    private static ComposedFunction<TArgs, Tensor> Function<TModel, TArgs>() => ComposedForwards.Of<TModel, TArgs>();

    private static Tensor Eager(object model, params object[] arguments) => ComposedForwards.Eager(model, arguments);

    [Fact]
    public void LoadedSteppedAndConvertedWeightsReachTheTwins()
    {
        var generator = new torch.Generator(71);
        var recurrent = new RecurrentNet(2, true);
        var encoder = new EncoderLayerBlock(8, 2, 12, Activations.ReLU);
        recurrent.eval();
        encoder.eval();
        var net = Function<RecurrentNet, (RecurrentNet, Tensor)>();
        var block = Function<EncoderLayerBlock, (EncoderLayerBlock, Tensor, Tensor, Tensor)>();
        Tensor x = randn(new long[] { 2, 5, 4 }, generator: generator), s = randn(new long[] { 5, 2, 8 }, generator: generator);
        Tensor mask = zeros(5, 5), padding = zeros(new long[] { 2, 5 }, ScalarType.Bool);
        void Check(string what)
        {
            using (no_grad())
            try
            {
                EagerOracle.AssertAgree($"recurrent, {what}", () => Eager(recurrent, x), () => net.InvokeGraph((recurrent, x)));
                if (x.dtype == ScalarType.Float32)
                    EagerOracle.AssertAgree($"recurrent, {what}, ONNX Runtime", () => Eager(recurrent, x), () => net.InvokeOnnx((recurrent, x)), rtol: 1e-3, atol: 1e-4);
                else // ONNX Runtime's GRU and LSTM take float32 only: no ONNX form, said so
                    Assert.Contains("takes float32", Assert.ThrowsAny<Exception>(() => net.InvokeOnnx((recurrent, x))).Message);
                EagerOracle.AssertAgree($"encoder, {what}", () => Eager(encoder, s, mask, padding), () => block.InvokeGraph((encoder, s, mask, padding)));
                EagerOracle.AssertAgree($"encoder, {what}, ONNX Runtime", () => Eager(encoder, s, mask, padding), () => block.InvokeOnnx((encoder, s, mask, padding)),
                    rtol: 1e-3, atol: 1e-4);
            }
            catch (Exception error) when (error is not Xunit.Sdk.XunitException)
            {
                throw new InvalidOperationException($"{what}: {error.Message}", error);
            }
        }
        Check("as built");
        recurrent.load_state_dict(new RecurrentNet(2, true).state_dict());
        encoder.load_state_dict(new EncoderLayerBlock(8, 2, 12, Activations.ReLU).state_dict());
        Check("after load_state_dict");
        foreach (var module in new nn.Module[] { recurrent, encoder })
        {
            var optimizer = torch.optim.SGD(module.parameters(), 0.5);
            using (Tensor y = module is RecurrentNet r ? r.forward(x) : ((EncoderLayerBlock)module).forward(s, mask, padding)) y.square().sum().backward();
            optimizer.step();
        }
        Check("after an optimizer step");
        recurrent.to(ScalarType.Float64);
        encoder.to(ScalarType.Float64);
        (x, s, mask) = (x.to(ScalarType.Float64), s.to(ScalarType.Float64), mask.to(ScalarType.Float64));
        Check("in float64");
    }
}
