using System;
using System.Diagnostics;
using System.Globalization;
using HybridGen;
using TorchSharp;
using Samples.Training;
using static TorchSharp.torch;

// Trains a small classifier on three interleaved spirals that the program generates itself. The forward pass and
// the loss are hybridized (the dispatcher picks eager or the graph twin per input shape, by measuring); backward
// and the Adam optimizer run eagerly. Prints progress, the final accuracy and the dispatch report.
// Usage: HybridGen.Samples.Training [epochs]   (HYBRIDGEN_MODE=eager|graph|auto)
int epochs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60;
const int classes = 3, perClass = 300, batch = 64;

manual_seed(7);
set_num_threads(1);
(Tensor points, Tensor labels) = Spirals(classes, perClass);
long count = points.shape[0];
Console.WriteLine($"HybridGen training sample: {count} points in {classes} spirals, {epochs} epochs, batch {batch}, mode {HybridRuntime.DefaultOptions.Mode.ToString().ToLowerInvariant()}");

using var model = new Classifier(2, 64, classes);
using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
var timer = Stopwatch.StartNew();
for (int epoch = 1; epoch <= epochs; epoch++)
{
    double total = 0;
    int batches = 0;
    using (var epochScope = NewDisposeScope())
    {
        Tensor order = randperm(count);
        for (long start = 0; start < count; start += batch)
        {
            using var step = NewDisposeScope();
            Tensor index = order.narrow(0, start, Math.Min(batch, count - start));
            Tensor loss = Classifier.Loss(model.Forward(points.index_select(0, index)), labels.index_select(0, index));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            total += loss.item<float>();
            batches++;
        }
    }
    if (epoch == 1 || epoch % 10 == 0 || epoch == epochs)
        Console.WriteLine($"epoch {epoch,3}  loss {total / batches:F4}  accuracy {Accuracy(model, points, labels):P1}  ({timer.Elapsed.TotalSeconds:F1} s)");
}
Console.WriteLine();
Console.WriteLine($"final accuracy: {Accuracy(model, points, labels):P1}");
Console.WriteLine();
HybridRuntime.WriteReport(Console.Out);

static double Accuracy(Classifier model, Tensor points, Tensor labels)
{
    using var scope = NewDisposeScope();
    using (no_grad())
        return model.Forward(points).argmax(1).eq(labels).to(ScalarType.Float32).mean().item<float>();
}

// Three spirals, each class a noisy arm: hard for a linear model, easy for a small MLP.
static (Tensor points, Tensor labels) Spirals(int classes, int perClass)
{
    using var scope = NewDisposeScope();
    var xs = new Tensor[classes];
    var ys = new Tensor[classes];
    for (int c = 0; c < classes; c++)
    {
        Tensor radius = linspace(0.05, 1.0, perClass);
        Tensor angle = linspace(c * 4.0, (c + 1) * 4.0, perClass) + randn(perClass) * 0.2;
        xs[c] = stack(new[] { radius * angle.sin(), radius * angle.cos() }, 1);
        ys[c] = full(new long[] { perClass }, c, ScalarType.Int64);
    }
    return (cat(xs).MoveToOuterDisposeScope(), cat(ys).MoveToOuterDisposeScope());
}
