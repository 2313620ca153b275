using System.Collections.Generic;
using System.Threading;

namespace HybridGen.Torch.Native;

/// <summary>
/// What each thread keeps for tensor bookkeeping, in one thread-static object so that creating and disposing a
/// tensor reads thread-local storage once each: the thread's share of the live-tensor count, its innermost dispose
/// scope, and its recycled finalizer guards.
/// </summary>
internal sealed class TensorThreadState
{
    [System.ThreadStatic] private static TensorThreadState? t_current;
    private static readonly List<TensorThreadState> s_all = new();

    /// <summary>Tensors created minus tensors released on this thread (negative on a thread that releases
    /// tensors made elsewhere, such as the finalizer's); the sum over threads is the live count.</summary>
    public long Live;

    public DisposeScope? Scope;

    public readonly object?[] GuardPool = new object?[64];
    public int Pooled;

    public static TensorThreadState Current => t_current ?? Register();

    /// <summary>How many tensors hold native storage, over all threads.</summary>
    public static long LiveCount
    {
        get
        {
            lock (s_all)
            {
                long sum = 0;
                foreach (TensorThreadState state in s_all) sum += Volatile.Read(ref state.Live);
                return sum;
            }
        }
    }

    private static TensorThreadState Register()
    {
        var state = new TensorThreadState();
        lock (s_all) s_all.Add(state);
        t_current = state;
        return state;
    }
}
