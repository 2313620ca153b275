using System;
using System.Collections.Generic;
using System.Diagnostics;
using HybridGen.Twins;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Dispatch;

/// <summary>
/// The backward half of a probing call's time, where the signature's calls need gradients: in training a route costs
/// its forward and its backward, and the two can rank eager and a twin differently (an autodiff graph of TorchScript
/// against eager's autograd). After a probing call, a backward runs from its results (seeded with ones) to the leaf
/// tensors it read that require grad (a module's parameters), keeping the graph for the caller's own backward.
/// <para>
/// It is <c>torch.autograd.backward</c> with those inputs, not <c>autograd.grad</c>: TorchSharp 0.107's native
/// <c>THSAutograd_grad</c> does not catch libtorch's errors (one would end the process), its backward does. Its
/// gradients go to <c>.grad</c>, so each input's <c>.grad</c> is set aside first and put back after (the same
/// tensor object, untouched), whatever happens: the caller's gradients are exactly what they were. What can still be
/// seen: the backward of a custom autograd function in the call runs once more (<c>"timeBackward": false</c> for
/// such bodies). It costs one more backward per probing call.
/// </para>
/// </summary>
internal static class ProbeBackward
{
    [ThreadStatic] private static int t_timedProbes;

    /// <summary>Whether this thread is inside a timed probing call (a call made now is nested in it).</summary>
    public static bool InTimedProbe => t_timedProbes > 0;

    /// <summary>Marks this thread as running a timed probing call until disposed.</summary>
    public static TimedProbe EnterTimedProbe()
    {
        t_timedProbes++;
        return new TimedProbe(true);
    }

    public readonly struct TimedProbe : IDisposable
    {
        private readonly bool _entered;

        public TimedProbe(bool entered) => _entered = entered;

        public void Dispose()
        {
            if (_entered) t_timedProbes--;
        }
    }

    /// <summary>The leaf tensors among a call's twin arguments (its parameters and the state it reads) that require
    /// grad: where its timed backward ends. A non-leaf input (an activation) is left out: its gradient would go
    /// through the caller's own graph before the call.</summary>
    public static List<Tensor> Inputs(ReadOnlySpan<TwinValue> arguments)
    {
        var inputs = new List<Tensor>();
        foreach (TwinValue value in arguments)
        {
            if (value.Kind == TwinValueKind.Tensor) Add(value.Tensor!, inputs);
            else if (value.Kind == TwinValueKind.TensorList)
                foreach (Tensor t in value.Tensors) Add(t, inputs);
        }
        return inputs;
    }

    private static void Add(Tensor tensor, List<Tensor> inputs)
    {
        // By reference: TorchSharp's Tensor.Equals compares values (torch.equal).
        if (tensor.requires_grad && tensor.is_leaf && !inputs.Exists(t => ReferenceEquals(t, tensor))) inputs.Add(tensor);
    }

    /// <summary>Times a backward of the call's own graph, from <paramref name="result"/> to <paramref name="inputs"/>;
    /// null with the time, else why it cannot be timed (then the signature is timed on the forward alone).</summary>
    public static string? Time(object? result, List<Tensor> inputs, bool cuda, out double microseconds)
    {
        microseconds = 0;
        var outputs = new List<Tensor>();
        Collect(result, outputs);
        if (outputs.Count == 0) return "its results need no gradient";
        if (inputs.Count == 0) return "no leaf tensor it reads requires grad";
        using DisposeScope scope = NewDisposeScope();
        var seeds = new List<Tensor>(outputs.Count);
        foreach (Tensor output in outputs) seeds.Add(ones_like(output));
        var saved = new Tensor?[inputs.Count];
        int swapped = 0;
        try
        {
            for (; swapped < inputs.Count; swapped++)
            {
                saved[swapped] = inputs[swapped].grad;
                inputs[swapped].grad = null;
            }
            long start = Stopwatch.GetTimestamp();
            autograd.backward(outputs, seeds, retain_graph: true, inputs: inputs);
            if (cuda) torch.cuda.synchronize();
            microseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000;
            return null;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            return "a backward of a probing call failed (" + error.Message.Split('\n')[0] + ")";
        }
        finally
        {
            // The caller's gradients back, the same tensors: the probe's own are dropped with them. Last first: one
            // parameter met twice (tied weights read through two modules' wrappers) was set aside as itself first and
            // as null second, so the first one put back must be the second.
            for (int k = swapped - 1; k >= 0; k--) inputs[k].grad = saved[k];
        }
    }

    /// <summary>The result's tensors that a backward can start from (those of EagerScope.ForEachTensor that require
    /// grad).</summary>
    private static void Collect(object? result, List<Tensor> outputs) =>
        EagerScope.ForEachTensor(result, outputs, static (tensor, list) =>
        {
            if (tensor.requires_grad) list.Add(tensor);
        });
}
