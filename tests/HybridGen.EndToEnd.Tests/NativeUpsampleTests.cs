using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// TorchSharp's Upsample in composed trees (docs/modules.md, "Upsample"): its settings read off the live module, the
/// TorchScript twin agreeing with libtorch's interpolate on outputs and input gradients, the ONNX Runtime twin (Resize)
/// on outputs, for every mode and rank it takes, sizes and scale factors, align_corners, recompute_scale_factor.
/// </summary>
[Collection(nameof(DispatchTests))]
public class NativeUpsampleTests
{
    public static IEnumerable<object[]> Cases() => new[]
    {
        new object[] { "nearest, scale 2x2", new long[] { 2, 3, 4, 5 }, null!, new[] { 2.0, 2.0 }, UpsampleMode.Nearest, null!, null!, null! },
        new object[] { "nearest, size 7x9", new long[] { 2, 3, 4, 5 }, new long[] { 7, 9 }, null!, UpsampleMode.Nearest, null!, null!, null! },
        new object[] { "nearest 1-d, scale 3", new long[] { 2, 3, 5 }, null!, new[] { 3.0 }, UpsampleMode.Nearest, null!, null!, null! },
        new object[] { "bilinear, scale 1.5x2", new long[] { 1, 2, 4, 6 }, null!, new[] { 1.5, 2.0 }, UpsampleMode.Bilinear, false, null!, null! },
        new object[] { "bilinear, align corners, size 9x5", new long[] { 1, 2, 4, 6 }, new long[] { 9, 5 }, null!, UpsampleMode.Bilinear, true, null!, null! },
        new object[] { "bilinear, corners unset, scale 2x2", new long[] { 1, 2, 3, 3 }, null!, new[] { 2.0, 2.0 }, UpsampleMode.Bilinear, null!, null!, null! },
        new object[] { "bilinear, recomputed scale 1.7", new long[] { 1, 2, 5, 5 }, null!, new[] { 1.7, 1.7 }, UpsampleMode.Bilinear, false, true, null! },
        new object[] { "linear 1-d, scale 2.5", new long[] { 2, 3, 6 }, null!, new[] { 2.5 }, UpsampleMode.Linear, false, null!, null! },
        new object[] { "trilinear, size 4x5x6", new long[] { 1, 2, 2, 3, 4 }, new long[] { 4, 5, 6 }, null!, UpsampleMode.Trilinear, false, null!, null! },
        new object[] { "bicubic, scale 2x2", new long[] { 1, 2, 4, 4 }, null!, new[] { 2.0, 2.0 }, UpsampleMode.Bicubic, false, null!, "bicubic" },
        // ONNX Runtime sizes the output from float32 scales: 0.29 of 100 gives it 29 where libtorch gives 28.
        new object[] { "nearest 1-d, scale 0.29 of 100", new long[] { 1, 2, 100 }, null!, new[] { 0.29 }, UpsampleMode.Nearest, null!, null!, "sizes differently" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void TheTwinsGiveLibtorchsInterpolation(string what, long[] shape, long[]? size, double[]? scale, UpsampleMode mode, bool? corners, bool? recompute, string? onnxRefusal)
    {
        var generator = new torch.Generator(81);
        var model = new UpsampleNet(Upsample(size, scale, mode, corners, recompute));
        var function = ComposedForwards.Of<UpsampleNet, (UpsampleNet, Tensor)>();
        using Tensor x = randn(shape, generator: generator);
        using (no_grad())
        {
            EagerOracle.AssertAgree($"{what}, TorchScript", () => ComposedForwards.Eager(model, x), () => function.InvokeGraph((model, x)));
            if (onnxRefusal is null)
                EagerOracle.AssertAgree($"{what}, ONNX Runtime", () => ComposedForwards.Eager(model, x), () => function.InvokeOnnx((model, x)), rtol: 1e-4, atol: 1e-5);
            else
                Assert.Contains(onnxRefusal, Assert.ThrowsAny<Exception>(() => function.InvokeOnnx((model, x))).Message);
        }
        using Tensor a = x.detach().requires_grad_(), b = x.detach().requires_grad_();
        using (Tensor eager = ComposedForwards.Eager(model, a), graph = function.InvokeGraph((model, b)))
        {
            eager.square().sum().backward();
            graph.square().sum().backward();
        }
        Assert.True(EagerOracle.Difference(a.grad!, b.grad!, 1e-4, 1e-5) is null, $"{what}, input gradient: {EagerOracle.Difference(a.grad!, b.grad!, 1e-4, 1e-5)}");
    }

    [Fact]
    public void SettingRecomputeScaleFactorComposesTheTreeAgain()
    {
        var upsample = Upsample(scale_factor: new[] { 1.7, 1.7 }, mode: UpsampleMode.Bilinear, align_corners: false);
        var model = new UpsampleNet(upsample);
        var function = ComposedForwards.Of<UpsampleNet, (UpsampleNet, Tensor)>();
        using Tensor x = randn(1, 2, 5, 5);
        using (no_grad())
        {
            EagerOracle.AssertAgree("as built", () => ComposedForwards.Eager(model, x), () => function.InvokeGraph((model, x)));
            upsample.recompute_scale_factor = true;
            EagerOracle.AssertAgree("recompute_scale_factor set", () => ComposedForwards.Eager(model, x), () => function.InvokeGraph((model, x)));
        }
    }
}
