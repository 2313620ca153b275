using System;

namespace HybridGen;

/// <summary>What the generator knows about one hybridized method: its name, where it is, and its twin.</summary>
public sealed class HybridMethodInfo
{
    public HybridMethodInfo(string name, string location, string twinFunction, string twinSource, bool capturable = true, string? twinGraph = null)
    {
        TwinGraph = twinGraph;
        Name = name;
        Location = location;
        TwinFunction = twinFunction;
        TwinSource = twinSource;
        Capturable = capturable;
    }

    /// <summary>A hash of the twin's source: a persisted decision counts only for the twin it was measured with.</summary>
    public string TwinHash => _twinHash ??= Formats.ValidatedTwinsFile.Hash(TwinSource); // the validation record's name too

    private string? _twinHash;

    /// <summary>False when the analysis found host synchronization a CUDA graph cannot capture (HG0204).</summary>
    public bool Capturable { get; }

    /// <summary>The method's qualified name, e.g. <c>Samples.Blocks.Mlp</c>.</summary>
    public string Name { get; }

    /// <summary>The C# file and line of the declaration, e.g. <c>Blocks.cs(12)</c>.</summary>
    public string Location { get; }

    /// <summary>The TorchScript function implementing the twin.</summary>
    public string TwinFunction { get; }

    /// <summary>The twin's TorchScript source, as the generator emitted it.</summary>
    public string TwinSource { get; }

    /// <summary>The twin's graph IR in its text form (the generator's lowering, which the TorchScript prints), from
    /// which the ONNX route builds a model per input signature; null from code generated before the IR.</summary>
    public string? TwinGraph { get; }
}
