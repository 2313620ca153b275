using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HybridGen.Twins;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Dispatch;

/// <summary>
/// The backward half of a probing call's time, where the signature's calls need gradients: in training a route costs
/// its forward and its backward, and the two can rank eager and a twin differently (an autodiff graph of TorchScript
/// against eager's autograd). After a timed probing call, <c>torch.autograd.grad</c> runs from its results (seeded
/// with ones) to the tensors it read that require grad, keeping the graph for the caller's own backward and returning
/// the gradients instead of adding them to <c>.grad</c>; nothing the caller sees changes. It costs one more backward
/// per timed probing call (about 10 to 40 calls a signature).
/// </summary>
internal static class ProbeBackward
{
    /// <summary>The tensors among a call's twin arguments (its parameters and the state it reads) that require grad:
    /// where its backward ends.</summary>
    public static List<Tensor> Inputs(ReadOnlySpan<TwinValue> arguments)
    {
        var inputs = new List<Tensor>();
        foreach (TwinValue value in arguments)
        {
            if (value.Kind == TwinValueKind.Tensor && value.Tensor!.requires_grad) inputs.Add(value.Tensor);
            else if (value.Kind == TwinValueKind.TensorList)
                foreach (Tensor t in value.Tensors)
                    if (t.requires_grad) inputs.Add(t);
        }
        return inputs;
    }

    /// <summary>Times a backward of the call's own graph, from <paramref name="result"/> to <paramref name="inputs"/>;
    /// null with the time, else why it cannot be timed (then the signature is timed on the forward alone).</summary>
    public static string? Time(object? result, List<Tensor> inputs, bool cuda, out double microseconds)
    {
        microseconds = 0;
        var outputs = new List<Tensor>();
        Collect(result, outputs);
        if (outputs.Count == 0) return "its results need no gradient";
        if (inputs.Count == 0) return "no tensor it reads requires grad";
        using DisposeScope scope = NewDisposeScope();
        var seeds = new List<Tensor>(outputs.Count);
        foreach (Tensor output in outputs) seeds.Add(ones_like(output));
        long start = Stopwatch.GetTimestamp();
        try
        {
            autograd.grad(outputs, inputs, seeds, retain_graph: true, allow_unused: true);
            if (cuda) torch.cuda.synchronize();
        }
        catch (ExternalException error)
        {
            return "libtorch refused a backward of a probing call: " + error.Message.Split('\n')[0];
        }
        microseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000;
        return null;
    }

    /// <summary>The result's tensors that a backward can start from (a tensor, or tensors in tuples and lists).</summary>
    private static void Collect(object? result, List<Tensor> outputs)
    {
        switch (result)
        {
            case Tensor tensor:
                if (tensor.requires_grad && tensor.is_floating_point()) outputs.Add(tensor);
                break;
            case ITuple tuple:
                for (int k = 0; k < tuple.Length; k++) Collect(tuple[k], outputs);
                break;
            case IEnumerable<Tensor> tensors:
                foreach (Tensor t in tensors) Collect(t, outputs);
                break;
        }
    }
}
