using System;
using System.Threading;
using System.Threading.Tasks;
using HybridGen.Twins;
using Xunit;

namespace HybridGen.Runtime.Tests;

/// <summary>Background work a hybridized block asks for while its model's eager body runs (a nested call) starts
/// when the outermost eager body returns, not mid-call.</summary>
public class BackgroundCompilesTests
{
    [Fact]
    public void WorkAskedForInsideAnEagerBodyStartsWhenTheOutermostReturns()
    {
        using var started = new ManualResetEventSlim();
        Task task;
        using (BackgroundCompiles.EnterEager())
        {
            using (BackgroundCompiles.EnterEager())
                task = BackgroundCompiles.Run(() => started.Set());
            // The inner body has returned, the outer has not: nothing started, and waiting for the running work from
            // inside does not wait for this thread's own deferred work.
            Assert.False(started.Wait(TimeSpan.FromMilliseconds(200)));
            Assert.Equal(TaskStatus.Created, task.Status);
            Assert.True(BackgroundCompiles.WaitAll(TimeSpan.FromSeconds(30)));
        }
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(SpinWait.SpinUntil(() => task.IsCompleted, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void AnEagerBodyThatThrowsStillStartsItsDeferredWork()
    {
        using var started = new ManualResetEventSlim();
        Assert.Throws<InvalidOperationException>((Action)(() =>
        {
            using (BackgroundCompiles.EnterEager())
            {
                BackgroundCompiles.Run(() => started.Set());
                throw new InvalidOperationException("the eager body failed");
            }
        }));
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void WorkAskedForOutsideAnEagerBodyStartsAtOnce()
    {
        using var started = new ManualResetEventSlim();
        BackgroundCompiles.Run(() => started.Set());
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void AnotherThreadsEagerBodyDefersNothingHere()
    {
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var other = new Thread(() =>
        {
            using (BackgroundCompiles.EnterEager())
            {
                inside.Set();
                release.Wait(TimeSpan.FromSeconds(30));
            }
        });
        other.Start();
        Assert.True(inside.Wait(TimeSpan.FromSeconds(30)));
        using var started = new ManualResetEventSlim();
        BackgroundCompiles.Run(() => started.Set());
        Assert.True(started.Wait(TimeSpan.FromSeconds(30)));
        release.Set();
        other.Join();
    }

    [Fact]
    public void BusyWhileWorkRuns()
    {
        using var release = new ManualResetEventSlim();
        Task task;
        // Deferred by this thread, it does not count here yet (it is not using a core; other tests' work may, so
        // nothing is asserted inside).
        using (BackgroundCompiles.EnterEager())
            task = BackgroundCompiles.Run(() => release.Wait(TimeSpan.FromSeconds(30)));
        Assert.True(BackgroundCompiles.Busy);                             // started when the body returned, running
        release.Set();
        Assert.True(SpinWait.SpinUntil(() => task.IsCompleted, TimeSpan.FromSeconds(30)));
        // Other tests' work may run beside this one: Busy is only asserted while this work is known to be there.
    }

    [Fact]
    public void AWaitOnThisThreadsDeferredWorkRunsItHere()
    {
        int runs = 0;
        Task task;
        using (BackgroundCompiles.EnterEager())
        {
            task = BackgroundCompiles.Run(() => Interlocked.Increment(ref runs));
            BackgroundCompiles.RunIfDeferredHere(task);     // what a wait on it does first
            Assert.Equal(1, runs);
            Assert.True(task.IsCompleted);
        }
        // Not started again when the body returns.
        Thread.Sleep(100);
        Assert.Equal(1, runs);
    }
}
