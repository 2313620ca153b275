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

// Convolutions in every padding form TorchSharp has: explicit, Padding.Same, Padding.Valid, each padding mode
// (an explicit pad, then an unpadded convolution), strided, dilated and grouped, with and without bias.
public sealed partial class ConvForms : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d plain = nn.Conv2d(4, 8, 3, padding: 1);
    private readonly Conv2d same = nn.Conv2d(8, 8, (3, 5), padding: Padding.Same, bias: false);
    private readonly Conv2d valid = nn.Conv2d(8, 8, 3, padding: Padding.Valid, groups: 2);
    private readonly Conv2d reflect = nn.Conv2d(8, 8, 3, padding: 2, dilation: 2, padding_mode: PaddingModes.Reflect);
    private readonly Conv2d replicate = nn.Conv2d(8, 8, 3, padding: 1, padding_mode: PaddingModes.Replicate);
    private readonly Conv2d circular = nn.Conv2d(8, 8, 3, padding: Padding.Same, padding_mode: PaddingModes.Circular);
    private readonly Conv2d strided = nn.Conv2d(8, 6, 3, stride: 2, padding: 1);

    public ConvForms() : base(nameof(ConvForms)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        var h = same.forward(plain.forward(x));
        h = replicate.forward(reflect.forward(valid.forward(h)));
        return strided.forward(circular.forward(h));
    }
}

// A 1-d convolution stack (text and audio models), with Padding.Same and a padding mode.
public sealed partial class Conv1dNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv1d c1 = nn.Conv1d(3, 6, 5, padding: 2);
    private readonly Conv1d c2 = nn.Conv1d(6, 6, 3, padding: Padding.Same, padding_mode: PaddingModes.Reflect);
    private readonly Conv1d c3 = nn.Conv1d(6, 4, 3, stride: 2, dilation: 2, bias: false);

    public Conv1dNet() : base(nameof(Conv1dNet)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => c3.forward(c2.forward(c1.forward(x)));
}

// Three-dimensional convolutions (explicit, replicate and strided forms) around a BatchNorm3d.
public sealed partial class Conv3dNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv3d c1 = nn.Conv3d(2, 4, 3, padding: 1);
    private readonly BatchNorm3d norm = nn.BatchNorm3d(4);
    private readonly Conv3d c2 = nn.Conv3d(4, 4, 3, padding: 1, padding_mode: PaddingModes.Replicate);
    private readonly Conv3d c3 = nn.Conv3d(4, 3, 3, stride: 2, bias: false);

    public Conv3dNet() : base(nameof(Conv3dNet)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => c3.forward(c2.forward(norm.forward(c1.forward(x)).relu()));
}

// Pooling, layer norm, group norm and GELU (both approximations).
public sealed partial class PoolNormNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv = nn.Conv2d(3, 8, 3, padding: 1);
    private readonly GroupNorm groups = nn.GroupNorm(2, 8);
    private readonly MaxPool2d maxPool = nn.MaxPool2d(2);
    private readonly MaxPool2d maxPoolCeil = nn.MaxPool2d(3, stride: 2, padding: 1, ceil_mode: true);
    private readonly AvgPool2d avgPool = nn.AvgPool2d(2, stride: 1, padding: 1, count_include_pad: false);
    private readonly AdaptiveAvgPool2d adaptive = nn.AdaptiveAvgPool2d((2, 3));
    private readonly LayerNorm norm = nn.LayerNorm(new long[] { 8, 2, 3 });
    private readonly GELU gelu = nn.GELU();
    private readonly GELU geluTanh = nn.GELU(GELU.Approximate.tanh);

    public PoolNormNet() : base(nameof(PoolNormNet))
    {
        // TorchSharp's GroupNorm leaves its affine parameters uninitialized (torch.empty).
        nn.init.uniform_(groups.weight, 0.5, 1.5);
        nn.init.uniform_(groups.bias!, -0.5, 0.5);
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        var h = gelu.forward(groups.forward(conv.forward(x)));
        h = avgPool.forward(maxPoolCeil.forward(maxPool.forward(h)));
        return geluTanh.forward(norm.forward(adaptive.forward(h)));
    }
}

// Transposed convolutions (an upsampling decoder's layer): stride, padding, output padding, groups, dilation.
public sealed partial class ConvTransposeNet : nn.Module<Tensor, Tensor>
{
    private readonly ConvTranspose2d up1 = nn.ConvTranspose2d(4, 6, 3, stride: 2, padding: 1, output_padding: 1);
    private readonly ConvTranspose2d up2 = nn.ConvTranspose2d(6, 4, 3, groups: 2, dilation: 2, bias: false);

    public ConvTransposeNet() : base(nameof(ConvTransposeNet)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => up2.forward(up1.forward(x).relu());
}
