using HybridGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

// Models whose forward is hybridized and calls submodules held in fields (issue 12's first kinds: Linear, ReLU,
// Dropout). Their parameters, dropout's p and the module's training flag are graph inputs read at every call.
public sealed partial class TwoLayerNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc1 = nn.Linear(6, 16), fc2 = nn.Linear(16, 3, hasBias: false);
    private readonly ReLU act = nn.ReLU();
    private readonly Dropout drop = nn.Dropout(0.25);

    public TwoLayerNet() : base(nameof(TwoLayerNet)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => fc2.forward(drop.forward(act.forward(fc1.forward(x))));
}

// Every stateless and scalar-configured activation module the catalog spells, in one stack.
public sealed partial class ActivationStack : nn.Module<Tensor, Tensor>
{
    private readonly Linear proj = nn.Linear(8, 8);
    private readonly Tanh tanh = nn.Tanh();
    private readonly Sigmoid sigmoid = nn.Sigmoid();
    private readonly SiLU silu = nn.SiLU();
    private readonly LeakyReLU leaky = nn.LeakyReLU(0.1);
    private readonly Softmax softmax = nn.Softmax(1);
    private readonly LogSoftmax logSoftmax = nn.LogSoftmax(1);
    private readonly Flatten flatten = nn.Flatten();
    private readonly Identity identity = nn.Identity();

    public ActivationStack() : base(nameof(ActivationStack)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        var h = proj.forward(flatten.forward(x));
        h = tanh.forward(h) + sigmoid.forward(h) + silu.forward(h) + leaky.forward(h);
        return identity.forward(softmax.forward(h) + logSoftmax.forward(h));
    }
}

// Batch norm in both modes: eval uses the running statistics; training updates running_mean, running_var and
// num_batches_tracked in place, as eager does (momentum given, and momentum null: a cumulative average).
public sealed partial class NormNet : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc = nn.Linear(5, 4);
    private readonly BatchNorm1d bn;

    public NormNet(double? momentum) : base(nameof(NormNet))
    {
        bn = nn.BatchNorm1d(4);
        bn.momentum = momentum;                               // null: a cumulative moving average
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => bn.forward(fc.forward(x));
}
