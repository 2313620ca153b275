using System;
using System.Collections.Generic;
using System.Linq;
using HybridGen.Twins.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>Weights never frozen, and fast when they do not change: every call agrees with eager on the weights as
/// they are at that call, through an optimizer step, load_state_dict and a reassigned parameter; stable weights move
/// the calls to the prepacked (initializer) session.</summary>
public class OnnxWeightedSessionTests
{
    private static byte[] Model(IReadOnlyList<Tensor>? initializers)
    {
        var model = new OnnxModelBuilder("linear_relu");
        string x = model.Input("x", ScalarType.Float32, new long?[] { null, 4 });
        string w = initializers is null ? model.Input("w", ScalarType.Float32, new long?[] { 3, 4 }) : model.Initializer("w", initializers[0]);
        string b = initializers is null ? model.Input("b", ScalarType.Float32, new long?[] { 3 }) : model.Initializer("b", initializers[1]);
        model.Output(model.Node("Relu", new[] { model.Node("Gemm", new[] { x, w, b }, OnnxAttribute.Of("transB", 1L)) }), ScalarType.Float32, 2);
        return model.ToModel();
    }

    private static Tensor[] Inputs(Tensor x, nn.Module<Tensor, Tensor> linear) => linear.parameters().Select(p => (Tensor)p).Prepend(x).ToArray();

    private static void Calls(OnnxWeightedSession session, nn.Module<Tensor, Tensor> linear, Tensor x, int count, string what)
    {
        for (int i = 0; i < count; i++)
        {
            using var scope = NewDisposeScope();
            Tensor twin = session.Run(Inputs(x, linear), 1)[0];
            Tensor eager;
            using (no_grad()) eager = nn.functional.relu(linear.forward(x));
            Assert.True(EagerOracle.Difference(eager, twin, 1e-4, 1e-5) is null, $"{what}, call {i}: {EagerOracle.Difference(eager, twin, 1e-4, 1e-5)}");
        }
    }

    private static void Settle(OnnxWeightedSession session) => session.Freezing?.Wait(TimeSpan.FromSeconds(60));

    [Fact]
    public void StableWeightsMoveToThePrepackedSessionAndChangesAreSeenAtTheNextCall()
    {
        var g = new torch.Generator(21);
        var linear = nn.Linear(4, 3);
        using Tensor x = randn(new long[] { 5, 4 }, generator: g);
        using var session = new OnnxWeightedSession(Model, threads: 1);

        Calls(session, linear, x, OnnxWeightedSession.StableCalls, "stable weights");
        Settle(session);
        long frozenBefore = session.FrozenCalls;
        Calls(session, linear, x, 5, "after the freeze");
        Assert.Equal(frozenBefore + 5, session.FrozenCalls); // the prepacked session served them

        // An optimizer step: the very next call sees the new weights (through the inputs session).
        var optimizer = optim.SGD(linear.parameters(), 0.5);
        using (Tensor loss = linear.forward(x).sum()) loss.backward();
        optimizer.step();
        long inputsBefore = session.InputCalls;
        Calls(session, linear, x, 1, "after an optimizer step");
        Assert.Equal(inputsBefore + 1, session.InputCalls);

        // load_state_dict and a reassigned parameter: the same.
        linear.load_state_dict(nn.Linear(4, 3).state_dict());
        Calls(session, linear, x, 1, "after load_state_dict");
        linear.bias = new TorchSharp.Modules.Parameter(randn(new long[] { 3 }, generator: g));
        Calls(session, linear, x, 1, "after a reassigned bias");

        // Stable again: refrozen with the new weights, and right.
        Calls(session, linear, x, OnnxWeightedSession.StableCalls, "stable again");
        Settle(session);
        frozenBefore = session.FrozenCalls;
        Calls(session, linear, x, 3, "after the second freeze");
        Assert.Equal(frozenBefore + 3, session.FrozenCalls);
    }

    [Fact]
    public void WeightsThatChangeEveryCallAreNeverFrozen()
    {
        // Training: every step changes the weights, so no prepacked copy is built for them.
        var g = new torch.Generator(22);
        var linear = nn.Linear(4, 3);
        var optimizer = optim.SGD(linear.parameters(), 0.01);
        using Tensor x = randn(new long[] { 2, 4 }, generator: g);
        using var session = new OnnxWeightedSession(Model, threads: 1);
        for (int step = 0; step < 3 * OnnxWeightedSession.StableCalls; step++)
        {
            Calls(session, linear, x, 1, $"step {step}");
            optimizer.zero_grad();
            using (Tensor loss = linear.forward(x).pow(2).sum()) loss.backward();
            optimizer.step();
        }
        Assert.Null(session.Freezing);
        Assert.Equal(0, session.FrozenCalls);
    }
}
