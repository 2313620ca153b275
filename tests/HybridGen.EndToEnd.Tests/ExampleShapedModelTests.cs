using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// Issue 21's corpus (Models/ExampleShapedModels.cs): models built as dotnet/TorchSharpExamples builds them. Each
/// hybridized forward gives its eager body's result in eval and training mode, and the count of those that get a
/// twin is pinned: today none (HG0108, HG0110: their module trees exist only at run time). Issue 21 composes twins
/// for them at run time; this test then changes with it, and a lost twin fails it.
/// </summary>
public class ExampleShapedModelTests
{
    private static readonly Dictionary<string, Func<nn.Module<Tensor, Tensor>>> Models = new()
    {
        ["ResNet18-shaped"] = () => ResNetShaped.Basic18(10),
        ["ResNet50-shaped"] = () => ResNetShaped.Bottleneck50(10),
        ["MobileNet-shaped"] = () => new MobileNetShaped(10),
        ["VGG-shaped, small"] = () => new VggShaped("vgg-small", 10),
        ["VGG-shaped, deeper"] = () => new VggShaped("VGG-deeper", 10),
    };

    public static IEnumerable<object[]> Names() => Models.Keys.Select(k => new object[] { k });

    private static Tensor EagerBody(nn.Module<Tensor, Tensor> model, Tensor x) =>
        (Tensor)model.GetType().GetMethod("ForwardEager", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(model, new object[] { x })!;

    [Theory]
    [MemberData(nameof(Names))]
    public void TheHybridizedForwardGivesTheEagerBodysResult(string name)
    {
        var generator = new torch.Generator(31);
        nn.Module<Tensor, Tensor> model = Models[name]();
        using Tensor x = randn(new long[] { 2, 3, 16, 16 }, generator: generator);
        model.eval();
        using (no_grad())
            EagerOracle.AssertAgree($"{name}, eval", () => EagerBody(model, x), () => model.forward(x));
        // Training mode: each call updates the batch-norm statistics, so two models with the same weights are compared.
        nn.Module<Tensor, Tensor> twin = Models[name]();
        twin.load_state_dict(model.state_dict());
        model.train();
        twin.train();
        for (int step = 0; step < 2; step++)
        {
            Tensor eager = EagerBody(model, x), hybridized = twin.forward(x);
            Assert.True(EagerOracle.Difference(eager, hybridized, 1e-4, 1e-5) is null, $"{name}, training step {step}: {EagerOracle.Difference(eager, hybridized, 1e-4, 1e-5)}");
        }
        foreach ((string key, Tensor buffer) in model.named_buffers())
        {
            Tensor other = twin.named_buffers().Single(b => b.name == key).buffer;
            Assert.True(EagerOracle.Difference(buffer, other, 1e-4, 1e-5) is null, $"{name}, buffer {key} after training calls");
        }
    }

    [Fact]
    public void TheForwardsThatGetATwinArePinned()
    {
        Type[] kinds = { typeof(ResNetShaped), typeof(BasicBlockShaped), typeof(BottleneckShaped), typeof(MobileNetShaped), typeof(VggShaped) };
        string[] withTwin = kinds.Where(k => k.GetFields(BindingFlags.NonPublic | BindingFlags.Static).Any(f => f.Name.StartsWith("__hybrid_forward", StringComparison.Ordinal)))
            .Select(k => k.Name).ToArray();
        // Today: none. Issue 21 (twins composed for the live module tree) is expected to change this list.
        Assert.Empty(withTwin);
    }
}
