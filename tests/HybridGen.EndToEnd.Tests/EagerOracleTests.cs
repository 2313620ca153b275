using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>The eager oracle (EagerOracle.cs) still fails a wrong twin on every host, and what it does not compare
/// it notes, visibly.</summary>
public class EagerOracleTests
{
    [Fact]
    public void APlantedTwinBugFailsOnEveryHost()
    {
        // A convolution model, the kind whose input gradient changes from run to run on some hosts: the planted bug
        // (the twin's result off by 0.1 %) must fail there too, through the values eager does agree on.
        var net = new ConvForms();
        net.eval();
        using T input = randn(2, 4, 9, 11);
        var f = Forward<ConvForms>.DispatcherFor(net, input);
        IReadOnlyList<object?> Run(Func<T, T> forward)
        {
            net.zero_grad();
            using T x = input.detach().requires_grad_(true);
            T output = forward(x);
            using (T loss = output.pow(2).mean()) loss.backward();
            return new object?[] { output.detach().clone(), x.grad!.clone() }.Concat(net.parameters().Select(p => (object?)p.grad!.clone())).ToArray();
        }
        var failure = Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => EagerOracle.AssertAgree("ConvForms with a planted twin bug",
            () => Run(x => f.InvokeEager((net, x))), () => Run(x => f.InvokeGraph((net, x)).mul(1.001))));
        Assert.Contains("ConvForms with a planted twin bug", failure.Message);
    }

    [Fact]
    public void APlantedBugInAPlainTwinFailsToo()
    {
        manual_seed(2);
        using T x = randn(4, 8), w1 = randn(8, 16), b1 = randn(16), w2 = randn(16, 4), b2 = randn(4);
        var twin = Twins.Of<(T, T, T, T, T)>(typeof(Corpus), nameof(Corpus.Mlp));
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => EagerOracle.AssertAgree("Mlp with a planted twin bug",
            () => twin.InvokeEager((x, w1, b1, w2, b2)), () => twin.InvokeGraph((x, w1, b1.mul(1.01), w2, b2))));
    }

    [Fact]
    public void AValueEagerGetsDifferentlyInTwoRunsIsNotedNotCompared()
    {
        var generator = new torch.Generator(3);
        string what = "a made-up eager body that draws anew each run";
        string ledger = Path.Combine(Path.GetTempPath(), $"hybridgen-ledger-{Guid.NewGuid():N}.log");
        using var redirect = NondeterminismLedger.RedirectTo(ledger);
        EagerOracle.AssertAgree(what,
            () => new object?[] { randn(new long[] { 3 }, generator: generator), ones(2) },
            () => new object?[] { zeros(3), ones(2) });
        string noted = File.ReadAllText(ledger);
        Assert.Contains($"{what}: value 0: eager disagrees with itself", noted);
        Assert.DoesNotContain($"{what}: value 1", noted);
        // The value both eager runs agree on is still compared.
        Assert.ThrowsAny<Xunit.Sdk.XunitException>(() => EagerOracle.AssertAgree(what + " (second)",
            () => new object?[] { randn(new long[] { 3 }, generator: generator), ones(2) },
            () => new object?[] { zeros(3), zeros(2) }));
        File.Delete(ledger);
    }
}
