using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>Hybridized Module.forward with submodule calls: the twin agrees with eager in eval mode, its gradients
/// for every parameter equal eager's, an optimizer step and train()/eval() are seen by the next call (state read at
/// every call, never frozen), and a Linear without bias passes None.</summary>
public class ModuleTests
{
    private static HybridFunction<(TwoLayerNet, T), T> Dispatcher() =>
        (HybridFunction<(TwoLayerNet, T), T>)typeof(TwoLayerNet).GetField("__hybrid_forward", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;

    [Fact]
    public void TheTwinAgreesWithEagerInEvalModeAndSeesAnOptimizerStep()
    {
        manual_seed(21);
        var net = new TwoLayerNet();
        net.eval();
        using T x = randn(5, 6);
        var f = Dispatcher();
        EagerOracle.AssertAgree("TwoLayerNet", () => f.InvokeEager((net, x)), () => f.InvokeGraph((net, x)), rtol: 1e-5, atol: 1e-6);

        // One SGD step changes the weights in place: the twin's next call must use the new ones.
        using var optimizer = optim.SGD(net.parameters(), 0.5);
        using (T loss = net.forward(x).square().sum()) loss.backward();
        optimizer.step();
        EagerOracle.AssertAgree("TwoLayerNet", () => f.InvokeEager((net, x)), () => f.InvokeGraph((net, x)), rtol: 1e-5, atol: 1e-6);
    }

    [Fact]
    public void GradientsOfEveryParameterThroughTheTwinEqualEagers()
    {
        manual_seed(22);
        var net = new TwoLayerNet();
        net.eval();
        using T x = randn(4, 6);
        var f = Dispatcher();
        IReadOnlyList<object?> Grads(Func<T> forward)
        {
            net.zero_grad();
            using (T loss = forward().pow(2).mean()) loss.backward();
            return net.parameters().Select(p => (object?)p.grad!.clone()).ToArray();
        }
        Assert.Equal(3, Grads(() => f.InvokeEager((net, x))).Count); // fc1.weight, fc1.bias, fc2.weight (no bias)
        EagerOracle.AssertAgree("TwoLayerNet's gradients", () => Grads(() => f.InvokeEager((net, x))), () => Grads(() => f.InvokeGraph((net, x))), rtol: 1e-4, atol: 1e-6);
    }

    [Fact]
    public void TrainingModeIsReadAtEveryCall()
    {
        manual_seed(23);
        var net = new TwoLayerNet();
        using T x = ones(64, 6);
        var f = Dispatcher();
        net.eval();
        using (T a = f.InvokeGraph((net, x)))
        using (T b = f.InvokeGraph((net, x)))
            Twins.AssertClose(a, b);                       // no dropout in eval mode
        net.train();
        using (T a = f.InvokeGraph((net, x)))
        using (T b = f.InvokeGraph((net, x)))
        using (T same = a.eq(b).all())
            Assert.False(same.item<bool>());               // dropout in training mode: fresh masks per call
    }

    [Fact]
    public void CallAndForwardGoThroughTheDispatcher()
    {
        var net = new TwoLayerNet();
        net.eval();
        using T x = randn(2, 6);
        string name = "HybridGen.EndToEnd.Tests.TwoLayerNet.forward";
        long Calls() => HybridRuntime.GetReport().Where(r => r.Name == name).Sum(r => r.EagerCalls + r.GraphCalls);
        long before = Calls();
        using (T y = net.forward(x)) Assert.Equal(new long[] { 2, 3 }, y.shape);
        using (T y = net.call(x)) Assert.Equal(new long[] { 2, 3 }, y.shape);
        Assert.Equal(before + 2, Calls());
    }

    [Fact]
    public void ActivationModulesAgreeWithEager()
    {
        manual_seed(24);
        var net = new ActivationStack();
        using T x = randn(3, 2, 4);
        var f = (HybridFunction<(ActivationStack, T), T>)typeof(ActivationStack).GetField("__hybrid_forward", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        EagerOracle.AssertAgree("ActivationStack", () => f.InvokeEager((net, x)), () => f.InvokeGraph((net, x)), rtol: 1e-5, atol: 1e-6);
    }

    [Theory]
    [InlineData(0.1)]
    [InlineData(null)]
    public void BatchNormTrainingUpdatesTheStatisticsInPlaceAsEagerDoes(double? momentum)
    {
        var f = (HybridFunction<(NormNet, T), T>)typeof(NormNet).GetField("__hybrid_forward", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        var eagerNet = new NormNet(momentum);
        var graphNet = new NormNet(momentum);
        graphNet.load_state_dict(eagerNet.state_dict());      // the same initial state (not by reseeding: other
                                                             // tests draw from the global generator in parallel)
        T[] batches = Enumerable.Range(0, 4).Select(_ => randn(8, 5) * 2 + 1).ToArray();
        foreach (T batch in batches)
        {
            using T e = f.InvokeEager((eagerNet, batch));
            using T g = f.InvokeGraph((graphNet, batch));
            Twins.AssertClose(e, g, rtol: 1e-4, atol: 1e-5);
        }
        var eagerState = eagerNet.state_dict();
        var graphState = graphNet.state_dict();
        foreach (string key in new[] { "bn.running_mean", "bn.running_var", "bn.num_batches_tracked" })
        {
            using T a = eagerState[key].to(ScalarType.Float32), b = graphState[key].to(ScalarType.Float32);
            Twins.AssertClose(a, b, rtol: 1e-5, atol: 1e-6);
        }
        Assert.Equal(4L, graphState["bn.num_batches_tracked"].item<long>());

        // Eval mode: the running statistics are used, and nothing changes.
        eagerNet.eval();
        graphNet.eval();
        using (T e = f.InvokeEager((eagerNet, batches[0])))
        using (T g = f.InvokeGraph((graphNet, batches[0])))
            Twins.AssertClose(e, g, rtol: 1e-4, atol: 1e-5);
        Assert.Equal(4L, graphNet.state_dict()["bn.num_batches_tracked"].item<long>());
    }

    [Fact]
    public void BatchNormRejectsTheInputRanksEagerRejects()
    {
        var f = (HybridFunction<(NormNet, T), T>)typeof(NormNet).GetField("__hybrid_forward", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        var net = new NormNet(0.1);
        net.eval();
        using T x = randn(2, 4, 3, 5); // BatchNorm1d takes 2 or 3 dimensions after fc: here 4
        Assert.ThrowsAny<System.Exception>(() => f.InvokeEager((net, x)));
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => f.InvokeGraph((net, x)));
        Assert.ThrowsAny<System.ArgumentException>(() => net.forward(x)); // the dispatcher: eager's own exception
    }
}
