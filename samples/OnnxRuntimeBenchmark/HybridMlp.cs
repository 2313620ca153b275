using System.Collections.Generic;
using HybridGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>A three-layer MLP as users write it (Linear modules, a hybridized forward), holding the given weight
/// tensors ([out, in] and [out] per layer, the layers' sizes taken from them): HybridGen's ONNX Runtime route is
/// measured against the hand-built graph with the same weights as initializers (issue 20: the limit for this
/// backend), and what one more signature costs in memory.</summary>
public sealed partial class HybridMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1, fc2, fc3;

    public HybridMlp(IReadOnlyList<Tensor> weights) : base(nameof(HybridMlp))
    {
        fc1 = nn.Linear(weights[0].shape[1], weights[0].shape[0]);
        fc2 = nn.Linear(weights[2].shape[1], weights[2].shape[0]);
        fc3 = nn.Linear(weights[4].shape[1], weights[4].shape[0]);
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

