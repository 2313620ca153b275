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
/// twin is pinned: all but the transformer, whose trees the runtime composes (ComposedTreeTests); a lost twin fails it.
/// </summary>
public class ExampleShapedModelTests
{
    // The corpus forwards whose trees are composed at run time, by name (ComposedTorchScriptTests uses them too).
    internal static readonly Dictionary<string, Func<nn.Module<Tensor, Tensor>>> Models = new()
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
        Type[] kinds = { typeof(ResNetShaped), typeof(BasicBlockShaped), typeof(BottleneckShaped), typeof(MobileNetShaped), typeof(VggShaped),
            typeof(TransformerShaped), typeof(PositionalEncodingShaped) };
        string[] withTwin = kinds.Where(k => k.GetFields(BindingFlags.NonPublic | BindingFlags.Static).Any(f => f.Name.StartsWith("__hybrid_forward", StringComparison.Ordinal)))
            .Select(k => k.Name).ToArray();
        // Six of seven: the positional encoding's tree is fixed; ResNet, its two blocks, MobileNet and VGG are pieces
        // whose trees are composed at run time (ComposedTreeTests). The transformer waits for TorchSharp's native
        // TransformerEncoder in the module catalog.
        Assert.Equal(new[] { nameof(ResNetShaped), nameof(BasicBlockShaped), nameof(BottleneckShaped), nameof(MobileNetShaped), nameof(VggShaped),
            nameof(PositionalEncodingShaped) }, withTwin);
    }

    [Fact]
    public void TheTransformerGivesTheEagerBodysResult()
    {
        var generator = new torch.Generator(32);
        var model = new TransformerShaped(ntokens: 40, ninputs: 16, nheads: 2, nhidden: 32, nlayers: 2, dropout: 0.1);
        model.eval();
        using Tensor tokens = randint(0, 40, new long[] { 7, 3 }, generator: generator);
        using Tensor mask = TransformerShaped.SquareSubsequentMask(7);
        using (no_grad())
            EagerOracle.AssertAgree("transformer, eval", () => (Tensor)typeof(TransformerShaped).GetMethod("ForwardEager", BindingFlags.NonPublic | BindingFlags.Instance)!
                .Invoke(model, new object[] { tokens, mask })!, () => model.forward(tokens, mask));
    }

    [Fact]
    public void ThePositionalEncodingsTwinAgreesWithEagerAtEveryLength()
    {
        var generator = new torch.Generator(33);
        var model = new PositionalEncodingShaped(16, 0.1);
        model.eval();
        var f = (HybridFunction<(PositionalEncodingShaped, Tensor), Tensor>)typeof(PositionalEncodingShaped)
            .GetField("__hybrid_forward", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;
        foreach (long length in new long[] { 1, 5, 64 })
        {
            using Tensor x = randn(new long[] { length, 3, 16 }, generator: generator);
            EagerOracle.AssertAgree($"positional encoding, length {length}", () => f.InvokeEager((model, x)), () => f.InvokeGraph((model, x)));
        }
    }
}
