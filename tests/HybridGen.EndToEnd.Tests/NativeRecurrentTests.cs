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
/// given initial state); in training
/// mode a module of more than one layer runs eager (its dropout probability is unknown).
/// </summary>
[Collection(nameof(DispatchTests))]
public class NativeRecurrentTests
{
    private static ComposedFunction<TArgs, Tensor> Function<TModel, TArgs>() =>
        (ComposedFunction<TArgs, Tensor>)typeof(TModel).GetField("__hybrid_forward", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

    private static ComposedFunction<(RecurrentNet, Tensor), Tensor> Net => Function<RecurrentNet, (RecurrentNet, Tensor)>();

    private static ComposedFunction<(StatefulLstm, Tensor, Tensor, Tensor), Tensor> Stateful => Function<StatefulLstm, (StatefulLstm, Tensor, Tensor, Tensor)>();

    private static Tensor Eager(object model, params object[] arguments) =>
        (Tensor)model.GetType().GetMethod("ForwardEager", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(model, arguments)!;

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
    public void ASingleLayerTrainsOnItsTwinAndSeveralLayersRunEager()
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

        var stacked = new StatefulLstm();
        stacked.train();
        using Tensor h0 = zeros(2, 3, 6), c0 = zeros(2, 3, 6);
        Assert.Null(Stateful.CompositionFailure(stacked));
        TextWriter? quiet = HybridRuntime.Warnings;
        var warnings = new StringWriter();
        HybridRuntime.Warnings = warnings;
        try
        {
            using Tensor y = stacked.forward(x.transpose(0, 1), h0, c0);
        }
        finally
        {
            HybridRuntime.Warnings = quiet;
        }
        Assert.Contains("'lstm' is a native LSTM in training mode, whose dropout probability lives in libtorch's options", warnings.ToString());
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
