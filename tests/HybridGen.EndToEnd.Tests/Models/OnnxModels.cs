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
