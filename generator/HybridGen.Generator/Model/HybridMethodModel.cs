using HybridGen.Graph;
using System.Linq;

namespace HybridGen.Generator.Model;

/// <summary>Everything the emitter needs for one [Hybridize] method: strings, primitives and equatable arrays.
/// <see cref="Overload"/> is set when the type hybridizes several overloads of the name: their parameter types
/// ("Tensor, double"), which keep their dispatchers, reports and profiles apart.</summary>
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
    bool Capturable,
    OverridesModel? Overrides = null,
    string? Overload = null)
{
    /// <summary>"Namespace.Type.Method", and "(parameter types)" for overloads: the name in the report, the twin
    /// records and the profile.</summary>
    public string QualifiedName => QualifiedNameOf(Namespace, ContainingTypes.Select(t => t.Name), Name, Overload);

    /// <summary>The one spelling of a method's qualified name (the HG0203 analyzer builds it from a symbol).</summary>
    public static string QualifiedNameOf(string? ns, System.Collections.Generic.IEnumerable<string> types, string name, string? overload) =>
        string.Join(".", new[] { ns }.Concat(types).Concat(new[] { name }).Where(s => !string.IsNullOrEmpty(s))) + (overload is null ? "" : "(" + overload + ")");
}

/// <summary>The dispatch options written in [Hybridize(...)] (null where not written), as the attribute holds them.</summary>
internal sealed record OverridesModel(int? Mode, double? Margin, long? ReprobeInterval, int? WarmupCalls, int? ProbeCalls, int? SignatureCap);

/// <summary>A type around the method, outermost first: its keyword (class, struct, record...) and name.</summary>
internal sealed record ContainingType(string Keyword, string Name);

/// <summary>A parameter: its C# name, its fully qualified type and how it crosses into the graph.</summary>
internal sealed record ParameterModel(string Name, string Type, GraphKind Kind);

/// <summary>The graph twin: the TorchScript function's name and source, the fields and properties it reads as
/// extra inputs (after the parameters), and the shape of the method's result (tuples are flattened in the graph's
/// outputs; the Emitter writes the code that rebuilds it).</summary>
internal sealed record TwinModel(string FunctionName, string Source, EquatableArray<TwinInput> Inputs, ResultShape Result)
{
    /// <summary>C# expressions (over the argument tuple <c>a</c>) that confirm the module tree the twin was built
    /// for, each null when it holds and else the reason (Runtime's ModuleTree); empty for a fixed tree.</summary>
    public EquatableArray<ModuleTreeCheck> TreeChecks { get; init; }

    /// <summary>Twins for the other module trees the constructor can make (a submodule picked by a condition), each
    /// selected at run time by its own tree checks; empty when the tree has no choices.</summary>
    public EquatableArray<TwinModel> OtherTrees { get; init; }

    /// <summary>UnsafeAccessor declarations the state reads need (private members of user submodules).</summary>
    public EquatableArray<AccessorModel> Accessors { get; init; }

    /// <summary>The twin's graph IR in its text form (Graph/GraphText), from which the runtime builds the other
    /// backends' models (ONNX) per input signature; <see cref="Source"/> is its TorchScript.</summary>
    public string GraphText { get; init; } = "";

    /// <summary>The submodules only the run time can see; where there are any, the program is a piece the runtime
    /// composes with the live module tree (Runtime's Composition/ComposedFunction), with no TorchScript of its own.</summary>
    public EquatableArray<RunTimeModuleModel> RunTimeModules { get; init; }
}

/// <summary>A value read at every call and passed to the twin (a field or property, a submodule's parameter or
/// setting): its graph input's name, the C# expression that reads it (<c>a.Item1</c> is the receiver, static members
/// are fully qualified), and how it is carried.</summary>
internal sealed record TwinInput(string Name, StateAccess Access, GraphKind Kind);

/// <summary>A submodule only the run time can see (decision 5): how generated code reads the live module at every
/// call, and its path for reports. The program's GraphSubmoduleCall nodes name it by its index.</summary>
internal sealed record RunTimeModuleModel(StateAccess Access, string Path);

/// <summary>What a hybridized method returns, as the twin's flattened outputs are read back.</summary>
internal enum ResultKind { Tensor, TensorList, Int32, Int64, Single, Double, Boolean, Tuple }

/// <summary>The result's shape: a leaf (one graph output) or a tuple of shapes.</summary>
internal sealed record ResultShape(ResultKind Kind, EquatableArray<ResultShape> Elements)
{
    /// <summary>How many graph outputs the result takes (tuples flattened).</summary>
    public int OutputCount => Kind == ResultKind.Tuple ? Elements.Sum(e => e.OutputCount) : 1;
}

/// <summary>The transform's value per method: a model to emit (or null) and the diagnostics found. The pipeline
/// splits it at once: the source output sees only the model (no syntax tree), the diagnostics output the rest.</summary>
internal sealed record HybridMethodResult(HybridMethodModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
