using System;
using HybridGen.Torch;
using static HybridGen.Torch.torch;

namespace HybridGen.Torch.Tests;

/// <summary>Native memory: scopes release what they own, and nothing leaks. The live count is process-wide, so
/// these tests run alone.</summary>
[Collection(nameof(LiveCountCollection))]
public class MemoryTests
{
    [Fact]
    public void AHundredThousandOpsInScopesLeaveTheLiveCountWhereItStarted()
    {
        using Tensor x = ones(8);
        // Finalize other tests' garbage first: a finalizer running mid-loop would move the count.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = Tensor.LiveCount;
        for (int outer = 0; outer < 1000; outer++)
        {
            using var scope = NewDisposeScope();
            Tensor acc = x;
            for (int i = 0; i < 100; i++) acc = (acc * 0.5).add(1);
        }
        Assert.Equal(before, Tensor.LiveCount);
    }

    [Fact]
    public void MovedAndDetachedTensorsOutliveTheirScope()
    {
        Tensor moved, detached, inner;
        using (var outer = NewDisposeScope())
        {
            using (NewDisposeScope())
            {
                moved = ones(2).MoveToOuterDisposeScope();
                detached = ones(2).DetachFromDisposeScope();
                inner = ones(2);
            }
            Assert.True(inner.IsDisposed);
            Assert.False(moved.IsDisposed);
            Assert.Equal(1, outer.Count);
        }
        Assert.True(moved.IsDisposed);
        Assert.False(detached.IsDisposed);
        detached.Dispose();
    }

    [Fact]
    public void TheFinalizerIsABackstop()
    {
        long before = Tensor.LiveCount;
        Allocate();
        for (int i = 0; i < 5 && Tensor.LiveCount > before; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
        // Other tests' undisposed tensors may be finalized too, so the count can end below where it started.
        Assert.True(Tensor.LiveCount <= before, $"{Tensor.LiveCount} live, {before} before");

        static void Allocate()
        {
            for (int i = 0; i < 100; i++) _ = ones(4);
        }
    }
}

[CollectionDefinition(nameof(LiveCountCollection), DisableParallelization = true)]
public class LiveCountCollection { }
