using System;
using System.Globalization;
using HybridGen;
using TorchSharp;
using static TorchSharp.torch;
using Samples;

// Usage: HybridGen.Samples.Mlp [calls]   (HYBRIDGEN_MODE=eager|graph|auto forces or frees the dispatcher)
int calls = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;

manual_seed(0);
set_num_threads(1);
using Tensor x = randn(64, 256);
using Tensor w1 = randn(256, 256) * 0.06;
using Tensor b1 = zeros(256);
using Tensor w2 = randn(256, 10) * 0.06;
using Tensor b2 = zeros(10);
using Tensor small = randn(1, 16);
using Tensor hidden = randn(1, 16);

Console.WriteLine($"HybridGen sample: {calls} calls of each hybridized method (mode: {HybridRuntime.DefaultOptions.Mode.ToString().ToLowerInvariant()})");
double checksum = 0;
for (int i = 0; i < calls; i++)
{
    // The first call starts each twin's compile on a thread-pool thread and runs eager; waiting for the compiles
    // here lets this short program's remaining calls show the dispatcher deciding (a real program just goes on).
    if (i == 1) HybridRuntime.WaitForTwins(TimeSpan.FromSeconds(60));
    using Tensor logits = Blocks.Mlp(x, w1, b1, w2, b2);
    using Tensor gated = Blocks.Gate(small, hidden, 0.5);
    if (i == calls - 1)
    {
        using Tensor s1 = logits.sum();
        using Tensor s2 = gated.sum();
        checksum = s1.item<float>() + s2.item<float>();
    }
}
Console.WriteLine($"checksum of the last outputs: {checksum.ToString("F4", CultureInfo.InvariantCulture)}");
Console.WriteLine();
HybridRuntime.WriteReport(Console.Out);
