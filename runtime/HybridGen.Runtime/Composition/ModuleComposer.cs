using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using HybridGen.Graph;

namespace HybridGen.Composition;

/// <summary>The live tree cannot be composed; the message names the module path and why.</summary>
internal sealed class CompositionException : Exception
{
    public CompositionException(string message) : base(message) { }

    /// <summary>Where the tree may compose once something changes (a native module leaves training mode), the check
    /// each call makes before trying again; else the tree is tried again after many calls.</summary>
    public Func<bool>? RetryWhen { get; init; }
}

/// <summary>
/// Composes the twin of a module tree that only exists at run time (docs/architecture.md, decision 5): it walks the
/// live tree from a hybridized module's piece and fills each run-time submodule call with what the live module is:
/// a Sequential chains its children, a catalog module kind becomes its row's call (Graph/ModuleCatalog, the same rows
/// the build spells), and a module whose forward is a piece too becomes a function of the program. Every state value
/// it adds is a graph input read at every call (<see cref="StateBlock"/>). Anything else stops the composition, with
/// the module's path: unknown is unsafe.
/// </summary>
internal sealed class ModuleComposer
{
    private readonly List<GraphFunction> _functions = new();
    private readonly Dictionary<string, GraphFunction> _byName = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _runtime = new(StringComparer.Ordinal);
    private readonly List<StateBlock> _blocks = new();
    private readonly List<TreeCheck> _checks = new();
    private readonly List<TreeCheck> _eagerWhen = new();
    // The state inputs the composition added, in order (__hg_s0, __hg_s1...), with their annotations.
    private readonly Dictionary<string, string> _annotations = new(StringComparer.Ordinal);
    private int _pieces;

    // Whether a module's result may share storage with its input.
    private enum Freshness { New, SameAsInput, Unknown }

    public static ComposedTree Compose(IModulePiece root, object owner)
    {
        var composer = new ModuleComposer();
        GraphFunction main = composer.Piece(root, owner, "", isRoot: true, out _);
        var program = new GraphProgram(composer._runtime.ToEquatableArray(), composer._functions.Append(main).ToEquatableArray());
        return new ComposedTree(GraphText.Write(program), composer._blocks.ToArray(), composer._annotations.Count, composer._checks.ToArray(),
            composer._eagerWhen.ToArray());
    }

    /// <summary>A piece's function for one live module: its main function with each run-time submodule call filled.
    /// <paramref name="extras"/>: the state inputs (global names) the function takes after its own parameters.</summary>
    private GraphFunction Piece(IModulePiece piece, object owner, string path, bool isRoot, out List<string> extras)
    {
        GraphProgram program = piece.Program;
        foreach (GraphFunction helper in program.Functions.Take(program.Functions.Count - 1)) AddFunction(helper, path);
        foreach (string runtime in program.Runtime) _runtime.Add(runtime);
        var modules = new object?[piece.ModulePaths.Length];
        piece.ReadModules(owner, modules);
        _checks.Add(new PieceCheck(piece, owner, (object?[])modules.Clone(), path));
        // The hybridized module's own fixed part is checked by its ComposedFunction before each call already.
        if (piece.HasFixedPart && !isRoot) _checks.Add(new FixedPartCheck(piece, owner, path));
        var taken = new List<string>();
        GraphFunction main = program.Main;
        var body = Statements(main.Body, call =>
        {
            object? live = modules[call.Slot];
            string at = path.Length == 0 ? call.Path : path + "." + call.Path;
            if (live is null) throw new CompositionException($"'{at}' is null");
            if (call.MustAllocate && FreshnessOf(live) != Freshness.New)
                throw new CompositionException($"the body changes the result of '{at}' in place (or disposes it), and that {live.GetType().Name} may return its input or a view of it (HG0110)");
            if (NativeTransformer.Is(live) || NativeRecurrent.Is(live) || NativeAttention.Is(live)) return Native(live, at, call.Inputs, taken);
            if (call.Inputs.Count != 1)
                throw new CompositionException($"'{at}' is a {live.GetType().Name}, called with {call.Inputs.Count} inputs (its kind takes one)");
            return Module(live, at, call.Inputs[0], taken);
        });
        extras = taken;
        var parameters = main.Parameters.Concat(taken.Select(name => new GraphParameter(name, _annotations[name]))).ToEquatableArray();
        return main with { Name = isRoot ? main.Name : "__hg_piece_" + (_pieces++).ToString(CultureInfo.InvariantCulture), Parameters = parameters, Body = body };
    }

    /// <summary>The forward of live module <paramref name="module"/> on <paramref name="input"/>; the state inputs
    /// it reads are added to <paramref name="taken"/>.</summary>
    private GraphExpr Module(object module, string path, GraphExpr input, List<string> taken)
    {
        switch (module)
        {
            case TorchSharp.Modules.Sequential sequence:
            {
                var children = new object[sequence.Count];
                for (int k = 0; k < children.Length; k++) children[k] = sequence[k];
                _checks.Add(new SequenceCheck(sequence, children, path));
                // TorchSharp's Sequential.forward: no children gives an alias of the input, else each child in turn.
                if (children.Length == 0) return GraphCall.Of("torch.alias", input);
                GraphExpr value = input;
                for (int k = 0; k < children.Length; k++) value = Module(children[k], $"{path}[{k}]", value, taken);
                return value;
            }
        }
        if (module is TorchSharp.Modules.Upsample upsample)
        {
            bool? recompute = upsample.recompute_scale_factor;     // read once: the literal and the check agree
            _runtime.Add(ModuleFunctions.Upsample);
            _checks.Add(new NativeUpsample.Check(upsample, recompute, path));
            return NativeUpsample.Call(upsample, recompute, input);
        }
        Type type = module.GetType();
        if (ModuleCatalog.Find(type.FullName) is { } row) return ModuleCatalog.Call(row, new[] { input }, new LiveStates(this, row, module, path, taken));
        if (ModulePieces.Find(module, out string? misfit) is { } piece)
        {
            if (piece.ParameterCount != 1)
                throw new CompositionException($"'{path}' is a {type.Name}, whose hybridized forward takes {piece.ParameterCount} inputs (a Sequential passes one)");
            var own = new List<string>();
            if (piece.StateCount > 0)
            {
                _blocks.Add(StateBlock.Of(module, piece.WriteState, piece.StateCount));
                GraphFunction main = piece.Program.Main;
                for (int k = 0; k < piece.StateCount; k++) own.Add(NewInput(main.Parameters[piece.ParameterCount + k].Annotation));
            }
            GraphFunction function = Piece(piece, module, path, isRoot: false, out List<string> nested);
            _functions.Add(function);
            taken.AddRange(own);
            taken.AddRange(nested);
            return GraphCall.Of(function.Name, new[] { input }.Concat(own.Concat(nested).Select(n => (GraphExpr)new GraphName(n))).ToArray());
        }
        if (misfit is not null)
            throw new CompositionException($"'{path}' is a {type.Name} whose tree is none its forward's pieces were built for: {misfit}");
        throw new CompositionException(type.Namespace == "TorchSharp.Modules"
            ? $"'{path}' is a {type.Name}, a module kind HybridGen does not spell yet (docs/modules.md lists those it does)"
            : $"'{path}' is a {type.Name}, whose forward is not [Hybridize]d (hybridize it, and its module tree is composed too)");
    }

    /// <summary>A native module whose settings only the live module shows (NativeTransformer, NativeAttention,
    /// NativeRecurrent): a function of the program, its states graph inputs read at every call (the dropout probability
    /// among them, measured at the first call in training mode: NativeDropout); where that cannot be measured, calls in
    /// training mode run eager (NativeTrainingCheck).</summary>
    private GraphExpr Native(object module, string path, EquatableArray<GraphExpr> inputs, List<string> taken)
    {
        bool recurrent = NativeRecurrent.Is(module), attention = NativeAttention.Is(module);
        // Input and initial state; query, key, value, key padding mask, need_weights, attention mask; or src, mask
        // and key padding mask.
        int accepted = recurrent ? 2 : attention ? 6 : 3;
        if (inputs.Count > accepted) throw new CompositionException($"'{path}' is a {module.GetType().Name}, called with {inputs.Count} inputs");
        var own = new List<string>();
        string name = "__hg_native_" + (_pieces++).ToString(CultureInfo.InvariantCulture);
        string NewState(Func<object, Twins.TwinValue> reader, string annotation)
        {
            _blocks.Add(StateBlock.Of(module, reader));
            string input = NewInput(annotation);
            own.Add(input);
            return input;
        }
        GraphFunction function;
        bool dropoutMatters = true;
        if (recurrent)
        {
            NativeRecurrent.Composed composed = NativeRecurrent.Function(module, path, name, NewState);
            (function, dropoutMatters) = (composed.Function, composed.DropoutMatters);
            _runtime.Add(composed.Runtime);
        }
        else if (attention)
        {
            function = NativeAttention.Function(module, path, name, NewState);
            _runtime.Add(ModuleFunctions.MultiheadAttention);
        }
        else
        {
            function = NativeTransformer.Function(module, path, name, NewState);
            _runtime.Add(ModuleFunctions.TransformerEncoderLayer);
        }
        _functions.Add(function);
        if (dropoutMatters) _eagerWhen.Add(new NativeTrainingCheck((TorchSharp.torch.nn.Module)module));
        taken.AddRange(own);
        // Left out: None, but need_weights, whose default is true (MultiheadAttention.call).
        var arguments = Enumerable.Range(0, accepted).Select(k => k < inputs.Count ? inputs[k] : attention && k == 4 ? GraphLiteral.True : GraphLiteral.None).Concat(own.Select(n => (GraphExpr)new GraphName(n)));
        return GraphCall.Of(function.Name, arguments.ToArray());
    }

    /// <summary>A catalog module's call (ModuleCatalog.Call, as the build spells a fixed tree), its states graph inputs
    /// read from the live module at every call.</summary>
    private sealed class LiveStates : IModuleStateSource
    {
        private readonly ModuleComposer _composer;
        private readonly ModuleRow _row;
        private readonly object _module;
        private readonly string _path;
        private readonly List<string> _taken;

        public LiveStates(ModuleComposer composer, ModuleRow row, object module, string path, List<string> taken)
        {
            _composer = composer;
            _row = row;
            _module = module;
            _path = path;
            _taken = taken;
        }

        public GraphExpr Value(ModuleState state) => Input(ModuleStateReader.For(_module.GetType(), state), state.Annotation);

        public GraphExpr Entry(ModuleState state, int entry) => Input(ModuleStateReader.For(_module.GetType(), state, entry), "int");

        public void ConfirmLength(ModuleState state)
        {
            // Read once, here: a length changed later fails the call's read of an entry (ModuleSettings.At).
            int length = ModuleStateReader.LengthOf(_module, state);
            if (length >= 0 && length != state.FixedEntries)
                throw new CompositionException($"'{_path}.{state.Name}' has {length} entries; a {_row.Name} takes {state.FixedEntries}");
        }

        public GraphExpr Setting(string name) =>
            throw new CompositionException($"'{_path}' is a {_row.Name}, whose setting '{name}' lives in libtorch's options, which only its construction shows (a field the build can see gets a twin)");

        public void UseRuntime(string name) => _composer._runtime.Add(name);

        private GraphName Input(Func<object, Twins.TwinValue> reader, string annotation)
        {
            _composer._blocks.Add(StateBlock.Of(_module, reader));
            string name = _composer.NewInput(annotation);
            _taken.Add(name);
            return new GraphName(name);
        }
    }

    private string NewInput(string annotation)
    {
        string name = "__hg_s" + _annotations.Count.ToString(CultureInfo.InvariantCulture);
        _annotations.Add(name, annotation);
        return name;
    }

    private void AddFunction(GraphFunction function, string path)
    {
        if (_byName.TryGetValue(function.Name, out GraphFunction? known))
        {
            if (known != function) throw new CompositionException($"two pieces of the tree at '{path}' hold different functions named '{function.Name}'");
            return;
        }
        _byName[function.Name] = function;
        _functions.Add(function);
    }

    /// <summary>Whether a live module returns a new tensor (a catalog kind that allocates), its input or a view of it
    /// (Identity, an in-place activation, an empty Sequential), or what only its own body knows (a piece).</summary>
    private static Freshness FreshnessOf(object module)
    {
        if (module is TorchSharp.Modules.Sequential sequence)
        {
            for (int k = sequence.Count - 1; k >= 0; k--)
            {
                Freshness child = FreshnessOf(sequence[k]);
                if (child != Freshness.SameAsInput) return child;
            }
            return Freshness.SameAsInput;
        }
        if (NativeTransformer.Is(module) || NativeRecurrent.Is(module) || NativeAttention.Is(module) || module is TorchSharp.Modules.Upsample) return Freshness.New;
        ModuleRow? row = ModuleCatalog.Find(module.GetType().FullName);
        return row is null ? Freshness.Unknown : row.Allocates ? Freshness.New : Freshness.SameAsInput;
    }

    // ---- the piece's body with its run-time submodule calls filled ----------------------------------------------

    private static EquatableArray<GraphStatement> Statements(EquatableArray<GraphStatement> body, Func<GraphSubmoduleCall, GraphExpr> fill) =>
        body.Select(s => Statement(s, fill)).ToEquatableArray();

    private static GraphStatement Statement(GraphStatement statement, Func<GraphSubmoduleCall, GraphExpr> fill) => statement switch
    {
        GraphAssign a => a with { Target = Expr(a.Target, fill), Value = Expr(a.Value, fill) },
        GraphEvaluate e => e with { Value = Expr(e.Value, fill) },
        GraphReturn { Value: { } value } r => r with { Value = Expr(value, fill) },
        GraphIf i => i with
        {
            Branches = i.Branches.Select(b => new GraphBranch(Expr(b.Condition, fill), Statements(b.Body, fill))).ToEquatableArray(),
            Else = i.Else is { } otherwise ? Statements(otherwise, fill) : null,
        },
        GraphWhile w => w with { Condition = Expr(w.Condition, fill), Body = Statements(w.Body, fill) },
        GraphForRange f => f with { Start = Expr(f.Start, fill), End = Expr(f.End, fill), Body = Statements(f.Body, fill) },
        GraphForEach f => f with { Items = Expr(f.Items, fill), Body = Statements(f.Body, fill) },
        _ => statement,
    };

    private static GraphExpr Expr(GraphExpr value, Func<GraphSubmoduleCall, GraphExpr> fill)
    {
        EquatableArray<GraphExpr> All(EquatableArray<GraphExpr> items) => items.Select(e => Expr(e, fill)).ToEquatableArray();
        return value switch
        {
            GraphSubmoduleCall call => fill(call with { Inputs = All(call.Inputs) }),
            GraphCall c => c with { Arguments = c.Arguments.Select(a => a with { Value = Expr(a.Value, fill) }).ToEquatableArray() },
            GraphMethodCall m => m with { Target = Expr(m.Target, fill), Arguments = All(m.Arguments) },
            GraphAttribute a => a with { Target = Expr(a.Target, fill) },
            GraphBinary b => b with { Left = Expr(b.Left, fill), Right = Expr(b.Right, fill) },
            GraphUnary u => u with { Operand = Expr(u.Operand, fill) },
            GraphConditional c => new GraphConditional(Expr(c.Condition, fill), Expr(c.WhenTrue, fill), Expr(c.WhenFalse, fill)),
            GraphTuple t => t with { Elements = All(t.Elements) },
            GraphList l => l with { Elements = All(l.Elements) },
            GraphIndex i => i with { Target = Expr(i.Target, fill), Parts = i.Parts.Select(p => Part(p, fill)).ToEquatableArray() },
            GraphFromEnd f => f with { Count = Expr(f.Count, fill) },
            GraphModuleOp m => m with { Values = All(m.Values) },
            _ => value,
        };
    }

    private static GraphIndexPart Part(GraphIndexPart part, Func<GraphSubmoduleCall, GraphExpr> fill) => part switch
    {
        GraphIndexAt at => new GraphIndexAt(Expr(at.Index, fill)),
        GraphIndexSlice s => new GraphIndexSlice(s.Start is { } a ? Expr(a, fill) : null, s.Stop is { } b ? Expr(b, fill) : null, s.Step is { } c ? Expr(c, fill) : null),
        _ => part,
    };
}
