using HybridGen;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HybridGen.EndToEnd.Tests;

// Issue 12's model corpus, written the way TorchSharp's own examples write models: submodule fields typed
// Module<Tensor,Tensor>, Sequential stacks, user blocks with forwards of their own. Each is checked eager vs twin
// (ModelCorpusTests).

// TorchSharp's MNIST example: fields typed Module<Tensor,Tensor>, so the twin is built for what the constructor
// assigns and a tree check confirms it before each call.
public sealed partial class MnistCnn : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1 = Conv2d(1, 8, 3);
    private readonly Module<Tensor, Tensor> conv2 = Conv2d(8, 16, 3);
    private readonly Module<Tensor, Tensor> fc1 = Linear(16 * 6 * 6, 32);
    private readonly Module<Tensor, Tensor> fc2 = Linear(32, 10);
    private readonly Module<Tensor, Tensor> pool1 = MaxPool2d(kernel_size: new long[] { 2, 2 });
    private readonly Module<Tensor, Tensor> relu1 = ReLU();
    private readonly Module<Tensor, Tensor> relu2 = ReLU();
    private readonly Module<Tensor, Tensor> relu3 = ReLU();
    private readonly Module<Tensor, Tensor> dropout1 = Dropout(0.25);
    private readonly Module<Tensor, Tensor> dropout2 = Dropout(0.5);
    private readonly Module<Tensor, Tensor> flatten = Flatten();
    private readonly Module<Tensor, Tensor> logsm = LogSoftmax(1);

    public MnistCnn() : base(nameof(MnistCnn)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input)
    {
        var l11 = conv1.forward(input);
        var l12 = relu1.forward(l11);
        var l21 = conv2.forward(l12);
        var l22 = relu2.forward(l21);
        var l31 = pool1.forward(l22);
        var l32 = dropout1.forward(l31);
        var l41 = flatten.forward(l32);
        var l51 = fc1.forward(l41);
        var l52 = relu3.forward(l51);
        var l53 = dropout2.forward(l52);
        var x = fc2.forward(l53);
        return logsm.forward(x);
    }
}

// AlexNet's shape: a Sequential feature stack, adaptive pooling, a view by the batch size, a Sequential classifier.
public sealed partial class AlexNetLike : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> features = Sequential(
        ("c1", Conv2d(3, 16, 3, stride: 2, padding: 1)), ("r1", ReLU(inplace: true)), ("p1", MaxPool2d(2)),
        ("c2", Conv2d(16, 32, 3, padding: 1)), ("r2", ReLU(inplace: true)), ("p2", MaxPool2d(2)),
        ("c3", Conv2d(32, 32, 3, padding: 1)), ("r3", ReLU(inplace: true)));
    private readonly Module<Tensor, Tensor> avgPool = AdaptiveAvgPool2d(new long[] { 2, 2 });
    private readonly Module<Tensor, Tensor> classifier = Sequential(
        ("d1", Dropout()), ("l1", Linear(32 * 2 * 2, 64)), ("r1", ReLU(inplace: true)),
        ("d2", Dropout()), ("l2", Linear(64, 10)));

    public AlexNetLike() : base(nameof(AlexNetLike)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input)
    {
        var f = features.forward(input);
        var avg = avgPool.forward(f);
        var x = avg.view(new long[] { avg.shape[0], 32 * 2 * 2 });
        return classifier.forward(x);
    }
}

// ResNet's basic block: two 3x3 convolutions with batch norm, a shortcut that is empty (an identity Sequential) or
// a strided 1x1 convolution, and the in-place add and relu on its own result.
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1, bn1, conv2, bn2, shortcut;

    public BasicBlock(long inPlanes, long planes, long stride) : base(nameof(BasicBlock))
    {
        conv1 = Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(planes);
        shortcut = stride != 1 || inPlanes != planes
            ? Sequential(Conv2d(inPlanes, planes, 1, stride: stride, bias: false), BatchNorm2d(planes))
            : Sequential();
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = bn1.forward(conv1.forward(x)).relu();
        y = bn2.forward(conv2.forward(y));
        return y.add_(shortcut.forward(x)).relu_();
    }
}

// ResNet's bottleneck block: 1x1, 3x3 and 1x1 convolutions around a narrow middle.
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    private readonly Conv2d conv1, conv2, conv3;
    private readonly BatchNorm2d bn1, bn2, bn3;
    private readonly Sequential shortcut;

    public Bottleneck(long inPlanes, long planes) : base(nameof(Bottleneck))
    {
        conv1 = Conv2d(inPlanes, planes, 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(planes);
        conv3 = Conv2d(planes, planes * 4, 1, bias: false);
        bn3 = BatchNorm2d(planes * 4);
        shortcut = Sequential(Conv2d(inPlanes, planes * 4, 1, bias: false), BatchNorm2d(planes * 4));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var y = bn1.forward(conv1.forward(x)).relu();
        y = bn2.forward(conv2.forward(y)).relu();
        y = bn3.forward(conv3.forward(y));
        return (y + shortcut.forward(x)).relu();
    }
}

// A small ResNet: a stem, user blocks in a Sequential, global pooling and a head.
public sealed partial class TinyResNet : Module<Tensor, Tensor>
{
    private readonly Conv2d stem = Conv2d(3, 8, 3, padding: 1, bias: false);
    private readonly BatchNorm2d bn = BatchNorm2d(8);
    private readonly Sequential layers = Sequential(new BasicBlock(8, 8, 1), new BasicBlock(8, 16, 2), new Bottleneck(16, 4));
    private readonly AdaptiveAvgPool2d pool = AdaptiveAvgPool2d(1);
    private readonly Linear head = Linear(16, 5);

    public TinyResNet() : base(nameof(TinyResNet)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        var y = bn.forward(stem.forward(x)).relu();
        y = layers.forward(y);
        return head.forward(pool.forward(y).flatten(1));
    }
}

// VGG's shape: convolution, batch norm and relu stacks in a Sequential, then a classifier.
public sealed partial class VggBn : Module<Tensor, Tensor>
{
    private readonly Sequential features = Sequential(
        Conv2d(3, 8, 3, padding: 1), BatchNorm2d(8), ReLU(inplace: true),
        Conv2d(8, 8, 3, padding: 1), BatchNorm2d(8), ReLU(inplace: true), MaxPool2d(2),
        Conv2d(8, 16, 3, padding: 1), BatchNorm2d(16), ReLU(inplace: true), MaxPool2d(2));
    private readonly Sequential classifier = Sequential(Flatten(), Linear(16 * 4 * 4, 32), ReLU(), Dropout(0.5), Linear(32, 10));

    public VggBn() : base(nameof(VggBn)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => classifier.forward(features.forward(x));
}

// MobileNet's depthwise-separable block: a grouped 3x3 (one group per channel) and a 1x1 pointwise convolution.
public sealed partial class MobileNetBlock : Module<Tensor, Tensor>
{
    private readonly Conv2d depthwise = Conv2d(16, 16, 3, padding: 1, groups: 16, bias: false);
    private readonly BatchNorm2d bn1 = BatchNorm2d(16);
    private readonly Conv2d pointwise = Conv2d(16, 32, 1, bias: false);
    private readonly BatchNorm2d bn2 = BatchNorm2d(32);

    public MobileNetBlock() : base(nameof(MobileNetBlock)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        var y = bn1.forward(depthwise.forward(x)).relu();
        return bn2.forward(pointwise.forward(y)).relu();
    }
}

// A hand-written transformer encoder layer: multi-head self-attention (the head count is a field, read per call),
// residuals, layer norms, a GELU feed-forward, dropout.
public sealed partial class EncoderLayer : Module<Tensor, Tensor>
{
    private readonly Linear q = Linear(32, 32), k = Linear(32, 32), v = Linear(32, 32), o = Linear(32, 32);
    private readonly LayerNorm norm1 = LayerNorm(32), norm2 = LayerNorm(32);
    private readonly Sequential feedForward = Sequential(Linear(32, 64), GELU(), Linear(64, 32));
    private readonly Dropout dropout = Dropout(0.1);
    private readonly long heads = 4;

    public EncoderLayer() : base(nameof(EncoderLayer)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        long b = x.shape[0], t = x.shape[1], d = x.shape[2], hd = d / heads;
        var qh = q.forward(x).view(b, t, heads, hd).transpose(1, 2);
        var kh = k.forward(x).view(b, t, heads, hd).transpose(1, 2);
        var vh = v.forward(x).view(b, t, heads, hd).transpose(1, 2);
        var scores = qh.matmul(kh.transpose(-2, -1)) / System.Math.Sqrt(hd);
        var attended = scores.softmax(-1).matmul(vh).transpose(1, 2).reshape(b, t, d);
        var h = norm1.forward(x + dropout.forward(o.forward(attended)));
        return norm2.forward(h + dropout.forward(feedForward.forward(h)));
    }
}

// Positional encoding with a registered buffer: the buffer is a graph input read per call, sliced to the length.
public sealed partial class PositionalEncoding : Module<Tensor, Tensor>
{
    private readonly Tensor pe;
    private readonly Dropout dropout = Dropout(0.1);

    public PositionalEncoding(long dModel, long maxLen) : base(nameof(PositionalEncoding))
    {
        var position = arange(0, maxLen, ScalarType.Float32).unsqueeze(1);
        var divTerm = exp(arange(0, dModel, 2, ScalarType.Float32) * (-System.Math.Log(10000.0) / dModel));
        var table = zeros(maxLen, dModel);
        table[TensorIndex.Colon, TensorIndex.Slice(0, null, 2)] = sin(position * divTerm);
        table[TensorIndex.Colon, TensorIndex.Slice(1, null, 2)] = cos(position * divTerm);
        pe = table.unsqueeze(0);
        register_buffer("pe", pe);
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => dropout.forward(x + pe.narrow(1, 0, x.shape[1]));
}

// Stacked layers in a ModuleList, iterated in forward (unrolled in the twin).
public sealed partial class ListMlp : Module<Tensor, Tensor>
{
    private readonly ModuleList<Module<Tensor, Tensor>> layers = ModuleList<Module<Tensor, Tensor>>(Linear(8, 16), Tanh(), Linear(16, 16), Tanh(), Linear(16, 4));

    public ListMlp() : base(nameof(ListMlp)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        foreach (var layer in layers) x = layer.forward(x);
        return x;
    }

    /// <summary>For the tree-check test: a field reassigned after construction.</summary>
    public void ReplaceLayer(int index, Module<Tensor, Tensor> layer) => layers[index] = layer;
}

// Attention with masked_fill and a tuple result, as a hybridized method other than forward on a module.
public sealed partial class MaskedAttention : Module<Tensor, Tensor>
{
    private readonly Linear proj = Linear(16, 16);

    public MaskedAttention() : base(nameof(MaskedAttention)) => RegisterComponents();

    public override Tensor forward(Tensor x) => Attend(x, x, ones(x.shape[1], x.shape[1]).tril().eq(0)).output;

    [Hybridize(nameof(AttendEager))]
    public partial (Tensor output, Tensor weights) Attend(Tensor query, Tensor keys, Tensor mask);

    private (Tensor output, Tensor weights) AttendEager(Tensor query, Tensor keys, Tensor mask)
    {
        var q = proj.forward(query);
        var scores = q.matmul(keys.transpose(-2, -1)) / 4.0;
        var weights = scores.masked_fill(mask, double.NegativeInfinity).softmax(-1);
        return (weights.matmul(keys), weights);
    }
}

// TorchSharp's text-classification example: an EmbeddingBag over token ids with offsets, then a linear head.
// EmbeddingBag's settings live in libtorch's native module, so the twin takes them from the construction call.
public sealed partial class TextClassifier : Module<Tensor, Tensor, Tensor>
{
    private readonly EmbeddingBag embedding;
    private readonly Linear fc;

    public TextClassifier(long vocabulary, long dims, long classes) : base(nameof(TextClassifier))
    {
        embedding = EmbeddingBag(vocabulary, dims, mode: EmbeddingBagMode.Mean);
        fc = Linear(dims, classes);
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor tokens, Tensor offsets);

    private Tensor ForwardEager(Tensor tokens, Tensor offsets) => fc.call(embedding.call(tokens, offsets));
}

// Weighted bags whose offsets end with the input's length (include_last_offset), summed.
public sealed partial class WeightedBags : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly EmbeddingBag bag = EmbeddingBag(30, 4, mode: EmbeddingBagMode.Sum, include_last_offset: true);

    public WeightedBags() : base(nameof(WeightedBags)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor tokens, Tensor offsets, Tensor weights);

    private Tensor ForwardEager(Tensor tokens, Tensor offsets, Tensor weights) => bag.call(tokens, offsets, weights);
}

// Token embeddings with a padding index, summed over the sequence.
public sealed partial class TokenEncoder : Module<Tensor, Tensor>
{
    private readonly Embedding embedding = Embedding(50, 8, padding_idx: 0);
    private readonly EmbeddingBag bag = EmbeddingBag(50, 8, mode: EmbeddingBagMode.Max);
    private readonly LayerNorm norm = LayerNorm(8);

    public TokenEncoder() : base(nameof(TokenEncoder)) => RegisterComponents();

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor tokens);

    private Tensor ForwardEager(Tensor tokens) => norm.forward(embedding.forward(tokens).sum(1) + bag.call(tokens));
}

// Containers filled in a constructor loop, to a depth only the run time knows: a Sequential MLP and a ModuleList of
// encoder layers. The twin is built for every depth up to TwinBuilder.MaxRepeats; a deeper one runs eager.
public sealed partial class DeepMlp : Module<Tensor, Tensor>
{
    private readonly Sequential layers;

    public DeepMlp(int depth) : base(nameof(DeepMlp))
    {
        layers = Sequential();
        layers.append("input", Linear(8, 16));
        for (int i = 0; i < depth; i++)
        {
            layers.append($"hidden{i}", Linear(16, 16));
            layers.append($"act{i}", Tanh());
        }
        layers.append("output", Linear(16, 4));
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => layers.forward(x);
}

public sealed partial class EncoderStack : Module<Tensor, Tensor>
{
    private readonly ModuleList<EncoderLayer> blocks = new ModuleList<EncoderLayer>();
    private readonly LayerNorm norm = LayerNorm(32);

    public EncoderStack(int depth) : base(nameof(EncoderStack))
    {
        for (int i = 0; i < depth; i++) blocks.Add(new EncoderLayer());
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        foreach (var block in blocks) x = block.forward(x);
        return norm.forward(x);
    }
}
