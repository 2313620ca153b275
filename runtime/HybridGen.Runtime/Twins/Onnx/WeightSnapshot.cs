using System;
using HybridGen.Native;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

/// <summary>
/// The weights an ONNX Runtime session took as initializers (read in place, some prepacked or rewritten by its graph
/// optimizations at build time), as they were then. A call may use
/// that session only while <see cref="Matches"/> holds for the weights it reads now: tensors with the same
/// TensorImpl, data address, sizes and version as then (Native/TensorVersions). Its owner keeps views of the weights
/// alive as long as it uses the snapshot, so their memory cannot be freed and reused by another tensor that would then
/// look the same. An optimizer step, <c>load_state_dict</c>, a reassigned parameter or <c>to(dtype)</c> makes it
/// false, and the call must use weights as graph inputs (always current) instead.
/// </summary>
internal sealed class WeightSnapshot
{
    private readonly TensorVersion[] _versions;

    private WeightSnapshot(TensorVersion[] versions) => _versions = versions;

    public static WeightSnapshot Of(ReadOnlySpan<Tensor> weights)
    {
        var versions = new TensorVersion[weights.Length];
        for (int k = 0; k < versions.Length; k++) versions[k] = TensorVersions.Of(weights[k]);
        return new WeightSnapshot(versions);
    }

    /// <summary>Whether <paramref name="other"/> saw the same tensors with the same values.</summary>
    public bool SameAs(WeightSnapshot other)
    {
        if (other._versions.Length != _versions.Length) return false;
        for (int k = 0; k < _versions.Length; k++)
            if (other._versions[k] != _versions[k]) return false;
        return true;
    }

    /// <summary>Whether <paramref name="weights"/> are the snapshot's tensors with the values it saw (a few native
    /// calls a tensor, the sizes read in place: about 75 ns for 6 weights, docs/benchmarks/onnx-runtime.md).</summary>
    public bool Matches(ReadOnlySpan<Tensor> weights)
    {
        if (weights.Length != _versions.Length) return false;
        for (int k = 0; k < _versions.Length; k++)
            if (TensorVersions.Of(weights[k]) != _versions[k]) return false;
        return true;
    }
}
