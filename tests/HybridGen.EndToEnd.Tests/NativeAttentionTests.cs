using System;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// TorchSharp's native MultiheadAttention on its own in composed trees (docs/modules.md, "Native transformer modules"):
/// its heads probed, packed or separate projections, with and without bias, add_bias_kv and add_zero_attn, the
/// attention and key padding masks and need_weights' averaged weights; the twins agree with libtorch on outputs (TorchScript and ONNX Runtime) and gradients.
/// </summary>
[Collection(nameof(DispatchTests))]
public class NativeAttentionTests
{
    [Theory]
    [InlineData(8L, 2L, null, true, false, false)]
    [InlineData(8L, 4L, 6L, true, false, false)]
    [InlineData(12L, 3L, null, false, false, false)]
    [InlineData(8L, 2L, null, true, true, false)]
    [InlineData(8L, 4L, 6L, true, true, true)]
    [InlineData(12L, 3L, null, false, false, true)]
    public void TheTwinsGiveLibtorchsAttention(long width, long heads, long? keyWidth, bool bias, bool addBiasKv, bool addZeroAttn)
    {
        var generator = new torch.Generator(91 + (ulong)heads);
        var model = new AttentionBlock(width, heads, keyWidth, bias, addBiasKv: addBiasKv, addZeroAttn: addZeroAttn);
        var twin = new AttentionBlock(width, heads, keyWidth, bias, addBiasKv: addBiasKv, addZeroAttn: addZeroAttn);
        twin.load_state_dict(model.state_dict());
        model.eval();
        twin.eval();
        var function = ComposedForwards.Of<AttentionBlock, (AttentionBlock, Tensor, Tensor, Tensor)>();
        using Tensor query = randn(new long[] { 3, 2, width }, generator: generator);
        using Tensor memory = randn(new long[] { 4, 2, keyWidth ?? width }, generator: generator);
        using Tensor mask = randn(new long[] { 3, 4 }, generator: generator);
        using (no_grad())
        {
            EagerOracle.AssertAgree($"{heads} heads, TorchScript", () => ComposedForwards.Eager(model, query, memory, mask), () => function.InvokeGraph((model, query, memory, mask)));
            EagerOracle.AssertAgree($"{heads} heads, ONNX Runtime", () => ComposedForwards.Eager(model, query, memory, mask), () => function.InvokeOnnx((model, query, memory, mask)),
                rtol: 1e-3, atol: 1e-4);
        }
        string source = function.FunctionFor(model)!.Info.TwinSource;
        Assert.Contains($"__hg_multi_head_attention(query, key, value, key_padding_mask, need_weights, attn_mask, {heads},", source);
        Assert.EndsWith($", {(addZeroAttn ? "True" : "False")})", source.Split("__hg_multi_head_attention(query, key, value")[1].Split('\n')[0].TrimEnd());
        using (Tensor eager = ComposedForwards.Eager(model, query, memory, mask), graph = function.InvokeGraph((twin, query, memory, mask)))
        {
            eager.square().sum().backward();
            graph.square().sum().backward();
        }
        // The key bias's gradient is zero in exact arithmetic (softmax ignores what adds to every key alike): both
        // sides give rounding noise of about 1e-5 there, hence the absolute tolerance (measured: 3e-6 against -1e-5).
        ExampleShapedModelTests.AssertSameGradients($"{heads} heads", model, twin, 1e-3, 1e-4);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void AKeyPaddingMaskIsExtendedForAddedKeys(bool addBiasKv, bool addZeroAttn)
    {
        var generator = new torch.Generator(97);
        var model = new PaddedAttentionBlock(8, 2, addBiasKv, addZeroAttn);
        var twin = new PaddedAttentionBlock(8, 2, addBiasKv, addZeroAttn);
        twin.load_state_dict(model.state_dict());
        model.eval();
        twin.eval();
        var function = ComposedForwards.Of<PaddedAttentionBlock, (PaddedAttentionBlock, Tensor, Tensor, Tensor)>();
        using Tensor query = randn(new long[] { 3, 2, 8 }, generator: generator), memory = randn(new long[] { 5, 2, 8 }, generator: generator);
        using Tensor padding = tensor(new[] { false, false, true, false, true, false, false, false, false, true }).reshape(2, 5);
        using (no_grad())
        {
            EagerOracle.AssertAgree("padding, TorchScript", () => ComposedForwards.Eager(model, query, memory, padding), () => function.InvokeGraph((model, query, memory, padding)));
            EagerOracle.AssertAgree("padding, ONNX Runtime", () => ComposedForwards.Eager(model, query, memory, padding), () => function.InvokeOnnx((model, query, memory, padding)),
                rtol: 1e-3, atol: 1e-4);
        }
        using (Tensor eager = ComposedForwards.Eager(model, query, memory, padding), graph = function.InvokeGraph((twin, query, memory, padding)))
        {
            eager.square().sum().backward();
            graph.square().sum().backward();
        }
        ExampleShapedModelTests.AssertSameGradients("padding", model, twin, 1e-3, 1e-4);
        // A padding mask of the wrong length fails as eager does (the added keys are the module's, not the caller's):
        // one as long as the keys with add_zero_attn's would pass a check made after that key is added, and libtorch
        // checks before.
        long length = 5 + (addBiasKv ? 1 : 0) + 1;
        using Tensor wrong = zeros(new long[] { 2, length }, ScalarType.Bool);
        using (no_grad())
        {
            Assert.ThrowsAny<Exception>(() => ComposedForwards.Eager(model, query, memory, wrong));
            Assert.ThrowsAny<Exception>(() => function.InvokeGraph((model, query, memory, wrong)));
        }
    }

    [Fact]
    public void InTrainingModeItRunsEagerAndIsComposedInEvalMode()
    {
        var model = new AttentionBlock(8, 2);
        var function = ComposedForwards.Of<AttentionBlock, (AttentionBlock, Tensor, Tensor, Tensor)>();
        model.train();
        Assert.Contains("'attention' is a native MultiheadAttention in training mode", function.CompositionFailure(model));
        model.eval();
        using Tensor query = randn(3, 2, 8), memory = randn(4, 2, 8), mask = zeros(3, 4);
        using (no_grad())
        using (Tensor y = model.forward(query, memory, mask)) Assert.Equal(new long[] { 3, 2, 3 }, y.shape);
        HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(120));
        Assert.Null(function.CompositionFailure(model));
    }
}
