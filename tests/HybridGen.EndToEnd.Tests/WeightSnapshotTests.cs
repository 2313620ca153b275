using System.Collections.Generic;
using System.Linq;
using HybridGen.Native;
using HybridGen.Twins.Onnx;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>A prepacked copy of the weights may serve a call only while the weights are unchanged: each way user code
/// changes a model's weights must be seen, and an unchanged model must be recognised (else the fast path never runs).</summary>
public class WeightSnapshotTests
{
    private static Tensor[] Weights(nn.Module module) => module.parameters().Select(p => (Tensor)p).ToArray();

    [Fact]
    public void TheVersionCounterIsFoundInThisLibtorch() => Assert.True(TensorVersions.Available);

    [Fact]
    public void AnUnchangedModelMatchesAlsoAfterForwardCalls()
    {
        var model = nn.Linear(4, 3);
        WeightSnapshot snapshot = WeightSnapshot.Of(Weights(model));
        using (no_grad())
        using (Tensor y = model.forward(ones(2, 4))) { }
        using (Tensor y = model.forward(ones(2, 4))) y.sum().backward(); // gradients are not weights
        Assert.True(snapshot.Matches(Weights(model)));
    }

    [Fact]
    public void AnOptimizerStepIsSeen()
    {
        var model = nn.Linear(4, 3);
        var optimizer = optim.SGD(model.parameters(), 0.1);
        WeightSnapshot snapshot = WeightSnapshot.Of(Weights(model));
        using (Tensor loss = model.forward(ones(2, 4)).sum()) loss.backward();
        optimizer.step();
        Assert.False(snapshot.Matches(Weights(model)));
    }

    [Fact]
    public void LoadStateDictIsSeen()
    {
        var model = nn.Linear(4, 3);
        var other = nn.Linear(4, 3);
        WeightSnapshot snapshot = WeightSnapshot.Of(Weights(model));
        model.load_state_dict(other.state_dict());
        Assert.False(snapshot.Matches(Weights(model)));
    }

    [Fact]
    public void AnInPlaceChangeUnderNoGradIsSeen()
    {
        var model = nn.Linear(4, 3);
        WeightSnapshot snapshot = WeightSnapshot.Of(Weights(model));
        using (no_grad()) model.bias!.add_(1.0);
        Assert.False(snapshot.Matches(Weights(model)));
    }

    [Fact]
    public void AReassignedParameterIsSeen()
    {
        var model = nn.Linear(4, 3);
        WeightSnapshot snapshot = WeightSnapshot.Of(Weights(model));
        model.weight = new TorchSharp.Modules.Parameter(model.weight!.detach().clone());
        Assert.False(snapshot.Matches(Weights(model)));
    }

    [Fact]
    public void ADtypeChangeIsSeen()
    {
        var model = nn.Linear(4, 3);
        WeightSnapshot snapshot = WeightSnapshot.Of(Weights(model));
        model.to(ScalarType.Float64);
        Assert.False(snapshot.Matches(Weights(model)));
    }

    [Fact]
    public void AnotherCountOfWeightsDoesNotMatch()
    {
        var model = nn.Linear(4, 3);
        WeightSnapshot snapshot = WeightSnapshot.Of(Weights(model));
        Assert.False(snapshot.Matches(Weights(model).Take(1).ToArray()));
    }

    [Fact]
    public void AnInferenceTensorNeverMatchesAndIsReadSafely()
    {
        // Inference tensors have no version counter: libtorch throws reading it, which through a native call would
        // end the process. They are asked about first and never count as unchanged.
        Tensor weight;
        using (torch.inference_mode()) weight = ones(3);
        var weights = new[] { weight };
        WeightSnapshot snapshot = WeightSnapshot.Of(weights);
        Assert.False(snapshot.Matches(weights));
        weight.Dispose();
    }

    [Fact]
    public void ATensorOfOtherSizesAtAFreedAddressIsNotTheOldOne()
    {
        // What the frozen session guards against by keeping views of its weights: here nothing keeps the first
        // tensor alive, so a new one may land at its addresses with the same version; the sizes differ, so it does not match.
        Tensor first = zeros(4, 4);
        WeightSnapshot snapshot = WeightSnapshot.Of(new[] { first });
        first.Dispose();
        using Tensor second = zeros(2, 8);
        Assert.False(snapshot.Matches(new[] { second }));
    }
}
