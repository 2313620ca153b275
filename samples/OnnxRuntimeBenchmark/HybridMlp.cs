using System.Collections.Generic;
using HybridGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>The MLP workload's model as users write it (Linear modules, a hybridized forward), holding the same weight
/// tensors as the hand-built graph: HybridGen's ONNX Runtime route is measured against the hand-built graph with the
/// weights as initializers (issue 20: the limit for this backend).</summary>
public sealed partial class HybridMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1 = nn.Linear(256, 512), fc2 = nn.Linear(512, 512), fc3 = nn.Linear(512, 10);

    public HybridMlp(IReadOnlyList<Tensor> weights) : base(nameof(HybridMlp))
    {
        RegisterComponents();
        Linear[] layers = { fc1, fc2, fc3 };
        for (int k = 0; k < 3; k++)
        {
            // A Parameter takes over the handle it is given: a view of the workload's tensor, same memory.
            layers[k].weight = new Parameter(weights[2 * k].detach(), requires_grad: false);
            layers[k].bias = new Parameter(weights[2 * k + 1].detach(), requires_grad: false);
        }
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => fc3.forward(nn.functional.relu(fc2.forward(nn.functional.relu(fc1.forward(x)))));
}

/// <summary>The memory measurement's MLP (1024-2048-2048-10): what one more signature costs through HybridGen's route.</summary>
public sealed partial class HybridMlp1024 : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1 = nn.Linear(1024, 2048), fc2 = nn.Linear(2048, 2048), fc3 = nn.Linear(2048, 10);

    public HybridMlp1024(IReadOnlyList<Tensor> weights) : base(nameof(HybridMlp1024))
    {
        RegisterComponents();
        Linear[] layers = { fc1, fc2, fc3 };
        for (int k = 0; k < 3; k++)
        {
            layers[k].weight = new Parameter(weights[2 * k].detach(), requires_grad: false);
            layers[k].bias = new Parameter(weights[2 * k + 1].detach(), requires_grad: false);
        }
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => fc3.forward(nn.functional.relu(fc2.forward(nn.functional.relu(fc1.forward(x)))));
}
