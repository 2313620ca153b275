using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>Hybridized calls leak no tensor: TorchSharp's live-tensor count is where it began after many calls in
/// dispose scopes, through the dispatcher (both paths), the twin alone and the eager body alone.</summary>
[Collection(nameof(LeakCollection))]
public class LeakTests
{
    [Fact]
    public void AHundredThousandHybridizedCallsInDisposeScopesLeaveTheLiveCountWhereItBegan()
    {
        using T x = randn(2, 4), w1 = randn(4, 8), b1 = randn(8), w2 = randn(8, 3), b2 = randn(3);
        var mlp = Twins.Of<(T, T, T, T, T)>(typeof(Corpus), nameof(Corpus.Mlp));
        for (int i = 0; i < 100; i++)
            using (NewDisposeScope()) { Corpus.Mlp(x, w1, b1, w2, b2); } // probing and decision, outside the count
        long before = Settled();
        for (int i = 0; i < 100_000; i++)
        {
            using var scope = NewDisposeScope();
            T y = (i % 4) switch
            {
                0 => mlp.InvokeGraph((x, w1, b1, w2, b2)),
                1 => mlp.InvokeEager((x, w1, b1, w2, b2)),
                _ => Corpus.Mlp(x, w1, b1, w2, b2),
            };
            Assert.Equal(2, y.shape[0]);
        }
        Assert.Equal(before, Settled());
    }

    /// <summary>The live count once tensors other tests dropped without disposing are finalized (so their late
    /// finalizers cannot move the count during the measurement).</summary>
    private static long Settled()
    {
        for (int k = 0; k < 2; k++)
        {
            System.GC.Collect();
            System.GC.WaitForPendingFinalizers();
        }
        return T.TotalCount;
    }

    [Fact]
    public void AResultMovedOutOfTheScopeIsTheOnlyTensorLeftAlive()
    {
        using T x = randn(3), w = randn(3);
        long before = Settled();
        T kept;
        using (var scope = NewDisposeScope())
        {
            T r = Corpus.Scaled(x, w);
            kept = scope.MoveToOuter(r);
        }
        Assert.Equal(before + 1, Settled());
        kept.Dispose();
        Assert.Equal(before, Settled());
    }
}

[CollectionDefinition(nameof(LeakCollection), DisableParallelization = true)]
public class LeakCollection { }
