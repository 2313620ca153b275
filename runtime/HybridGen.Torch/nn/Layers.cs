using System;
using static HybridGen.Torch.torch;

namespace HybridGen.Torch.Modules;

// The layers the samples train with. Initialization follows PyTorch's defaults.

/// <summary>y = x Wᵀ + b, with W of shape [out, in] initialized U(-1/√in, 1/√in), as in PyTorch.</summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    internal Linear(long inputSize, long outputSize, bool hasBias) : base(nameof(Linear))
    {
        double bound = 1 / Math.Sqrt(inputSize);
        using (no_grad())
        {
            weight = register_parameter(nameof(weight), Init.Parameter(Init.Uniform(new[] { outputSize, inputSize }, bound)))!;
            bias = hasBias ? register_parameter(nameof(bias), Init.Parameter(Init.Uniform(new[] { outputSize }, bound))) : null;
        }
    }

    public nn.Parameter weight { get; }
    public nn.Parameter? bias { get; }

    public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);
}

/// <summary>Normalizes over the last dimensions, with a learned scale (ones) and shift (zeros).</summary>
public sealed class LayerNorm : nn.Module<Tensor, Tensor>
{
    private readonly long[] _shape;
    private readonly double _eps;

    internal LayerNorm(long[] normalizedShape, double eps) : base(nameof(LayerNorm))
    {
        _shape = (long[])normalizedShape.Clone();
        _eps = eps;
        weight = register_parameter(nameof(weight), Init.Parameter(ones(_shape)))!;
        bias = register_parameter(nameof(bias), Init.Parameter(zeros(_shape)))!;
    }

    public nn.Parameter weight { get; }
    public nn.Parameter bias { get; }

    public override Tensor forward(Tensor input) => nn.functional.layer_norm(input, _shape, weight, bias, _eps);
}

/// <summary>A lookup table of <c>num_embeddings</c> vectors, initialized N(0, 1) as in PyTorch.</summary>
public sealed class Embedding : nn.Module<Tensor, Tensor>
{
    internal Embedding(long count, long dims) : base(nameof(Embedding))
    {
        using (no_grad())
            weight = register_parameter(nameof(weight), Init.Parameter(randn(count, dims)))!;
    }

    public nn.Parameter weight { get; }

    public override Tensor forward(Tensor input) => nn.functional.embedding(input, weight);
}

/// <summary>2-D convolution with square kernels; weights U(-1/√fan_in, 1/√fan_in) as in PyTorch.</summary>
public sealed class Conv2d : nn.Module<Tensor, Tensor>
{
    private readonly long _stride;
    private readonly long _padding;

    internal Conv2d(long inChannels, long outChannels, long kernelSize, long stride, long padding, bool hasBias) : base(nameof(Conv2d))
    {
        _stride = stride;
        _padding = padding;
        double bound = 1 / Math.Sqrt(inChannels * kernelSize * kernelSize);
        using (no_grad())
        {
            weight = register_parameter(nameof(weight), Init.Parameter(Init.Uniform(new[] { outChannels, inChannels, kernelSize, kernelSize }, bound)))!;
            bias = hasBias ? register_parameter(nameof(bias), Init.Parameter(Init.Uniform(new[] { outChannels }, bound))) : null;
        }
    }

    public nn.Parameter weight { get; }
    public nn.Parameter? bias { get; }

    public override Tensor forward(Tensor input) => nn.functional.conv2d(input, weight, bias, _stride, _padding);
}

internal static class Init
{
    public static Tensor Uniform(long[] shape, double bound) => empty(shape).uniform_(-bound, bound);

    /// <summary>A parameter made from a freshly created tensor, which it replaces (the tensor is disposed).</summary>
    public static nn.Parameter Parameter(Tensor data)
    {
        using (data) return new nn.Parameter(data);
    }
}
