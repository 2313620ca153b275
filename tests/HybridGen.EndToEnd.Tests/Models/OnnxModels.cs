using HybridGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

// Models for the ONNX Runtime route's dispatch tests (OnnxDispatchTests): the same forward forced onto ONNX Runtime
// and left to the dispatcher.
public sealed partial class OnnxForcedMlp : nn.Module<Tensor, Tensor>
{
    public Linear fc1 = nn.Linear(8, 32), fc2 = nn.Linear(32, 4);
    private readonly ReLU act = nn.ReLU();

    public OnnxForcedMlp() : base(nameof(OnnxForcedMlp)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager), Mode = DispatchMode.Onnx)]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => fc2.forward(act.forward(fc1.forward(x)));
}

public sealed partial class OnnxAutoMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1 = nn.Linear(8, 32), fc2 = nn.Linear(32, 4);
    private readonly Dropout drop = nn.Dropout(0.5);

    public OnnxAutoMlp() : base(nameof(OnnxAutoMlp)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => fc2.forward(drop.forward(fc1.forward(x).relu()));
}

// Prepacked weights shared across signatures, and the managed allocations of a steady ONNX Runtime call: two models
// that differ only in how many weights they read (OnnxMemoryTests).
public sealed partial class OnnxTwoLayers : nn.Module<Tensor, Tensor>
{
    public Linear fc1 = nn.Linear(16, 64), fc2 = nn.Linear(64, 4);

    public OnnxTwoLayers() : base(nameof(OnnxTwoLayers)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager), Mode = DispatchMode.Onnx)]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => fc2.forward(fc1.forward(x).relu());
}

public sealed partial class OnnxSixLayers : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1 = nn.Linear(16, 64), fc2 = nn.Linear(64, 64), fc3 = nn.Linear(64, 64),
        fc4 = nn.Linear(64, 64), fc5 = nn.Linear(64, 64), fc6 = nn.Linear(64, 4);

    public OnnxSixLayers() : base(nameof(OnnxSixLayers)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager), Mode = DispatchMode.Onnx)]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) =>
        fc6.forward(fc5.forward(fc4.forward(fc3.forward(fc2.forward(fc1.forward(x).relu()).relu()).relu()).relu()).relu());
}

// Ops that leave an integer tensor as it is (trunc): the result is still a new tensor, so an in-place op on it
// leaves the input alone, and an in-place trunc_ is a no-op (OnnxDispatchTests).
public static partial class OnnxNoOpCopies
{
    [Hybridize(nameof(CopyThenInPlaceEager), Mode = DispatchMode.Onnx)]
    public static partial Tensor CopyThenInPlace(Tensor x);

    private static Tensor CopyThenInPlaceEager(Tensor x)
    {
        Tensor own = x.mul(2);
        Tensor copy = own.trunc();
        copy.add_(1);
        own.trunc_();
        return own + copy;
    }
}
