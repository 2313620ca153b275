using System;
using System.Linq;
using HybridGen.Torch;
using HybridGen.Torch.Modules;
using static HybridGen.Torch.torch;
using static HybridGen.Torch.Tests.Check;
using F = HybridGen.Torch.torch.nn.functional;

namespace HybridGen.Torch.Tests;

public class ModuleTests
{
    private sealed class Mlp : nn.Module<Tensor, Tensor>
    {
        private readonly Linear _hidden, _output;

        public Mlp(long inputs, long hidden, long outputs) : base(nameof(Mlp))
        {
            _hidden = register_module("hidden", nn.Linear(inputs, hidden));
            _output = register_module("output", nn.Linear(hidden, outputs));
        }

        public override Tensor forward(Tensor input)
        {
            using Tensor h = F.relu(_hidden.forward(input));
            return _output.forward(h);
        }
    }

    [Fact]
    public void LayersHaveTheShapesAndInitializationOfPyTorch()
    {
        manual_seed(0);
        using Linear linear = nn.Linear(16, 4);
        Shape(linear.weight, 4, 16);
        Shape(linear.bias!, 4);
        Assert.True(linear.weight.requires_grad);
        Assert.All(Values(linear.weight), v => Assert.InRange(v, -0.25, 0.25));
        using (Tensor y = linear.call(ones(3, 16))) Shape(y, 3, 4);

        using LayerNorm norm = nn.LayerNorm(8);
        Assert.All(Values(norm.weight), v => Assert.Equal(1, v));
        using Embedding embedding = nn.Embedding(10, 3);
        using (Tensor y = embedding.forward(tensor(new long[] { 1, 9 }))) Shape(y, 2, 3);
        using Conv2d conv = nn.Conv2d(3, 5, 3, padding: 1);
        using (Tensor y = conv.forward(ones(2, 3, 8, 8))) Shape(y, 2, 5, 8, 8);
    }

    [Fact]
    public void ParametersAreNamedRecursivelyAndModesPropagate()
    {
        using var model = new Mlp(4, 8, 2);
        Assert.Equal(new[] { "hidden.weight", "hidden.bias", "output.weight", "output.bias" }, model.named_parameters().Select(p => p.name));
        Assert.True(model.training);
        model.eval();
        Assert.False(model.named_children().Single(c => c.name == "hidden").module.training);
        model.train();
        Assert.True(model.named_children().All(c => c.module.training));
        Assert.Throws<ArgumentException>(() => model.register_module("hidden", nn.Linear(1, 1)));
    }

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void TrainingAClassifierReducesItsLoss(string optimizerName)
    {
        manual_seed(1);
        // Two Gaussian blobs, labels by blob.
        using Tensor x0 = randn(64, 2) + 2.0, x1 = randn(64, 2) - 2.0;
        using Tensor x = cat(new[] { x0, x1 });
        using Tensor y = cat(new[] { zeros(new long[] { 64 }, ScalarType.Int64), ones(new long[] { 64 }, ScalarType.Int64) });
        using var model = new Mlp(2, 16, 2);
        using Optimizers.Optimizer optimizer = optimizerName == "sgd"
            ? optim.SGD(model.parameters(), lr: 0.1, momentum: 0.9)
            : optim.Adam(model.parameters(), lr: 0.01);
        double first = 0, last = 0;
        for (int step = 0; step < 60; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor loss = F.cross_entropy(model.forward(x), y);
            loss.backward();
            optimizer.step();
            if (step == 0) first = loss.item<float>();
            last = loss.item<float>();
        }
        Assert.True(last < first * 0.2, $"loss went from {first} to {last}");
        using Tensor predictions = model.forward(x).argmax(1);
        using Tensor correct = predictions.eq(y).sum();
        Assert.True(correct.item<long>() >= 120, $"{correct.item<long>()} of 128 right");
    }

    [Fact]
    public void SgdStepMatchesTheUpdateRule()
    {
        using var p = new nn.Parameter(tensor(new[] { 1.0, -2.0 }));
        using var sgd = optim.SGD(new[] { p }, lr: 0.5, weight_decay: 0.1);
        using (Tensor loss = (p * p).sum()) loss.backward(); // grad = 2p
        sgd.step();
        Close(new[] { 1 - 0.5 * (2 * 1 + 0.1 * 1), -2 - 0.5 * (2 * -2 + 0.1 * -2) }, p);
    }

    [Fact]
    public void AdamFirstStepMovesEachParameterByTheLearningRate()
    {
        using var p = new nn.Parameter(tensor(new[] { 1.0, -3.0 }));
        using var adam = optim.Adam(new[] { p }, lr: 0.01);
        using (Tensor loss = (p * p).sum()) loss.backward();
        adam.step();
        Close(new[] { 0.99, -2.99 }, p, 1e-6); // bias-corrected m/√v is sign(g) on the first step
    }
}
