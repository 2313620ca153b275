using System;
using HybridGen.Twins.Onnx;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// The ONNX Runtime route's memory (issue 20, item 3): the frozen sessions of a model's signatures read its weights
/// in place and share one container of prepacked weights (a new one only once the weights change), and a steady call
/// allocates no managed memory per weight it reads.
/// </summary>
public class OnnxMemoryTests
{
    private readonly Xunit.Abstractions.ITestOutputHelper _output;

    public OnnxMemoryTests(Xunit.Abstractions.ITestOutputHelper output) => _output = output;

    private static void Steady(OnnxTwoLayers model, T x, OnnxTwin onnx)
    {
        for (int k = 0; k < OnnxWeightedSession.StableCalls + 2; k++) Agrees(model, x);
        onnx.WaitForFrozen();
        Agrees(model, x);
    }

    private static void Agrees(OnnxTwoLayers model, T x)
    {
        using var scope = NewDisposeScope();
        T expected = Forward<OnnxTwoLayers>.Dispatcher.InvokeEager((model, x));
        T actual = model.forward(x);
        Assert.Null(EagerOracle.Difference(expected, actual, 1e-4, 1e-5));
    }

    [Fact]
    public void SignaturesShareOnePrepackedContainerUntilTheWeightsChange()
    {
        var model = new OnnxTwoLayers();
        model.eval();
        var generator = new torch.Generator(5);
        using T batch2 = randn(new long[] { 2, 16 }, generator: generator);
        using T batch7 = randn(new long[] { 7, 16 }, generator: generator);
        using (no_grad())
        {
            Agrees(model, batch2);
            OnnxTwin onnx = Forward<OnnxTwoLayers>.Dispatcher.OnnxTwin!;
            int before = onnx.PrepackedContainers;
            (long frozen, _) = onnx.Calls;
            Steady(model, batch2, onnx);
            Steady(model, batch7, onnx);
            Assert.True(onnx.Calls.frozen >= frozen + 2, "the frozen sessions served no call");
            Assert.Equal(before + 1, onnx.PrepackedContainers); // two signatures, one container

            model.fc1.weight!.add_(0.5); // in place: the next calls see it, and a new freeze gets a new container
            Agrees(model, batch2);
            Steady(model, batch2, onnx);
            Steady(model, batch7, onnx);
            Assert.Equal(before + 2, onnx.PrepackedContainers);

            // Another instance, weights of its own: a container of its own; back to the first, its container is
            // still offered (the method is shared by every instance of the class).
            var other = new OnnxTwoLayers();
            other.eval();
            Steady(other, batch2, onnx);
            Assert.Equal(before + 3, onnx.PrepackedContainers);
            using T batch5 = randn(new long[] { 5, 16 }, generator: generator);
            Steady(model, batch5, onnx);
            Assert.Equal(before + 3, onnx.PrepackedContainers);
        }
    }

    [Fact]
    public void ASteadyCallAllocatesNothingPerWeight()
    {
        // Managed bytes per steady call (frozen session, same signature) for a model of 4 weights and one of 12: the
        // results and their bindings cost the same in both, so any difference is allocation per weight read.
        var generator = new torch.Generator(6);
        using T x = randn(new long[] { 3, 16 }, generator: generator);
        double two = BytesPerCall(new OnnxTwoLayers(), m => m.forward(x), () => Forward<OnnxTwoLayers>.Dispatcher.OnnxTwin);
        double six = BytesPerCall(new OnnxSixLayers(), m => m.forward(x), () => Forward<OnnxSixLayers>.Dispatcher.OnnxTwin);
        Assert.True(Math.Abs(six - two) < 64, $"{two:F0} bytes a call with 4 weights, {six:F0} with 12");
        _output.WriteLine($"{two:F0} bytes a call with 4 weights, {six:F0} with 12");
    }

    private static double BytesPerCall<TModel>(TModel model, Func<TModel, T> call, Func<OnnxTwin?> onnx) where TModel : nn.Module
    {
        model.eval();
        using (no_grad())
        {
            for (int k = 0; k < OnnxWeightedSession.StableCalls + 2; k++) call(model).Dispose();
            onnx()!.WaitForFrozen();
            for (int k = 0; k < 50; k++) call(model).Dispose(); // warm: tiered JIT, first-run paths
            const int calls = 400;
            long start = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < calls; k++) call(model).Dispose();
            return (GC.GetAllocatedBytesForCurrentThread() - start) / (double)calls;
        }
    }
}
