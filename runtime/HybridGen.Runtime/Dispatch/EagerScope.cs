using System.Runtime.CompilerServices;
using HybridGen.Torch;

namespace HybridGen.Dispatch;

/// <summary>
/// Runs an eager body inside a dispose scope and moves its result out: the intermediates it made are freed when it
/// returns, as in the graph twin, instead of waiting for the garbage collector. Safe for hybridized methods only:
/// the analysis proved they store no tensor anywhere but in their result.
/// </summary>
internal static class EagerScope
{
    /// <summary>Moves the result's tensors (a tensor, or tensors in tuples and arrays) to the caller's scope.</summary>
    public static void MoveOut(object? result)
    {
        switch (result)
        {
            case Tensor tensor:
                tensor.MoveToOuterDisposeScope();
                break;
            case ITuple tuple:
                for (int k = 0; k < tuple.Length; k++) MoveOut(tuple[k]);
                break;
            case Tensor[] tensors:
                foreach (Tensor t in tensors) t.MoveToOuterDisposeScope();
                break;
        }
    }
}
