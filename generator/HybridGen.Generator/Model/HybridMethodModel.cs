namespace HybridGen.Generator.Model;

/// <summary>Everything the emitter needs for one [Hybridize] method: strings, primitives and equatable arrays.</summary>
internal sealed record HybridMethodModel(
    string HintName,
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string Modifiers,
    string ReturnType,
    string Name,
    bool IsStatic,
    EquatableArray<ParameterModel> Parameters,
    string EagerName,
    string Location,
    TwinModel? Twin,
    bool Capturable);

/// <summary>A type around the method, outermost first: its keyword (class, struct, record...) and name.</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>A parameter: its C# name, its fully qualified type and how it crosses into the graph.</summary>
internal sealed record ParameterModel(string Name, string Type, GraphKind Kind);

/// <summary>How a value is carried into or out of the graph.</summary>
internal enum GraphKind
{
    Tensor,
    Int,
    Float,
    Bool,

    /// <summary>Carriable (arrays, lists, tuples) but not lowered yet.</summary>
    Other,
}

/// <summary>The graph twin: a TorchScript function's name and its source text.</summary>
internal sealed record TwinModel(string FunctionName, string Source);

/// <summary>The pipeline's value per method: a model to emit (or null) and the diagnostics found.</summary>
internal sealed record HybridMethodResult(HybridMethodModel? Model, EquatableArray<DiagnosticInfo> Diagnostics, Analysis.HybridTarget? Target = null);
