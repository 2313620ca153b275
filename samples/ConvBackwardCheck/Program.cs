// Does this host's libtorch compute convolution input gradients correctly, and the same on every run? Plain
// TorchSharp, no HybridGen. docs/torchsharp.md, section 7 ("Wrong, changing convolution gradients on some hosts"), says what it
// found and what avoids it.
// Usage: dotnet run -c Release --project samples/ConvBackwardCheck [runs]
// Exit code 0: the float32 gradients agree with float64 on every run; 1: they do not.
using System;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

int runs = args.FirstOrDefault(a => int.TryParse(a, out _)) is { } n ? int.Parse(n) : 20;
Console.WriteLine($"libtorch {__version__}, {get_num_threads()} intra-op thread(s), ONEDNN_MAX_CPU_ISA={Environment.GetEnvironmentVariable("ONEDNN_MAX_CPU_ISA") ?? "(unset)"}");

bool allGood = true;
LibTorchContext.UseOneDnn(true); // and NNPACK off, before the first convolution
manual_seed(1);
// One convolution, then three with nothing in between (as in a 1-D signal model).
allGood &= Check("one Conv1d(6, 6, 3)", nn.Conv1d(6, 6, 3), randn(2, 6, 17));
allGood &= Check("Conv1d(3, 6, 5) -> Conv1d(6, 6, 3, Same, Reflect) -> Conv1d(6, 4, 3, stride 2, dilation 2)",
    nn.Sequential(nn.Conv1d(3, 6, 5, padding: 2), nn.Conv1d(6, 6, 3, padding: Padding.Same, padding_mode: PaddingModes.Reflect),
        nn.Conv1d(6, 4, 3, stride: 2, dilation: 2)),
    randn(2, 3, 17));
Console.WriteLine(allGood ? "OK: convolution input gradients agree with float64 on this host"
    : "WRONG: oneDNN's convolution backward on this host (see docs/torchsharp.md for what avoids it)");
return allGood ? 0 : 1;

bool Check(string name, nn.Module<Tensor, Tensor> net, Tensor input)
{
    Tensor InputGradient(ScalarType dtype)
    {
        using var scope = NewDisposeScope();
        net.to(dtype);
        Tensor x = input.to(dtype).detach().requires_grad_(true); // detach: a new leaf, whatever to() returned
        net.zero_grad();
        net.forward(x).pow(2).mean().backward();
        Tensor gradient = x.grad!.to(ScalarType.Float64).MoveToOuterDisposeScope();
        net.to(ScalarType.Float32);
        return gradient;
    }
    Console.WriteLine(name);
    // The reference: float64, which libtorch computes with its own kernels (oneDNN is used for float32).
    Tensor reference = InputGradient(ScalarType.Float64);
    double scale = reference.abs().max().item<double>();
    // libtorch's own float32 convolution: oneDNN off, as torch.backends.mkldnn.enabled = False does in PyTorch.
    LibTorchContext.UseOneDnn(false);
    using (Tensor own = InputGradient(ScalarType.Float32))
        Console.WriteLine($"  oneDNN off: differs from float64 by {(own - reference).abs().max().item<double>():G3} (the gradient's largest element: {scale:G3})");
    LibTorchContext.UseOneDnn(true);
    int wrong = 0, nan = 0, changed = 0;
    double largest = 0;
    Tensor? previous = null;
    for (int run = 0; run < runs; run++)
    {
        Tensor gradient = InputGradient(ScalarType.Float32);
        if (gradient.isnan().any().item<bool>()) nan++;
        double difference = (gradient - reference).abs().max().item<double>();
        if (!(difference <= 1e-5 * scale)) wrong++;
        if (!double.IsNaN(difference)) largest = Math.Max(largest, difference);
        if (previous is not null && !gradient.eq(previous).all().item<bool>()) changed++;
        previous?.Dispose();
        previous = gradient;
    }
    Console.WriteLine($"  oneDNN on, {runs} runs: {wrong} differ from float64 (by up to {largest:G3}), {nan} hold NaN, {changed} differ from the run before");
    return wrong == 0 && nan == 0 && changed == 0;
}

/// <summary>libtorch's backend switches, which TorchSharp 0.107 does not expose: at::globalContext() and its setters
/// are plain C++ functions exported by libtorch_cpu (the Context* is the implicit first argument).</summary>
static class LibTorchContext
{
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")] private static extern nint Global();
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")] private static extern void SetMkldnn(nint context, [MarshalAs(UnmanagedType.I1)] bool enabled);
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")] private static extern void SetNnpack(nint context, [MarshalAs(UnmanagedType.I1)] bool enabled);

    /// <summary>oneDNN on or off for the convolutions that follow. NNPACK goes off too: on hosts it does not support,
    /// each convolution would print "Could not initialize NNPACK!" before falling back to libtorch's own kernel.</summary>
    public static void UseOneDnn(bool enabled)
    {
        _ = zeros(1); // TorchSharp loads libtorch on first use
        SetNnpack(Global(), false);
        SetMkldnn(Global(), enabled);
    }
}
