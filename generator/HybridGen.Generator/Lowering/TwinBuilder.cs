using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using HybridGen.Generator.Analysis;
using HybridGen.Generator.Model;
using HybridGen.Graph;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace HybridGen.Generator.Lowering;

/// <summary>
/// Builds one twin: the graph IR function for the hybridized method, the functions of the helpers it calls (each
/// lowered once), and the small runtime functions C# semantics need (integer division that truncates), then its
/// TorchScript (<see cref="TorchScriptPrinter"/>). Fields and properties the method reads become extra graph inputs,
/// read at every call.
/// </summary>
internal sealed class TwinBuilder
{
    private readonly Dictionary<ISymbol, string> _inputNames = new(SymbolEqualityComparer.Default);
    // Submodule state inputs by how they are read: one input per value, however often it is used.
    private readonly Dictionary<StateAccess, string> _moduleInputNames = new();
    private readonly Compilation _compilation;
    private readonly CancellationToken _ct;
    private readonly Dictionary<ISymbol, string> _helperNames = new(SymbolEqualityComparer.Default);
    private readonly List<GraphFunction> _helperFunctions = new();
    private readonly SortedSet<string> _runtime = new(System.StringComparer.Ordinal);
    private readonly Dictionary<string, (TwinInput input, string annotation)> _inputs = new();
    private readonly List<string> _inputOrder = new();
    private readonly List<ModuleTreeCheck> _treeChecks = new();
    // User-module functions by their TorchScript with a placeholder name: instances whose functions print the same share one.
    private readonly Dictionary<string, (string name, ModuleScope scope)> _moduleFunctions = new(System.StringComparer.Ordinal);
    private readonly HashSet<IMethodSymbol> _loweringModules = new(SymbolEqualityComparer.Default);
    private int[] _selection = System.Array.Empty<int>();
    private readonly List<int> _choiceSizes = new();

    private readonly INamedTypeSymbol _owner;
    private readonly List<RunTimeModuleModel> _runTimeModules = new();
    // What the analysis found: which submodules are run-time ones, and which of their results the body owns.
    private readonly MethodSummary _summary;
    private readonly SortedDictionary<string, AccessorModel> _accessors = new(System.StringComparer.Ordinal);

    private TwinBuilder(CompilationScope scope, INamedTypeSymbol owner, MethodSummary summary, CancellationToken ct)
    {
        _summary = summary;
        Scope = scope;
        _compilation = scope.Compilation;
        _owner = owner;
        _ct = ct;
    }

    /// <summary>How the hybridized type reads <paramref name="member"/> of <paramref name="instance"/>: a plain member
    /// access where it is accessible, else an UnsafeAccessor the generated code declares (a user block's private
    /// submodule fields), which costs what the access does.</summary>
    public StateAccess Read(StateAccess instance, ISymbol member, SyntaxNode where)
    {
        if (_compilation.IsSymbolAccessibleWithin(member, _owner)) return new StateAccess.Member(instance, member.Name);
        if (member.IsStatic) throw new LoweringFailure(where, $"a read of '{member.Name}', a static member the hybridized type cannot reach");
        string type = member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        string name = "__hg_access_" + member.ContainingType.Name + "_" + member.Name.TrimStart('_', '@') + "_" + (Formats.Fnv.Hash32(type) % 10000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        ITypeSymbol valueType = member switch
        {
            IFieldSymbol f => f.Type,
            IPropertySymbol p => p.Type,
            _ => throw new System.InvalidOperationException(member.Kind.ToString()),
        };
        _accessors[name] = new AccessorModel(name, member is IFieldSymbol, member.Name, valueType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), type);
        return new StateAccess.Member(instance, member.Name, name);
    }


    public CancellationToken Token => _ct;

    public SemanticModel ModelFor(SyntaxTree tree) => _compilation.GetSemanticModel(tree);

    /// <summary>The op catalog resolved for this compilation.</summary>
    public Catalog.OpLookup Ops => Scope.Ops;

    /// <summary>What this compilation's analysis and lowering share.</summary>
    public CompilationScope Scope { get; }

    // A constructor that picks a submodule by a condition (ResNet's shortcut: a projection or an empty Sequential),
    // or fills a container in a loop (one twin per repetition count up to MaxRepeats), gives one twin per
    // combination, each with the tree checks that select it at run time; past MaxTrees the method runs eager.
    public const int MaxTrees = 16;
    public const int MaxRepeats = 8;

    /// <summary>The twin of <paramref name="method"/> (lowered from <paramref name="eager"/>), or null and the
    /// HG0301 diagnostic naming the construct that has no graph form yet. Where the module tree has choices, the
    /// twin for the first combination carries the others (<see cref="TwinModel.OtherTrees"/>). The analysis'
    /// <paramref name="summary"/> names the submodules only the run time can see: their calls become
    /// GraphSubmoduleCall nodes.</summary>
    public static TwinModel? Build(CompilationScope scope, IMethodSymbol method, IMethodSymbol eager, string displayName,
        MethodSummary summary, out DiagnosticInfo? failure, CancellationToken ct)
    {
        try
        {
            foreach (IParameterSymbol parameter in method.Parameters)
                if (GraphTypes.KindOf(parameter.Type) is GraphKind.IntList or GraphKind.FloatList)
                    throw new LoweringFailure(parameter.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(ct) ?? eager.DeclaringSyntaxReferences[0].GetSyntax(ct),
                        $"the parameter '{parameter.Name}', a list of numbers (TorchSharp's TorchScript calls carry tensors, lists of tensors and single numbers)");
            TwinModel first = BuildTree(scope, method, eager, summary, System.Array.Empty<int>(), out List<int> sizes, ct);
            failure = null;
            if (sizes.Count == 0) return first;
            long trees = sizes.Aggregate(1L, (product, size) => product * size);
            if (trees > MaxTrees)
                throw new LoweringFailure(eager.DeclaringSyntaxReferences[0].GetSyntax(ct),
                    $"a module tree its constructor can build {trees} ways (conditions, containers filled in loops: at most {MaxTrees} twins)");
            var others = new List<TwinModel>();
            int[] selection = new int[sizes.Count];
            for (long tree = 1; tree < trees; tree++)
            {
                long rest = tree;                             // the tree's number in mixed radix, one digit a choice
                for (int k = 0; k < sizes.Count; k++, rest /= sizes[k - 1]) selection[k] = (int)(rest % sizes[k]);
                TwinModel twin = BuildTree(scope, method, eager, summary, selection, out _, ct);
                if (Identity(twin) != Identity(first) && !others.Any(o => Identity(o) == Identity(twin))) others.Add(twin);
            }
            return first with { OtherTrees = others.ToEquatableArray() };
        }
        catch (LoweringFailure f)
        {
            failure = DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct, f.Node.GetLocation(), displayName, f.Construct);
            return null;
        }
    }

    /// <summary>What tells two trees' twins apart: their TorchScript, or for a piece (which has none) its graph IR.</summary>
    private static string Identity(TwinModel twin) => twin.RunTimeModules.Count > 0 ? twin.GraphText : twin.Source;

    private static TwinModel BuildTree(CompilationScope scope, IMethodSymbol method, IMethodSymbol eager, MethodSummary summary, int[] selection, out List<int> sizes, CancellationToken ct)
    {
        var builder = new TwinBuilder(scope, method.ContainingType, summary, ct) { _selection = selection };
        GraphFunction main = FunctionLowering.LowerMain(builder, method, eager);
        var program = new GraphProgram(builder._runtime.ToEquatableArray(), builder._helperFunctions.Append(main).ToEquatableArray());
        sizes = builder._choiceSizes;
        var inputs = builder._inputOrder.Select(name => builder._inputs[name].input).ToEquatableArray();
        // A piece with run-time submodules has no TorchScript of its own: the runtime composes the live tree.
        string source = builder._runTimeModules.Count > 0 ? "" : TorchScriptPrinter.Print(program);
        return new TwinModel(method.Name, source, inputs, GraphTypes.ResultOf(method.ReturnType))
        {
            RunTimeModules = builder._runTimeModules.ToEquatableArray(),
            TreeChecks = builder._treeChecks.ToEquatableArray(),
            Accessors = builder._accessors.Values.ToEquatableArray(),
            GraphText = Graph.GraphText.Write(program),
        };
    }

    /// <summary>Whether the analysis took the submodule at <paramref name="path"/> (<c>{0}.layers</c>) as one only
    /// the run time can see.</summary>
    public bool IsRunTimeModule(string path) => _summary.RunTimeModules.Contains(MemberOf(path));

    /// <summary>A call of a run-time submodule: its slot (one per member, however often it is called) and the node
    /// the runtime replaces with the live module's forward.</summary>
    public GraphExpr RunTimeModule(StateAccess access, string path, IReadOnlyList<GraphExpr> inputs)
    {
        string member = MemberOf(path);
        int slot = _runTimeModules.FindIndex(m => m.Access == access);
        if (slot < 0)
        {
            slot = _runTimeModules.Count;
            _runTimeModules.Add(new RunTimeModuleModel(access, member));
        }
        return new GraphSubmoduleCall(slot, member, _summary.FreshModules.Contains(member), inputs.ToEquatableArray());
    }

    private static string MemberOf(string path) => path.StartsWith("{0}.", System.StringComparison.Ordinal) ? path.Substring(4) : path;

    /// <summary>Which of <paramref name="options"/> ways the constructor builds the next such submodule this twin is
    /// for (0 in the first twin).</summary>
    public int Pick(int options)
    {
        int k = _choiceSizes.Count;
        _choiceSizes.Add(options);
        return k < _selection.Length ? _selection[k] : 0;
    }

    /// <summary>A TorchScript runtime function (see <see cref="TorchScriptHelpers"/>) the twin needs.</summary>
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
        _helperFunctions.Add(FunctionLowering.LowerHelper(this, method, name, callSite));
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
        string annotation = ScriptTypes.OfMember(member, type, where);
        StateAccess owner = member.IsStatic ? new StateAccess.StaticType(member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)) : StateAccess.Owner.Instance;
        _inputs[name] = (new TwinInput(name, new StateAccess.Member(owner, member.Name), GraphTypes.KindOf(type)), annotation);
        _inputOrder.Add(name);
        return name;
    }

    /// <summary>The graph input carrying one value of a submodule's state (<c>fc1.weight</c>, <c>conv1.stride[1]</c>),
    /// read at every call: <paramref name="access"/> reads it from the hybridized module; <paramref name="stem"/>
    /// names the input.</summary>
    public string ModuleInput(StateAccess access, string stem, string annotation, GraphKind kind)
    {
        if (_moduleInputNames.TryGetValue(access, out string? known)) return known;
        string name = "__in_" + stem;
        for (int k = 2; _inputs.ContainsKey(name); k++) name = "__in_" + stem + "_" + k;
        _moduleInputNames[access] = name;
        _inputs[name] = (new TwinInput(name, access, kind), annotation);
        _inputOrder.Add(name);
        return name;
    }

    /// <summary>A check of the module tree the twin was built for, made before every call.</summary>
    public void TreeCheck(ModuleTreeCheck check)
    {
        if (!_treeChecks.Contains(check)) _treeChecks.Add(check);
    }

    /// <summary>The function lowered from a user module's forward for one instance: its name and the state it reads,
    /// which the call site passes for that instance. Instances whose functions come out the same (no choice in their
    /// tree differs) share one.</summary>
    public (string name, ModuleScope scope) ModuleFunction(IMethodSymbol body, SyntaxNode callSite)
    {
        if (!_loweringModules.Add(body))
            throw new LoweringFailure(callSite, $"a module whose forward reaches itself ('{body.ContainingType.Name}')");
        try
        {
            const string placeholder = "__hg_module_function";
            var scope = new ModuleScope();
            GraphFunction function = FunctionLowering.LowerModuleMethod(this, body, placeholder, scope, callSite);
            string text = TorchScriptPrinter.Print(function);
            if (_moduleFunctions.TryGetValue(text, out (string name, ModuleScope scope) known)) return known;
            string name = "__hg_module_" + body.ContainingType.Name + "_" + body.Name + (_moduleFunctions.Count == 0 ? "" : "_" + _moduleFunctions.Count);
            _helperFunctions.Add(function with { Name = name });
            _moduleFunctions[text] = (name, scope);
            return (name, scope);
        }
        finally
        {
            _loweringModules.Remove(body);
        }
    }

    public IEnumerable<(string name, string annotation)> InputParameters => _inputOrder.Select(n => (n, _inputs[n].annotation));
}
