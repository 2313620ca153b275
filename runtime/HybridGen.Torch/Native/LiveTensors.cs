using System.Collections.Generic;
using System.Threading;

namespace HybridGen.Torch.Native;

/// <summary>
/// Counts tensors holding native storage. Every tensor's creation and release touches it, so each thread counts on
/// its own (no atomic operation) and a read adds the threads' counts up; a tensor released on another thread (the
/// finalizer's, say) makes that thread's count negative, and the sum stays right.
/// </summary>
internal static class LiveTensors
{
    private sealed class Counter
    {
        public long Value;
    }

    [System.ThreadStatic] private static Counter? t_counter;
    private static readonly List<Counter> s_counters = new();

    public static void Increment() => (t_counter ?? Register()).Value++;

    public static void Decrement() => (t_counter ?? Register()).Value--;

    public static long Count
    {
        get
        {
            lock (s_counters)
            {
                long sum = 0;
                foreach (Counter c in s_counters) sum += Volatile.Read(ref c.Value);
                return sum;
            }
        }
    }

    private static Counter Register()
    {
        var counter = new Counter();
        lock (s_counters) s_counters.Add(counter);
        t_counter = counter;
        return counter;
    }
}
