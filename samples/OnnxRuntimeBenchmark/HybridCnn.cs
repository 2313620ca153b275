using System.Collections.Generic;
using HybridGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

/// <summary>The CNN workload's model as users write it (an MNIST-sized network: two convolutions with ReLU and max
/// pooling, then a Linear), holding the same weight tensors as the hand-built graph.</summary>
public sealed partial class HybridCnn : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1 = nn.Conv2d(1, 16, 3), conv2 = nn.Conv2d(16, 32, 3);
    private readonly Linear fc = nn.Linear(32 * 5 * 5, 10);

    public HybridCnn(IReadOnlyList<Tensor> weights) : base(nameof(HybridCnn))
    {
        RegisterComponents();
        // A Parameter takes over the handle it is given: a view of the workload's tensor, same memory.
        conv1.weight = new Parameter(weights[0].detach(), requires_grad: false);
        conv1.bias = new Parameter(weights[1].detach(), requires_grad: false);
        conv2.weight = new Parameter(weights[2].detach(), requires_grad: false);
        conv2.bias = new Parameter(weights[3].detach(), requires_grad: false);
        fc.weight = new Parameter(weights[4].detach(), requires_grad: false);
        fc.bias = new Parameter(weights[5].detach(), requires_grad: false);
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        Tensor h = nn.functional.max_pool2d(conv1.forward(x).relu(), 2);
        h = nn.functional.max_pool2d(conv2.forward(h).relu(), 2);
        return fc.forward(h.flatten(1));
    }
}
