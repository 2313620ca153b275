using System;
using System.Linq;
using HybridGen.Twins.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// The ONNX Runtime route in the dispatcher (issue 20, items 4 and 5): forced onnx mode serves calls that need no
/// gradient and runs the others eager with the reason reported; state is read at every call, so an optimizer step,
/// load_state_dict, a reassigned parameter and to(dtype) are seen by the next call, also once the weights were frozen
/// into a prepacked session; auto mode measures ONNX Runtime as a third candidate where the calls need no gradient.
/// </summary>
public class OnnxDispatchTests
{
    private static HybridFunction<(OnnxForcedMlp, T), T> Forced => Forward<OnnxForcedMlp>.Dispatcher;

    private static SignatureReport Signature(string method, Func<SignatureReport, bool>? which = null) =>
        HybridRuntime.GetReport().Single(r => r.Name == "HybridGen.EndToEnd.Tests." + method).Signatures.First(which ?? (_ => true));

    [Fact]
    public void ForcedOnnxServesCallsThatNeedNoGradientAndSeesEveryChangeOfTheWeights()
    {
        var model = new OnnxForcedMlp();
        model.eval();
        var generator = new torch.Generator(3);
        using T x = randn(new long[] { 5, 8 }, generator: generator);
        using (no_grad())
        {
            void Agrees(string when)
            {
                using T expected = Forced.InvokeEager((model, x));
                using T actual = model.forward(x);
                Assert.Null(EagerOracle.Difference(expected, actual, 1e-4, 1e-5) is { } d ? when + ": " + d : null);
            }
            for (int k = 0; k < OnnxWeightedSession.StableCalls + 2; k++) Agrees("a steady call");
            OnnxTwin onnx = Forced.OnnxTwin!;
            onnx.WaitForFrozen();
            Agrees("after the frozen session was built");
            Assert.True(onnx.Calls.frozen > 0, "no call was served by the prepacked (frozen) session");

            // An optimizer step (in place), load_state_dict, a reassigned parameter: each seen by the next call.
            var optimizer = optim.SGD(model.parameters(), 0.1);
            using (enable_grad())
            {
                optimizer.zero_grad();
                using T loss = Forced.InvokeEager((model, x)).square().sum();
                loss.backward();
                optimizer.step();
            }
            Agrees("after an optimizer step");
            var other = new OnnxForcedMlp();
            model.load_state_dict(other.state_dict());
            Agrees("after load_state_dict");
            model.fc1.weight = new TorchSharp.Modules.Parameter(randn(new long[] { 32, 8 }, generator: generator));
            Agrees("after a reassigned parameter");
            for (int k = 0; k < OnnxWeightedSession.StableCalls + 2; k++) Agrees("steady again");
            onnx.WaitForFrozen();
            model.fc2.bias!.add_(1.0);
            Agrees("after an in-place change once frozen again");
        }
        SignatureReport s = Signature("OnnxForcedMlp.forward");
        Assert.Equal("onnx (forced)", s.State);
        Assert.True(s.OnnxCalls >= 20, $"{s.OnnxCalls} ONNX Runtime calls");
        Assert.Equal(0, s.EagerCalls);

        // to(float64): another signature, with a model of its own.
        model.to(ScalarType.Float64);
        using T x64 = x.to(ScalarType.Float64);
        using (no_grad())
        {
            using T expected = Forced.InvokeEager((model, x64));
            using T actual = model.forward(x64);
            Assert.Equal(ScalarType.Float64, actual.dtype);
            Assert.Null(EagerOracle.Difference(expected, actual, 1e-9, 1e-9));
        }
    }

    [Fact]
    public void AnOpThatLeavesItsInputAsItIsStillGivesANewTensor()
    {
        // trunc of integers changes nothing: its result must still be a tensor of its own (the in-place add_ on it
        // leaves `own` alone), and trunc_ in place must not make the emitter wait on itself.
        using T x = arange(6, ScalarType.Int64);
        using (no_grad())
        {
            using T actual = OnnxNoOpCopies.CopyThenInPlace(x);
            using T expected = x * 4 + 1;
            Assert.True(actual.eq(expected).all().item<bool>(), $"{actual.str()} against {expected.str()}");
        }
        SignatureReport s = Signature("OnnxNoOpCopies.CopyThenInPlace");
        Assert.True(s.OnnxCalls >= 1, $"ONNX Runtime served {s.OnnxCalls} calls ({s.State}, {s.OnnxNote})");
    }

    [Fact]
    public void ForcedOnnxRunsCallsThatNeedGradientsEagerAndSaysWhatWouldLetOnnxRuntimeServeThem()
    {
        var model = new OnnxForcedMlp();
        using T x = ones(3, 8);
        using T y = model.forward(x);                       // parameters require grad, grad mode on
        Assert.True(y.requires_grad);
        y.sum().backward();
        Assert.NotNull(model.fc1.weight!.grad);
        SignatureReport s = Signature("OnnxForcedMlp.forward", r => r.Signature.Contains("[3,8]") && r.Fallback is not null);
        Assert.Contains("need gradients", s.Fallback);
        Assert.Contains("no_grad", s.Fallback);
    }

    [Fact]
    public void InAutoModeOnnxRuntimeIsMeasuredWhereTheCallsNeedNoGradient()
    {
        var model = new OnnxAutoMlp();
        model.eval();
        using T x = randn(7, 8);
        using (no_grad())
        {
            for (int k = 0; k < 200 && !Decided(); k++)
            {
                HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(30));
                using T expected = Forward<OnnxAutoMlp>.Dispatcher.InvokeEager((model, x));
                using T actual = model.forward(x);
                Assert.Null(EagerOracle.Difference(expected, actual, 1e-4, 1e-5));
            }
        }
        SignatureReport s = Signature("OnnxAutoMlp.forward", r => r.Signature.Contains("[7,8]"));
        Assert.True(Decided(), "no decision after 200 calls: " + s.State);
        Assert.NotNull(s.OnnxMedianMicroseconds);
        Assert.True(s.OnnxCalls > 0);
        Assert.Null(s.OnnxNote);
        var text = new System.IO.StringWriter();
        HybridRuntime.WriteReport(text);
        Assert.Contains("OnnxAutoMlp.forward [float32[7,8] cpu", text.ToString());
        Assert.Contains("ONNX Runtime median", text.ToString());

        // The same shapes with grad on: the calls need gradients, so ONNX Runtime is no candidate, and the report says why.
        using (T withGrad = model.forward(x)) Assert.True(withGrad.requires_grad);
        SignatureReport[] signatures = HybridRuntime.GetReport().Single(r => r.Name.EndsWith("OnnxAutoMlp.forward")).Signatures.ToArray();
        Assert.Equal(2, signatures.Length);
        Assert.Single(signatures, r => r.OnnxNote is { } note && note.Contains("need gradients"));

        static bool Decided() => HybridRuntime.GetReport().SingleOrDefault(r => r.Name.EndsWith("OnnxAutoMlp.forward"))?.Signatures
            .FirstOrDefault(r => r.Signature.Contains("[7,8]")) is { State: not "probing" };
    }
}
