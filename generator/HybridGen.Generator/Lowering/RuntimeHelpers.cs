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
    // TorchSharp's BatchNorm.forward (NN/Normalization/BatchNorm.cs), step for step: the running statistics and
    // num_batches_tracked are updated in place exactly as eager does (momentum None: a cumulative average).
    public const string BatchNorm = "__hg_batch_norm";

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
        [BatchNorm] = """
            def __hg_batch_norm(x: Tensor, min_dim: int, max_dim: int, weight: Optional[Tensor], bias: Optional[Tensor], running_mean: Optional[Tensor], running_var: Optional[Tensor], num_batches_tracked: Optional[Tensor], momentum: Optional[float], eps: float, training: bool, track_running_stats: bool) -> Tensor:
                assert x.dim() >= min_dim and x.dim() <= max_dim, "batch norm: the input has the wrong number of dimensions"
                factor = 0.0
                if momentum is not None:
                    factor = momentum
                if training and track_running_stats:
                    if num_batches_tracked is not None:
                        num_batches_tracked.add_(1)
                        if momentum is None:
                            factor = 1.0 / float(num_batches_tracked.item())
                bn_training = training or (running_mean is None and running_var is None)
                use_stats = (not training) or track_running_stats
                mean = running_mean if use_stats else None
                var = running_var if use_stats else None
                return torch.batch_norm(x, weight, bias, mean, var, bn_training, factor, eps, True)
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
