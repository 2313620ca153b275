using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>The dispatcher behind a model's hybridized forward, for tests that run the twin and eager side by side.</summary>
internal static class Forward<TModel> where TModel : nn.Module<T, T>
{
    public static HybridFunction<(TModel, T), T> Dispatcher =>
        (HybridFunction<(TModel, T), T>)typeof(TModel).GetField("__hybrid_forward", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null)!;

    /// <summary>The dispatcher of the module tree <paramref name="model"/> has (a model whose constructor picks
    /// submodules by a condition has one per tree, __hybrid_forward_treeN), as the generated forward picks it.</summary>
    public static HybridFunction<(TModel, T), T> DispatcherFor(TModel model, T input) =>
        typeof(TModel).GetFields(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)
            .Where(f => f.Name.StartsWith("__hybrid_forward", StringComparison.Ordinal))
            .OrderByDescending(f => f.Name.Length).ThenByDescending(f => f.Name)
            .Select(f => (HybridFunction<(TModel, T), T>)f.GetValue(null)!)
            .First(f => f.Fits((model, input)));

    /// <summary>Eager and twin outputs agree, and so do the gradients of the input and of every parameter (through
    /// the eager oracle: a value eager itself gets differently in two runs is noted, not compared).</summary>
    public static void AgreesWithEager(TModel model, T input, double rtol = 1e-4, double atol = 1e-5)
    {
        var f = DispatcherFor(model, input);
        string[] names = new[] { "output" }.Concat(model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => $"gradient of {p.name}"))
            .Append("gradient of the input").ToArray();
        IReadOnlyList<object?> Run(Func<T, T> forward)
        {
            var values = new List<object?>();
            using (T output = forward(input)) values.Add(output.detach().clone());
            model.zero_grad();
            using T x = input.detach().requires_grad_(input.is_floating_point());
            using (T loss = forward(x).pow(2).mean()) loss.backward();
            values.AddRange(model.parameters().Where(p => p.requires_grad).Select(p => (object?)p.grad!.clone()));
            if (x.requires_grad) values.Add(x.grad!.clone());
            return values;
        }
        EagerOracle.AssertAgree(typeof(TModel).Name, () => Run(x => f.InvokeEager((model, x))), () => Run(x => f.InvokeGraph((model, x))),
            rtol, atol, k => k < names.Length ? names[k] : $"value {k}", k => k == 0 ? (rtol, atol) : (rtol * 10, atol * 10));
    }
}

/// <summary>Each module kind of the catalog (convolution, pooling, normalization, GELU) agrees with eager, values
/// and gradients; the settings are read at every call.</summary>
public class ModuleKindTests
{
    [Fact]
    public void ConvolutionsInEveryPaddingFormAgreeWithEager()
    {
        var net = new ConvForms();
        using T x = randn(2, 4, 9, 11);
        Forward<ConvForms>.AgreesWithEager(net, x);
        using T unbatched = randn(4, 7, 8);
        Forward<ConvForms>.AgreesWithEager(net, unbatched);
    }

    [Fact]
    public void OneDimensionalConvolutionsAgreeWithEager()
    {
        var net = new Conv1dNet();
        using T x = randn(3, 3, 20);
        Forward<Conv1dNet>.AgreesWithEager(net, x);
    }

    [Fact]
    public void ThreeDimensionalConvolutionsAndBatchNormAgreeWithEagerOnBothGraphRoutes()
    {
        var net = new Conv3dNet();
        var generator = new torch.Generator(31);
        using T x = randn(new long[] { 2, 2, 6, 7, 8 }, generator: generator);
        Forward<Conv3dNet>.AgreesWithEager(net, x);                 // training mode: batch statistics, gradients
        net.eval();
        Forward<Conv3dNet>.AgreesWithEager(net, x);
        using (no_grad())
        {
            var f = Forward<Conv3dNet>.Dispatcher;
            EagerOracle.AssertAgree("Conv3dNet (ONNX Runtime)", () => f.InvokeEager((net, x)), () => f.InvokeOnnx((net, x)));
        }
    }

    [Fact]
    public void TransposedConvolutionsAgreeWithEagerOnBothGraphRoutes()
    {
        var net = new ConvTransposeNet();
        var generator = new torch.Generator(32);
        using T x = randn(new long[] { 2, 4, 5, 6 }, generator: generator);
        Forward<ConvTransposeNet>.AgreesWithEager(net, x);
        using T unbatched = randn(new long[] { 4, 5, 6 }, generator: generator);
        Forward<ConvTransposeNet>.AgreesWithEager(net, unbatched);
        net.eval();
        using (no_grad())
        {
            var f = Forward<ConvTransposeNet>.Dispatcher;
            EagerOracle.AssertAgree("ConvTransposeNet (ONNX Runtime)", () => f.InvokeEager((net, x)), () => f.InvokeOnnx((net, x)));
        }
    }

    [Fact]
    public void PoolingNormsAndGeluAgreeWithEager()
    {
        var net = new PoolNormNet();
        using T x = randn(2, 3, 12, 14);
        Forward<PoolNormNet>.AgreesWithEager(net, x);
    }

    [Fact]
    public void AConvolutionsSettingsAreReadAtEveryCall()
    {
        var net = new Conv1dNet();
        var f = Forward<Conv1dNet>.Dispatcher;
        using T x = randn(2, 3, 24);
        var c3 = (TorchSharp.Modules.Conv1d)net.named_children().Single(c => c.name == "c3").module;
        c3.stride = new long[] { 1 };                         // was 2: the next call must see it
        using T e = f.InvokeEager((net, x));
        using T g = f.InvokeGraph((net, x));
        Assert.Equal(e.shape, g.shape);
        Twins.AssertClose(e, g, 1e-4, 1e-5);
    }

    [Fact]
    public void AWrongInputShapeFailsInTheTwinAndEagerThrowsItsOwnError()
    {
        var net = new ConvForms();
        var f = Forward<ConvForms>.Dispatcher;
        using T wrongChannels = randn(2, 5, 9, 9);
        Assert.Throws<ArgumentException>(() => f.InvokeEager((net, wrongChannels)));
        Assert.Throws<System.Runtime.InteropServices.ExternalException>(() => f.InvokeGraph((net, wrongChannels)));
        Assert.Throws<ArgumentException>(() => net.forward(wrongChannels));
    }

    [Fact]
    public void AListSettingOfAnotherLengthThanTheTwinTakesRunsEager()
    {
        var net = new PoolNormNet();
        var f = Forward<PoolNormNet>.Dispatcher;
        using T x = randn(1, 3, 12, 14);
        var pool = (TorchSharp.Modules.MaxPool2d)net.named_children().Single(c => c.name == "maxPool").module;
        pool.kernel_size = new long[] { 2, 2, 2 };          // the twin takes 2 entries: the call runs eager
        Assert.False(f.Fits((net, x)));
        var error = Assert.Throws<InvalidOperationException>(() => f.InvokeGraph((net, x)));
        Assert.Contains("'maxPool.kernel_size' has 3 entries; the twin takes 2", error.Message);
        Assert.ThrowsAny<Exception>(() => net.forward(x));   // and aten refuses it eagerly
    }
}
