using System.Collections.Generic;

namespace HybridGen.Generator.Lowering;

/// <summary>TorchScript functions that give C#'s meaning where Python's differs, emitted into a twin only when used.</summary>
internal static class RuntimeHelpers
{
    // C#'s integer division truncates toward zero; Python's // floors.
    public const string IntDivide = "__hg_idiv";
    // C#'s % takes the dividend's sign; Python's takes the divisor's.
    public const string IntRemainder = "__hg_irem";
    public const string FloatRemainder = "__hg_fmod";

    private static readonly Dictionary<string, string> s_sources = new()
    {
        [IntDivide] = """
            def __hg_idiv(a: int, b: int) -> int:
                q = a // b
                if q < 0 and q * b != a:
                    q = q + 1
                return q
            """,
        [IntRemainder] = """
            def __hg_irem(a: int, b: int) -> int:
                q = a // b
                if q < 0 and q * b != a:
                    q = q + 1
                return a - b * q
            """,
        [FloatRemainder] = """
            def __hg_fmod(a: float, b: float) -> float:
                r = a % b
                if r != 0.0 and (r < 0.0) != (a < 0.0):
                    r = r - b
                return r
            """,
    };

    public static IEnumerable<string> Sources(IEnumerable<string> used)
    {
        foreach (string name in used) yield return s_sources[name].Replace("\r", "") + "\n";
    }
}
