using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// The ONNX Runtime route (issue 20): each model of the corpus in eval mode under no_grad, the model emitted from its
/// twin's graph IR for the call's signature and run by ONNX Runtime against the eager body. Tolerance: ORT's MLAS
/// kernels sum in another order than libtorch's (and fuse GELU, batch norm into convolutions), so float32 results
/// differ in the last bits, more through deep stacks: rtol 1e-4 and atol 1e-5, as the TorchScript corpus tests use.
/// </summary>
public class OnnxRouteTests
{
    public static TheoryData<string> Models => new()
    {
        "MnistCnn", "AlexNetLike", "TinyResNet", "VggBn", "MobileNetBlock", "EncoderLayer", "PositionalEncoding", "ListMlp",
        "DeepMlp2", "DeepMlp8", "EncoderStack3", "TokenEncoder",
    };

    private static (nn.Module<T, T> model, T input) Make(string name) => name switch
    {
        "MnistCnn" => (new MnistCnn(), randn(2, 1, 16, 16)),
        "AlexNetLike" => (new AlexNetLike(), randn(2, 3, 32, 32)),
        "TinyResNet" => (new TinyResNet(), randn(2, 3, 16, 16)),
        "VggBn" => (new VggBn(), randn(2, 3, 16, 16)),
        "MobileNetBlock" => (new MobileNetBlock(), randn(2, 16, 8, 8)),
        "EncoderLayer" => (new EncoderLayer(), randn(2, 6, 32)),
        "PositionalEncoding" => (new PositionalEncoding(16, 50), randn(3, 7, 16)),
        "ListMlp" => (new ListMlp(), randn(4, 8)),
        "DeepMlp2" => (new DeepMlp(2), randn(3, 8)),
        "DeepMlp8" => (new DeepMlp(8), randn(3, 8)),
        "EncoderStack3" => (new EncoderStack(3), randn(2, 5, 32)),
        "TokenEncoder" => (new TokenEncoder(), randint(0, 50, new long[] { 3, 6 })),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void EvalOutputsAgreeWithEager(string name)
    {
        (nn.Module<T, T> model, T input) = Make(name);
        model.eval();
        using var _ = no_grad();
        var (eager, onnx, _) = Routes(model);
        EagerOracle.AssertAgree(name + " (ONNX Runtime)", () => eager(input), () => onnx(input));
        // Other signatures (batch sizes 1 and 32, as the benchmark runs) get models of their own.
        foreach (long batch in new long[] { 1, 32 })
        {
            using T other = input.dtype == ScalarType.Int64 ? randint(0, 50, new long[] { batch, 6 }) : randn(new[] { batch }.Concat(input.shape.Skip(1)).ToArray());
            EagerOracle.AssertAgree($"{name} (ONNX Runtime, batch {batch})", () => eager(other), () => onnx(other));
        }
        input.Dispose();
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void FrozenWeightsAgreeWithEager(string name)
    {
        // Once the weights stay the same, calls move to a session whose weights are initializers, read in place and
        // prepacked (ONNX Runtime's graph optimizations transform some, such as convolution weights on AVX-512 hosts):
        // it must agree as well.
        (nn.Module<T, T> model, T input) = Make(name);
        model.eval();
        using var _ = no_grad();
        var (eager, onnx, twinOf) = Routes(model);
        HybridGen.Twins.Onnx.OnnxTwin twin = twinOf(input);
        for (int k = 0; k < HybridGen.Twins.Onnx.OnnxWeightedSession.StableCalls + 2; k++) onnx(input).Dispose();
        twin.WaitForFrozen();
        long frozen = twin.Calls.frozen;
        EagerOracle.AssertAgree(name + " (ONNX Runtime, frozen weights)", () => eager(input), () => onnx(input));
        Assert.True(twin.Calls.frozen > frozen, $"{name}: no call was served with frozen weights");
        input.Dispose();
    }

    /// <summary>The model's eager and ONNX Runtime routes, and the ONNX twin that serves an input's calls.</summary>
    private static (Func<T, T> eager, Func<T, T> onnx, Func<T, HybridGen.Twins.Onnx.OnnxTwin> twin) Routes(nn.Module<T, T> model)
    {
        var method = typeof(OnnxRouteTests).GetMethod(nameof(Typed), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(model.GetType());
        return ((Func<T, T>, Func<T, T>, Func<T, HybridGen.Twins.Onnx.OnnxTwin>))method.Invoke(null, new object[] { model })!;
    }

    private static (Func<T, T>, Func<T, T>, Func<T, HybridGen.Twins.Onnx.OnnxTwin>) Typed<TModel>(nn.Module<T, T> model) where TModel : nn.Module<T, T>
    {
        var m = (TModel)model;
        return (x => Forward<TModel>.DispatcherFor(m, x).InvokeEager((m, x)), x => Forward<TModel>.DispatcherFor(m, x).InvokeOnnx((m, x)),
            x => Forward<TModel>.DispatcherFor(m, x).OnnxTwin!);
    }
}
