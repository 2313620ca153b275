using System;
using System.Diagnostics;
using static TorchSharp.torch;

namespace HybridGen.Dispatch;

/// <summary>
/// libtorch's OpenMP workers keep spinning for about 10 ms after its last parallel region and take a core from ONNX
/// Runtime's threads. Measured at 2 threads (the composed LSTM classifier at batch 32): ONNX Runtime's calls after a
/// TorchScript call took 4082, 2956, 2959, 2544 and 2312 µs against 2244 in a block of its own; at 1 thread, or with
/// OMP_WAIT_POLICY=PASSIVE, the first call after was within 7 % and 13 % (docs/benchmarks/models.md). Probing
/// alternates routes call by call, so it timed ONNX Runtime in that window and chose TorchScript or eager where ONNX
/// Runtime was 0.7-0.8 of them; a program running the ONNX Runtime route steadily does not pay it. So while probing,
/// an ONNX Runtime call within the window of a call that ran libtorch is not timed (it serves its caller at ONNX
/// Runtime's speed), up to 8 in a row: the window ends after 10 ms or 8 calls, so probing a call of a few
/// microseconds does not take thousands of calls.
/// </summary>
internal static class LibtorchSpin
{
    private const double WindowMilliseconds = 10;
    private const int MaxSkipped = 8;

    [ThreadStatic] private static long t_libtorchEnded;
    [ThreadStatic] private static int t_skipped;

    /// <summary>A probing call on this thread ran libtorch (eager or TorchScript) and just ended.</summary>
    public static void LibtorchRan()
    {
        t_libtorchEnded = Stopwatch.GetTimestamp();
        t_skipped = 0;
    }

    /// <summary>Whether this probing call of ONNX Runtime is left untimed: libtorch's workers may still be spinning
    /// from this thread's last probing call that ran it (with one intra-op thread there are none), and fewer than
    /// <see cref="MaxSkipped"/> calls were left untimed for it.</summary>
    public static bool SkipTiming()
    {
        if (t_libtorchEnded == 0 || t_skipped >= MaxSkipped
            || Stopwatch.GetElapsedTime(t_libtorchEnded).TotalMilliseconds >= WindowMilliseconds || get_num_threads() <= 1)
            return false;
        t_skipped++;
        return true;
    }
}
