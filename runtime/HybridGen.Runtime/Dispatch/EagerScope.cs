using System.Collections.Generic;
using System.Runtime.CompilerServices;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Dispatch;

/// <summary>
/// Runs an eager body inside a dispose scope and moves its result out: the intermediates it made are freed when it
/// returns, as in the graph twin, instead of waiting for the garbage collector. Safe for hybridized methods only:
/// the analysis proved they store no tensor anywhere but in their result. A result that is one of the inputs is
/// left where it is (the scope moves only what it owns).
/// </summary>
internal static class EagerScope
{
    /// <summary>Runs <paramref name="eager"/> in a dispose scope and moves its result out.</summary>
    public static TResult Run<TArgs, TResult>(System.Func<TArgs, TResult> eager, in TArgs arguments)
    {
        // Background work its nested hybridized calls ask for starts when the outermost eager body returns.
        using Twins.BackgroundCompiles.EagerBody body = Twins.BackgroundCompiles.EnterEager();
        using DisposeScope scope = torch.NewDisposeScope();
        TResult result = eager(arguments);
        MoveOut(result, scope);
        return result;
    }

    /// <summary>Moves the result's tensors (a tensor, or tensors in tuples, arrays and lists) to the caller's scope.</summary>
    public static void MoveOut(object? result, DisposeScope scope) =>
        ForEachTensor(result, scope, static (tensor, outer) => outer.MoveToOuter(tensor));

    /// <summary>Calls <paramref name="action"/> on each tensor of a method's result: a tensor, or tensors in tuples,
    /// arrays and lists (what a hybridized method may return). The state goes in as an argument, so a static lambda
    /// allocates nothing (MoveOut runs at every eager call).</summary>
    public static void ForEachTensor<TState>(object? result, TState state, System.Action<Tensor, TState> action)
    {
        switch (result)
        {
            case Tensor tensor:
                action(tensor, state);
                break;
            case ITuple tuple:
                for (int k = 0; k < tuple.Length; k++) ForEachTensor(tuple[k], state, action);
                break;
            case IEnumerable<Tensor> tensors:
                foreach (Tensor t in tensors) action(t, state);
                break;
        }
    }
}
