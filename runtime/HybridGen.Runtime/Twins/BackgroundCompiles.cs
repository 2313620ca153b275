using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using HybridGen.Dispatch;

namespace HybridGen.Twins;

/// <summary>
/// Twin compiles running on thread-pool threads while their methods' first calls run eager. A process that exits
/// while one is inside libtorch waits for it (up to <see cref="ExitWait"/>), so libtorch is never torn down under a
/// running compile; nothing else holds a thread.
/// </summary>
internal static class BackgroundCompiles
{
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
        Task task = Task.Run(work);
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
        lock (s_running) running = s_running.ToArray();
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
