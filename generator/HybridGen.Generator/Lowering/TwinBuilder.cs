using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using HybridGen.Generator.Analysis;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HybridGen.Generator.Lowering;

/// <summary>
/// Builds one twin: the TorchScript function for the hybridized method, the functions of the helpers it calls
/// (each lowered once), and the small runtime functions C# semantics need (integer division that truncates).
/// Fields and properties the method reads become extra graph inputs, read at every call.
/// </summary>
internal sealed class TwinBuilder
{
    private readonly Dictionary<ISymbol, string> _inputNames = new(SymbolEqualityComparer.Default);
    // Submodule state inputs by the C# expression that reads them: one input per value, however often it is used.
    private readonly Dictionary<string, string> _moduleInputNames = new(System.StringComparer.Ordinal);
    private readonly Compilation _compilation;
    private readonly CancellationToken _ct;
    private readonly Dictionary<ISymbol, string> _helperNames = new(SymbolEqualityComparer.Default);
    private readonly List<string> _helperSources = new();
    private readonly SortedSet<string> _runtime = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, (TwinInput input, string annotation)> _inputs = new();
    private readonly List<string> _inputOrder = new();

    private TwinBuilder(Compilation compilation, CancellationToken ct)
    {
        _compilation = compilation;
        _ct = ct;
    }

    public CancellationToken Token => _ct;

    public SemanticModel ModelFor(SyntaxTree tree) => _compilation.GetSemanticModel(tree);

    /// <summary>The op catalog resolved for this compilation.</summary>
    public Catalog.OpLookup Ops => Catalog.OpCatalog.For(_compilation);

    /// <summary>The twin of <paramref name="method"/> (lowered from <paramref name="eager"/>), or null and the
    /// HG0301 diagnostic naming the construct that has no graph form yet.</summary>
    public static TwinModel? Build(Compilation compilation, IMethodSymbol method, IMethodSymbol eager, string displayName,
        out DiagnosticInfo? failure, CancellationToken ct)
    {
        var builder = new TwinBuilder(compilation, ct);
        try
        {
            foreach (IParameterSymbol parameter in method.Parameters)
                if (GraphTypes.KindOf(parameter.Type) is GraphKind.IntList or GraphKind.FloatList)
                    throw new LoweringFailure(parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) ?? eager.DeclaringSyntaxReferences[0].GetSyntax(ct),
                        $"the parameter '{parameter.Name}', a list of numbers (TorchSharp's TorchScript calls carry tensors, lists of tensors and single numbers)");
            string main = FunctionLowering.LowerMain(builder, method, eager);
            var source = new StringBuilder();
            foreach (string helper in RuntimeHelpers.Sources(builder._runtime)) source.Append(helper).Append('\n');
            foreach (string helper in builder._helperSources) source.Append(helper).Append('\n');
            source.Append(main);
            failure = null;
            var inputs = builder._inputOrder.Select(name => builder._inputs[name].input).ToEquatableArray();
            return new TwinModel(method.Name, source.ToString(), inputs, ResultShapes.Of(method.ReturnType));
        }
        catch (LoweringFailure f)
        {
            failure = DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct, f.Node.GetLocation(), displayName, f.Construct);
            return null;
        }
    }

    /// <summary>A TorchScript runtime function (see <see cref="RuntimeHelpers"/>) the twin needs.</summary>
    public string UseRuntime(string name)
    {
        _runtime.Add(name);
        return name;
    }

    /// <summary>The name of the function lowered from a helper method, lowering it on first use.</summary>
    public string Helper(IMethodSymbol method, SyntaxNode callSite)
    {
        if (_helperNames.TryGetValue(method, out string? name)) return name;
        name = "__hg_fn_" + method.ContainingType.Name + "_" + method.Name + (_helperNames.Count == 0 ? "" : "_" + _helperNames.Count);
        _helperNames[method] = name;
        _helperSources.Add(FunctionLowering.LowerHelper(this, method, name, callSite));
        return name;
    }

    /// <summary>The graph input carrying a field or property the main function reads (one per member).</summary>
    public string Input(ISymbol member, ITypeSymbol type, SyntaxNode where)
    {
        // One input per member: two members whose names look alike (_scale and scale, A.Scale and B.Scale) get
        // inputs of their own.
        if (_inputNames.TryGetValue(member, out string? known)) return known;
        string stem = "__in_" + member.Name.TrimStart('_', '@'), name = stem;
        for (int k = 2; _inputs.ContainsKey(name); k++) name = stem + "_" + k;
        _inputNames[member] = name;
        string annotation = ScriptTypes.Annotation(type) ?? throw new LoweringFailure(where, $"a read of '{member.Name}', whose type '{type.ToDisplayString()}' has no graph form");
        string owner = member.IsStatic ? member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : "a.Item1";
        _inputs[name] = (new TwinInput(name, owner + "." + member.Name, GraphTypes.KindOf(type)), annotation);
        _inputOrder.Add(name);
        return name;
    }

    /// <summary>The graph input carrying one value of a submodule's state (<c>fc1.weight</c>, <c>conv1.stride[1]</c>),
    /// read at every call. <paramref name="path"/> is the submodule as the twin reaches it from the receiver
    /// (<c>fc1</c>, <c>block.conv1</c>), <paramref name="access"/> the C# that reads the value (<c>{0}</c>: the
    /// submodule), <paramref name="stem"/> the input's name.</summary>
    public string ModuleInput(string path, string stem, string access, string annotation, GraphKind kind)
    {
        string expression = string.Format(System.Globalization.CultureInfo.InvariantCulture, access, "a.Item1." + path);
        if (_moduleInputNames.TryGetValue(expression, out string? known)) return known;
        string name = "__in_" + stem;
        for (int k = 2; _inputs.ContainsKey(name); k++) name = "__in_" + stem + "_" + k;
        _moduleInputNames[expression] = name;
        _inputs[name] = (new TwinInput(name, expression, kind), annotation);
        _inputOrder.Add(name);
        return name;
    }

    public IEnumerable<(string name, string annotation)> InputParameters => _inputOrder.Select(n => (n, _inputs[n].annotation));
}

/// <summary>The shape of a method's result, as its twin's flattened outputs are read back.</summary>
internal static class ResultShapes
{
    public static ResultShape Of(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { IsTupleType: true } tuple)
            return new ResultShape(ResultKind.Tuple, tuple.TupleElements.Select(e => Of(e.Type)).ToEquatableArray());
        ResultKind kind = type.SpecialType switch
        {
            SpecialType.System_Int32 => ResultKind.Int32,
            SpecialType.System_Int64 => ResultKind.Int64,
            SpecialType.System_Single => ResultKind.Single,
            SpecialType.System_Double => ResultKind.Double,
            SpecialType.System_Boolean => ResultKind.Boolean,
            _ when GraphTypes.KindOf(type) == GraphKind.TensorList => ResultKind.TensorList,
            _ => ResultKind.Tensor,
        };
        return new ResultShape(kind, default);
    }
}
