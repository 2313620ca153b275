using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// The corpus's fixed-tree models with dropout (Models/ExampleShapedModels.cs: AlexNet- and MNIST-shaped): their
/// TorchScript and ONNX twins give eager's outputs, and in training mode, dropout on, eager's outputs and gradients.
/// Training compares eager and the twin under one seed of libtorch's default generator: both draw their masks from
/// it through the same kernel, so nothing else may draw from it in between, hence a collection run on its own.
/// </summary>
[Collection(nameof(DefaultGeneratorCollection))]
public class FixedTreeExampleTests
{
    private static HybridFunction<(T, Tensor), Tensor> Fixed<T>() =>
        (HybridFunction<(T, Tensor), Tensor>)typeof(T).GetField("__hybrid_forward", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

    public static IEnumerable<object[]> FixedTreeNames() => new[] { "AlexNet-shaped", "MNIST-shaped" }.Select(n => new object[] { n });

    private static nn.Module<Tensor, Tensor> MakeFixed(string name) => name == "AlexNet-shaped" ? new AlexNetShaped("alexnet-shaped", 10) : new MnistShaped("mnist-shaped");

    private static Tensor Route(nn.Module<Tensor, Tensor> model, Tensor x, string route) => (model, route) switch
    {
        (AlexNetShaped m, "graph") => Fixed<AlexNetShaped>().InvokeGraph((m, x)),
        (AlexNetShaped m, "onnx") => Fixed<AlexNetShaped>().InvokeOnnx((m, x)),
        (AlexNetShaped m, _) => Fixed<AlexNetShaped>().InvokeEager((m, x)),
        (MnistShaped m, "graph") => Fixed<MnistShaped>().InvokeGraph((m, x)),
        (MnistShaped m, "onnx") => Fixed<MnistShaped>().InvokeOnnx((m, x)),
        (MnistShaped m, _) => Fixed<MnistShaped>().InvokeEager((m, x)),
        _ => throw new ArgumentException(route),
    };

    [Theory]
    [MemberData(nameof(FixedTreeNames))]
    public void AFixedTreesTwinsGiveEagersOutputsAndGradients(string name)
    {
        var generator = new torch.Generator(34);
        nn.Module<Tensor, Tensor> model = MakeFixed(name);
        long[] shape = name == "AlexNet-shaped" ? new long[] { 3, 32, 32 } : new long[] { 1, 28, 28 };
        model.eval();
        foreach (long batch in new long[] { 1, 3 })
        {
            using Tensor x = randn(new[] { batch }.Concat(shape).ToArray(), generator: generator);
            using (no_grad())
            {
                EagerOracle.AssertAgree($"{name}, eval, batch {batch}, TorchScript", () => Route(model, x, "eager"), () => Route(model, x, "graph"));
                EagerOracle.AssertAgree($"{name}, eval, batch {batch}, ONNX Runtime", () => Route(model, x, "eager"), () => Route(model, x, "onnx"), rtol: 1e-3, atol: 1e-4);
            }
        }
        // Training, dropout on: the same seed before each path gives the same masks (both draw from libtorch's
        // default generator through the same dropout kernel), so outputs and every parameter's gradient compare.
        nn.Module<Tensor, Tensor> twin = MakeFixed(name);
        twin.load_state_dict(model.state_dict());
        model.train();
        twin.train();
        using Tensor input = randn(new[] { 2L }.Concat(shape).ToArray(), generator: generator);
        manual_seed(5);
        using Tensor eager = Route(model, input, "eager");
        manual_seed(5);
        using Tensor graph = Route(twin, input, "graph");
        Assert.True(EagerOracle.Difference(eager, graph, 1e-4, 1e-5) is null, $"{name}, training: {EagerOracle.Difference(eager, graph, 1e-4, 1e-5)}");
        eager.square().sum().backward();
        graph.square().sum().backward();
        ExampleShapedModelTests.AssertSameGradients(name, model, twin, 1e-3, 1e-4);
    }
}

/// <summary>Tests that need libtorch's default random generator to themselves (no test runs beside them).</summary>
[CollectionDefinition(nameof(DefaultGeneratorCollection), DisableParallelization = true)]
public sealed class DefaultGeneratorCollection
{
}
