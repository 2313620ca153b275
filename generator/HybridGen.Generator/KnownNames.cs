namespace HybridGen.Generator;

/// <summary>Metadata names the generator looks for (strings, so the generator references no runtime assembly).</summary>
internal static class KnownNames
{
    public const string HybridizeAttribute = "HybridGen.HybridizeAttribute";
    public const string HybridTwinAttribute = "HybridGen.HybridTwinAttribute";
    public const string Tensor = "TorchSharp.torch.Tensor";
}

/// <summary>Names of the pipeline steps, for incrementality tests.</summary>
internal static class TrackingNames
{
    public const string Targets = "HybridTargets";
    public const string Analyzed = "HybridAnalyzed";
    public const string Methods = "HybridMethods";
    public const string Models = "HybridModels";
    public const string Diagnostics = "HybridDiagnostics";
}
