using System;
using System.Collections.Generic;
using HybridGen;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HybridGen.EndToEnd.Tests;

// Issue 21's corpus: models built the way dotnet/TorchSharpExamples builds them (written anew, small sizes), each
// forward hybridized as a newcomer would (the class partial, forward marked, its body moved unchanged). Their module
// trees are only known at run time (lists filled in helpers, a block factory, a field changed across helper calls,
// a table looked up by name): the build lowers each forward as a piece, and the runtime composes the live tree
// (ComposedTreeTests). ExampleShapedModelTests checks that they give eager's results and records which get a twin.
// The transformer's TorchSharp-native TransformerEncoder keeps its settings in libtorch's options: the runtime reads
// them off the live module when it composes the tree (NativeTransformerTests).

// ResNet as the examples write it: a block factory, a helper that appends blocks to a list and advances the
// in_planes field, a Sequential made from the list.
public sealed partial class ResNetShaped : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> layers;
    private int in_planes = 8;

    public static ResNetShaped Basic18(int classes) =>
        new("resnet18-shaped", (name, inPlanes, planes, stride) => new BasicBlockShaped(name, inPlanes, planes, stride), BasicBlockShaped.expansion, new[] { 2, 2, 2, 2 }, classes);

    public static ResNetShaped Bottleneck50(int classes) =>
        new("resnet50-shaped", (name, inPlanes, planes, stride) => new BottleneckShaped(name, inPlanes, planes, stride), BottleneckShaped.expansion, new[] { 3, 4, 6, 3 }, classes);

    public ResNetShaped(string name, Func<string, int, int, int, Module<Tensor, Tensor>> block, int expansion, IList<int> blocks, int classes) : base(name)
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>
        {
            ("stem-conv", Conv2d(3, 8, kernel_size: 3, stride: 1, padding: 1, bias: false)),
            ("stem-bn", BatchNorm2d(8)),
            ("stem-relu", ReLU(inplace: true)),
        };
        AddStage(modules, block, expansion, 8, blocks[0], 1);
        AddStage(modules, block, expansion, 16, blocks[1], 2);
        AddStage(modules, block, expansion, 24, blocks[2], 2); // stage widths differ: they name the blocks
        AddStage(modules, block, expansion, 32, blocks[3], 2);
        modules.Add(("pool", AvgPool2d(new long[] { 2, 2 })));
        modules.Add(("flatten", Flatten()));
        modules.Add(("head", Linear(32 * expansion, classes)));
        layers = Sequential(modules);
        RegisterComponents();
    }

    private void AddStage(List<(string, Module<Tensor, Tensor>)> modules, Func<string, int, int, int, Module<Tensor, Tensor>> block, int expansion, int planes, int count, int stride)
    {
        var strides = new List<int> { stride };
        for (int i = 0; i < count - 1; i++) strides.Add(1);
        for (int i = 0; i < strides.Count; i++)
        {
            modules.Add(($"block-{planes}-{i}", block($"block-{planes}-{i}", in_planes, planes, strides[i])));
            in_planes = planes * expansion;
        }
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input) => layers.forward(input);
}

public sealed partial class BasicBlockShaped : Module<Tensor, Tensor>
{
    public static int expansion = 1;
    private readonly Module<Tensor, Tensor> layers;
    private readonly Module<Tensor, Tensor> shortcut;

    public BasicBlockShaped(string name, int inPlanes, int planes, int stride) : base(name)
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>
        {
            ($"{name}-conv1", Conv2d(inPlanes, planes, kernel_size: 3, stride: stride, padding: 1, bias: false)),
            ($"{name}-bn1", BatchNorm2d(planes)),
            ($"{name}-relu1", ReLU(inplace: true)),
            ($"{name}-conv2", Conv2d(planes, planes, kernel_size: 3, stride: 1, padding: 1, bias: false)),
            ($"{name}-bn2", BatchNorm2d(planes)),
        };
        layers = Sequential(modules);
        if (stride != 1 || inPlanes != expansion * planes)
            shortcut = Sequential(($"{name}-proj", Conv2d(inPlanes, expansion * planes, kernel_size: 1, stride: stride, bias: false)), ($"{name}-proj-bn", BatchNorm2d(expansion * planes)));
        else
            shortcut = Sequential();
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor t);

    private Tensor ForwardEager(Tensor t)
    {
        var x = layers.forward(t);
        var y = shortcut.forward(t);
        return x.add_(y).relu_();
    }
}

public sealed partial class BottleneckShaped : Module<Tensor, Tensor>
{
    public static int expansion = 4;
    private readonly Module<Tensor, Tensor> layers;
    private readonly Module<Tensor, Tensor> shortcut;

    public BottleneckShaped(string name, int inPlanes, int planes, int stride) : base(name)
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>
        {
            ($"{name}-reduce", Conv2d(inPlanes, planes, kernel_size: 1, bias: false)),
            ($"{name}-bn1", BatchNorm2d(planes)),
            ($"{name}-relu1", ReLU(inplace: true)),
            ($"{name}-conv", Conv2d(planes, planes, kernel_size: 3, stride: stride, padding: 1, bias: false)),
            ($"{name}-bn2", BatchNorm2d(planes)),
            ($"{name}-relu2", ReLU(inplace: true)),
            ($"{name}-expand", Conv2d(planes, expansion * planes, kernel_size: 1, bias: false)),
            ($"{name}-bn3", BatchNorm2d(expansion * planes)),
        };
        layers = Sequential(modules);
        if (stride != 1 || inPlanes != expansion * planes)
            shortcut = Sequential(($"{name}-proj", Conv2d(inPlanes, expansion * planes, kernel_size: 1, stride: stride, bias: false)), ($"{name}-proj-bn", BatchNorm2d(expansion * planes)));
        else
            shortcut = Sequential();
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor t);

    private Tensor ForwardEager(Tensor t)
    {
        var x = layers.forward(t);
        var y = shortcut.forward(t);
        return x.add_(y).relu_();
    }
}

// MobileNet as the examples write it: parallel arrays of channels and strides, a helper that appends depthwise and
// pointwise stages while it walks them.
public sealed partial class MobileNetShaped : Module<Tensor, Tensor>
{
    private readonly long[] planes = { 16, 32, 32, 64 };
    private readonly long[] strides = { 1, 2, 1, 2 };
    private readonly Module<Tensor, Tensor> layers;

    public MobileNetShaped(int classes) : base("mobilenet-shaped")
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>
        {
            ("stem-conv", Conv2d(3, 8, kernel_size: 3, stride: 1, padding: 1, bias: false)),
            ("stem-bn", BatchNorm2d(8)),
            ("stem-relu", ReLU()),
        };
        AddStages(modules, 8);
        modules.Add(("pool", AvgPool2d(new long[] { 4, 4 })));
        modules.Add(("flatten", Flatten()));
        modules.Add(("head", Linear(planes[^1], classes)));
        layers = Sequential(modules);
        RegisterComponents();
    }

    private void AddStages(List<(string, Module<Tensor, Tensor>)> modules, long inPlanes)
    {
        for (int i = 0; i < strides.Length; i++)
        {
            modules.Add(($"dw-{i}", Conv2d(inPlanes, inPlanes, kernel_size: 3, stride: strides[i], padding: 1, groups: inPlanes, bias: false)));
            modules.Add(($"dw-bn-{i}", BatchNorm2d(inPlanes)));
            modules.Add(($"dw-relu-{i}", ReLU()));
            modules.Add(($"pw-{i}", Conv2d(inPlanes, planes[i], kernel_size: 1L, stride: 1L, padding: 0L, bias: false)));
            modules.Add(($"pw-bn-{i}", BatchNorm2d(planes[i])));
            modules.Add(($"pw-relu-{i}", ReLU()));
            inPlanes = planes[i];
        }
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input) => layers.forward(input);
}

// VGG as the examples write it: the layer table looked up by the model's name, 0 meaning a pooling layer.
public sealed partial class VggShaped : Module<Tensor, Tensor>
{
    private readonly Dictionary<string, long[]> tables = new()
    {
        { "vgg-small", new long[] { 8, 0, 16, 0, 32, 0, 32, 0 } },
        { "vgg-deeper", new long[] { 8, 8, 0, 16, 16, 0, 32, 32, 0, 32, 32, 0 } },
    };
    private readonly Module<Tensor, Tensor> layers;

    public VggShaped(string name, int classes) : base(name)
    {
        var modules = new List<(string, Module<Tensor, Tensor>)>();
        long[] channels = tables[name.ToLowerInvariant()];
        long inChannels = 3;
        for (int i = 0; i < channels.Length; i++)
        {
            if (channels[i] == 0)
            {
                modules.Add(($"pool-{i}", MaxPool2d(kernel_size: 2, stride: 2)));
                continue;
            }
            modules.Add(($"conv-{i}", Conv2d(inChannels, channels[i], kernel_size: 3, padding: 1)));
            modules.Add(($"bn-{i}", BatchNorm2d(channels[i])));
            modules.Add(($"relu-{i}", ReLU(inplace: true)));
            inChannels = channels[i];
        }
        modules.Add(("avgpool", AvgPool2d(kernel_size: 1, stride: 1)));
        modules.Add(("flatten", Flatten()));
        modules.Add(("head", Linear(32, classes)));
        layers = Sequential(modules);
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input) => layers.forward(input);
}

// The SequenceToSequence example's TransformerModel: token embeddings scaled by the model width, a positional
// encoding that slices its table to the sequence length, TorchSharp's native TransformerEncoder over a square
// subsequent mask, a linear decoder.
public sealed partial class TransformerShaped : Module<Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.TransformerEncoder transformer_encoder;
    private readonly PositionalEncodingShaped pos_encoder;
    private readonly TorchSharp.Modules.Embedding encoder;
    private readonly TorchSharp.Modules.Linear decoder;
    private readonly long ninputs;

    public TransformerShaped(long ntokens, long ninputs, long nheads, long nhidden, long nlayers, double dropout) : base("transformer-shaped")
    {
        this.ninputs = ninputs;
        pos_encoder = new PositionalEncodingShaped(ninputs, dropout);
        transformer_encoder = TransformerEncoder(TransformerEncoderLayer(ninputs, nheads, nhidden, dropout), nlayers);
        encoder = Embedding(ntokens, ninputs);
        decoder = Linear(ninputs, ntokens);
        RegisterComponents();
    }

    public static Tensor SquareSubsequentMask(long size)
    {
        using var mask = (ones(new long[] { size, size }) == 1).triu().transpose(0, 1);
        return mask.to_type(ScalarType.Float32).masked_fill(mask == 0, float.NegativeInfinity).masked_fill(mask == 1, 0.0f);
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor t, Tensor mask);

    private Tensor ForwardEager(Tensor t, Tensor mask)
    {
        using var src = pos_encoder.forward(encoder.forward(t) * MathF.Sqrt(ninputs));
        using var enc = transformer_encoder.call(src, mask);
        return decoder.forward(enc);
    }
}

public sealed partial class PositionalEncodingShaped : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> dropout;
    private readonly Tensor pe;

    public PositionalEncodingShaped(long dmodel, double dropout, int maxLen = 64) : base("positional-encoding-shaped")
    {
        this.dropout = Dropout(dropout);
        var table = zeros(new long[] { maxLen, dmodel });
        var position = arange(0, maxLen, 1).unsqueeze(1);
        var divTerm = (arange(0, dmodel, 2) * (-Math.Log(10000.0) / dmodel)).exp();
        table[TensorIndex.Ellipsis, TensorIndex.Slice(0, null, 2)] = (position * divTerm).sin();
        table[TensorIndex.Ellipsis, TensorIndex.Slice(1, null, 2)] = (position * divTerm).cos();
        pe = table.unsqueeze(0).transpose(0, 1);
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor t);

    private Tensor ForwardEager(Tensor t)
    {
        using var x = t + pe[TensorIndex.Slice(null, t.shape[0]), TensorIndex.Slice()];
        return dropout.forward(x);
    }
}

// AlexNet as the examples write it: two Sequentials of constants, an adaptive pool, and a view whose first size is
// read from the pooled tensor's shape.
public sealed partial class AlexNetShaped : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> features;
    private readonly Module<Tensor, Tensor> avgPool;
    private readonly Module<Tensor, Tensor> classifier;

    public AlexNetShaped(string name, int numClasses) : base(name)
    {
        features = Sequential(
            ("c1", Conv2d(3, 16, kernel_size: 3, stride: 2, padding: 1)),
            ("r1", ReLU(inplace: true)),
            ("mp1", MaxPool2d(kernel_size: new long[] { 2, 2 })),
            ("c2", Conv2d(16, 24, kernel_size: 3, padding: 1)),
            ("r2", ReLU(inplace: true)),
            ("mp2", MaxPool2d(kernel_size: new long[] { 2, 2 })),
            ("c3", Conv2d(24, 32, kernel_size: 3, padding: 1)),
            ("r3", ReLU(inplace: true)),
            ("c4", Conv2d(32, 16, kernel_size: 3, padding: 1)),
            ("r4", ReLU(inplace: true)));
        avgPool = AdaptiveAvgPool2d(new long[] { 2, 2 });
        classifier = Sequential(
            ("d1", Dropout()),
            ("l1", Linear(16 * 2 * 2, 64)),
            ("r1", ReLU(inplace: true)),
            ("d2", Dropout()),
            ("l2", Linear(64, numClasses)));
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input)
    {
        var f = features.forward(input);
        var avg = avgPool.forward(f);
        var x = avg.view(new long[] { avg.shape[0], 16 * 2 * 2 });
        return classifier.forward(x);
    }
}

// The MNIST model as the examples write it: every layer a Module<Tensor,Tensor> field with an initializer, the
// forward a chain of their calls.
public sealed partial class MnistShaped : Module<Tensor, Tensor>
{
    private Module<Tensor, Tensor> conv1 = Conv2d(1, 8, 3);
    private Module<Tensor, Tensor> conv2 = Conv2d(8, 16, 3);
    private Module<Tensor, Tensor> fc1 = Linear(16 * 12 * 12, 32);
    private Module<Tensor, Tensor> fc2 = Linear(32, 10);
    private Module<Tensor, Tensor> pool1 = MaxPool2d(kernel_size: new long[] { 2, 2 });
    private Module<Tensor, Tensor> relu1 = ReLU();
    private Module<Tensor, Tensor> relu2 = ReLU();
    private Module<Tensor, Tensor> relu3 = ReLU();
    private Module<Tensor, Tensor> dropout1 = Dropout(0.25);
    private Module<Tensor, Tensor> dropout2 = Dropout(0.5);
    private Module<Tensor, Tensor> flatten = Flatten();
    private Module<Tensor, Tensor> logsm = LogSoftmax(1);

    public MnistShaped(string name) : base(name)
    {
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input)
    {
        var l11 = conv1.forward(input);
        var l12 = relu1.forward(l11);
        var l21 = conv2.forward(l12);
        var l22 = relu2.forward(l21);
        var l23 = pool1.forward(l22);
        var l24 = dropout1.forward(l23);
        var x = flatten.forward(l24);
        var l31 = fc1.forward(x);
        var l32 = relu3.forward(l31);
        var l33 = dropout2.forward(l32);
        var l41 = fc2.forward(l33);
        return logsm.forward(l41);
    }
}

// The text classifier as the examples write it: an EmbeddingBag over token ids with bag offsets, then a Linear; the
// weights set in a helper the constructor calls.
public sealed partial class TextClassifierShaped : Module<Tensor, Tensor, Tensor>
{
    private TorchSharp.Modules.EmbeddingBag embedding;
    private TorchSharp.Modules.Linear fc;

    public TextClassifierShaped(long vocabSize, long embedDim, long numClass) : base("text-classifier-shaped")
    {
        embedding = EmbeddingBag(vocabSize, embedDim, sparse: false);
        fc = Linear(embedDim, numClass);
        InitWeights();
        RegisterComponents();
    }

    private void InitWeights()
    {
        var initrange = 0.5;
        init.uniform_(embedding.weight, -initrange, initrange);
        init.uniform_(fc.weight, -initrange, initrange);
        init.zeros_(fc.bias);
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input, Tensor offsets);

    private Tensor ForwardEager(Tensor input, Tensor offsets)
    {
        var t = embedding.call(input, offsets);
        return fc.forward(t);
    }
}
