using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HybridGen.Dispatch;

namespace HybridGen.Twins;

/// <summary>
/// Twin compiles running on thread-pool threads while their methods' first calls run eager. A process that exits
/// while one is inside libtorch waits for it (up to <see cref="ExitWait"/>), so libtorch is never torn down under a
/// running compile; nothing else holds a thread.
/// <para>Work asked for while the thread runs an eager body (a hybridized block called from its model's eager
/// forward) starts when the outermost eager body returns, as a method's own work starts once its call has its result:
/// on a machine with few cores a compile started mid-call competes with the call (<see cref="EnterEager"/>).</para>
/// </summary>
internal static class BackgroundCompiles
{
    [ThreadStatic] private static int t_eagerDepth;
    private static int s_active;

    /// <summary>Whether work of this class is queued, deferred or running: a call timed meanwhile shares the cores
    /// with it (the dispatcher's probing does not count such a time as the route's lasting one).</summary>
    public static bool Busy => Volatile.Read(ref s_active) > (t_deferred?.Count ?? 0); // this thread's deferred work is not running

    private static volatile bool s_exiting;

    /// <summary>Runs <paramref name="task"/> here and now where it is this thread's deferred work (else does nothing):
    /// a wait on it from inside the eager body that deferred it would otherwise wait for itself.</summary>
    public static void RunIfDeferredHere(Task? task)
    {
        if (task is not null && t_deferred is { } deferred && deferred.Remove(task)) task.RunSynchronously(TaskScheduler.Default);
    }
    [ThreadStatic] private static List<Task>? t_deferred;

    /// <summary>Marks this thread as running an eager body until the result is disposed (EagerScope.Run).</summary>
    public static EagerBody EnterEager()
    {
        t_eagerDepth++;
        return default;
    }

    /// <summary>The outermost eager body's end starts the work deferred meanwhile.</summary>
    internal readonly struct EagerBody : IDisposable
    {
        public void Dispose()
        {
            if (--t_eagerDepth > 0 || t_deferred is not { } deferred) return;
            t_deferred = null;
            foreach (Task task in deferred)
            {
                // Past process exit's wait, libtorch may be torn down under new work: it is dropped (counted done).
                if (s_exiting) Interlocked.Decrement(ref s_active);
                else task.Start(TaskScheduler.Default);
            }
        }
    }

    public static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(30);
    private static readonly List<Task> s_running = new();
    private static int s_hooked;

    public static void Start(string method, Func<bool> compile) => Run(() =>
    {
        bool compiled = compile();
        HybridEventSource.Log.TwinCompiledInBackground(method, compiled);
    });

    /// <summary>Runs other libtorch work off the caller's thread with the same exit guarantee (the tensor field
    /// calibration, <see cref="Native.TensorFields"/>; ONNX models built from the IR, <see cref="Onnx.OnnxTwin"/>).</summary>
    private static readonly List<Action> s_beforeExit = new();

    /// <summary>Runs <paramref name="stop"/> at process exit before waiting for the work still running (it stops
    /// work that would otherwise be waited for: a validator child process).</summary>
    public static void BeforeExit(Action stop)
    {
        lock (s_beforeExit) s_beforeExit.Add(stop);
    }

    public static Task Run(Action work)
    {
        if (Interlocked.Exchange(ref s_hooked, 1) == 0)
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                s_exiting = true;
                Action[] stops;
                lock (s_beforeExit) stops = s_beforeExit.ToArray();
                foreach (Action stop in stops)
                {
                    try
                    {
                        stop();
                    }
                    catch (Exception error) when (error is not OutOfMemoryException)
                    {
                        // Exiting regardless: the wait below still protects libtorch from being torn down under work.
                    }
                }
                WaitAll(ExitWait);
            };
        Interlocked.Increment(ref s_active);
        void Counted()
        {
            try
            {
                work();
            }
            finally
            {
                Interlocked.Decrement(ref s_active);
            }
        }
        Task task;
        if (t_eagerDepth > 0)
        {
            task = new Task(Counted);                     // started by the outermost eager body's end
            (t_deferred ??= new List<Task>()).Add(task);
        }
        else
        {
            task = Task.Run(Counted);
        }
        lock (s_running)
        {
            s_running.RemoveAll(t => t.IsCompleted);
            s_running.Add(task);
        }
        return task;
    }

    /// <summary>Waits for the compiles still running (tests, benchmarks, process exit); false if some did not end.</summary>
    public static bool WaitAll(TimeSpan timeout)
    {
        Task[] running;
        // Not those still deferred (created, not started): their thread is inside an eager body and starts them when
        // it returns; waiting for them from that thread would wait for itself.
        lock (s_running) running = s_running.Where(t => t.Status != TaskStatus.Created).ToArray();
        try
        {
            return Task.WaitAll(running, timeout);
        }
        catch (AggregateException)
        {
            return true; // a compile that threw has ended; its method runs eager (the failure is its report)
        }
    }
}
