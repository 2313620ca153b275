using System;
using System.Diagnostics;
using System.Globalization;
using HybridGen;
using TorchSharp;
using Samples.Training;
using static TorchSharp.torch;

// Trains a small CNN (PatternNet.cs) to tell four kinds of 12x12 images apart: horizontal stripes, vertical
// stripes, a checkerboard and a blob, each shifted and noisy, all generated here. forward is hybridized (the
// dispatcher runs eager or the graph twin per input signature, whichever it measured faster); the loss, backward
// and Adam run eagerly. Prints progress per epoch, the final accuracy and the dispatch report.
// Usage: HybridGen.Samples.Training [epochs]   (HYBRIDGEN_MODE=eager|graph|auto; the same seed gives the same
// loss curve in every mode, up to float rounding)
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8;
const int perClass = 200, batch = 32, size = 12;

manual_seed(7);
set_num_threads(1);
(Tensor images, Tensor labels) = Patterns(perClass, size);
long count = images.shape[0];
Console.WriteLine($"HybridGen training sample: a CNN on {count} generated {size}x{size} images in 4 classes, {epochs} epochs, batch {batch}, mode {HybridRuntime.DefaultOptions.Mode.ToString().ToLowerInvariant()}");

using var model = new PatternNet();
using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
var timer = Stopwatch.StartNew();
for (int epoch = 1; epoch <= epochs; epoch++)
{
    model.train();
    double total = 0;
    int batches = 0;
    using (var epochScope = NewDisposeScope())
    {
        Tensor order = randperm(count);
        for (long start = 0; start < count; start += batch)
        {
            using var step = NewDisposeScope();
            Tensor index = order.narrow(0, start, Math.Min(batch, count - start));
            Tensor loss = nn.functional.cross_entropy(model.forward(images.index_select(0, index)), labels.index_select(0, index));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            total += loss.item<float>();
            batches++;
        }
    }
    Console.WriteLine($"epoch {epoch,2}  loss {total / batches:F4}  accuracy {Accuracy(model, images, labels):P1}  ({timer.Elapsed.TotalSeconds:F1} s)");
}
Console.WriteLine();
Console.WriteLine($"final accuracy: {Accuracy(model, images, labels):P1}");
Console.WriteLine();
HybridRuntime.WriteReport(Console.Out);

static double Accuracy(PatternNet model, Tensor images, Tensor labels)
{
    using var scope = NewDisposeScope();
    model.eval();
    using (no_grad())
        return model.forward(images).argmax(1).eq(labels).to(ScalarType.Float32).mean().item<float>();
}

// Four pattern classes, each image shifted by up to two pixels and noisy.
static (Tensor images, Tensor labels) Patterns(int perClass, int size)
{
    using var scope = NewDisposeScope();
    Tensor r = arange(size, ScalarType.Float32).view(size, 1).expand(size, size);
    Tensor c = arange(size, ScalarType.Float32).view(1, size).expand(size, size);
    Tensor[] kinds =
    {
        (r / 2).floor().remainder(2),                                     // horizontal stripes
        (c / 2).floor().remainder(2),                                     // vertical stripes
        ((r / 3).floor() + (c / 3).floor()).remainder(2),                 // checkerboard
        (-((r - size / 2.0).square() + (c - size / 2.0).square()) / 8).exp(), // a blob
    };
    var xs = new Tensor[kinds.Length * perClass];
    var ys = new long[xs.Length];
    for (int k = 0; k < kinds.Length; k++)
        for (int i = 0; i < perClass; i++)
        {
            long dr = randint(-2, 3, 1).item<long>(), dc = randint(-2, 3, 1).item<long>();
            xs[k * perClass + i] = (kinds[k].roll(new[] { dr, dc }, new long[] { 0, 1 }) + randn(size, size) * 1.2).unsqueeze(0);
            ys[k * perClass + i] = k;
        }
    return (stack(xs).MoveToOuterDisposeScope(), tensor(ys).MoveToOuterDisposeScope());
}
