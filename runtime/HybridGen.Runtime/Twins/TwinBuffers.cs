using System;

namespace HybridGen.Twins;

/// <summary>Per-thread argument and result arrays for twin calls, grown on demand and reused. A twin call runs no C#
/// between writing its arguments and reading its results; a call that runs its eager body instead clears its
/// arguments first, since hybridized calls inside that body write theirs into the same array.</summary>
internal static class TwinBuffers
{
    [ThreadStatic] private static TwinValue[]? t_arguments;
    [ThreadStatic] private static TwinValue[]? t_results;

    public static TwinValue[] Arguments(int count) => Get(ref t_arguments, count);

    public static TwinValue[] Results(int count) => Get(ref t_results, count);

    private static TwinValue[] Get(ref TwinValue[]? buffer, int count)
    {
        if (buffer is null || buffer.Length < count) buffer = new TwinValue[Math.Max(count, 8)];
        return buffer;
    }
}
