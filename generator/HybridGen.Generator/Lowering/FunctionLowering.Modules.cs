using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using HybridGen.Generator.Analysis;
using HybridGen.Generator.Catalog;
using HybridGen.Generator.Model;
using HybridGen.Graph;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace HybridGen.Generator.Lowering;

/// <summary>
/// Submodule calls: a catalog module is spelled with its state as graph inputs, a user module's forward becomes a
/// function of its own state, a Sequential chains its children and a ModuleList's foreach is unrolled. Where the
/// declared type does not fix a module's kind (decision 5), the twin is built for the tree the constructor makes
/// and a tree check confirms it before every call.
/// </summary>
internal sealed partial class FunctionLowering
{
    /// <summary>The submodule a call or foreach is on, with how generated code reaches it (from the module whose
    /// function this is), its path for messages and its stem for input names; null for other receivers.</summary>
    private (Submodule module, StateAccess access, string path, string stem)? ModuleReceiver(IOperation? receiver)
    {
        if (receiver is ILocalReferenceOperation { Local: var local } && _boundModules.TryGetValue(local, out var bound)) return bound;
        if (Submodules.OfReceiver(receiver, _twin.Scope, _twin.Token) is not { } module) return null;
        ISymbol member = receiver switch
        {
            IFieldReferenceOperation f => f.Field,
            IPropertyReferenceOperation p => p.Property,
            _ => throw new LoweringFailure(receiver!.Syntax, "a submodule read another way"),
        };
        return (module, _twin.Read(StateAccess.Owner.Instance, member, receiver!.Syntax), "{0}." + member.Name, member.Name.TrimStart('_', '@'));
    }

    /// <summary>A submodule applied to <paramref name="inputs"/> (most modules take one).</summary>
    private GraphExpr ApplyModule(Submodule module, StateAccess access, string path, string stem, IReadOnlyList<GraphExpr> inputs, SyntaxNode syntax)
    {
        GraphExpr input = inputs[0];
        if (!_isMain && _scope is null)
            throw new LoweringFailure(syntax, $"a helper calling the submodule '{path.Replace("{0}.", "")}' (submodule state becomes graph inputs of the hybridized method only)");
        if (module is ChoiceSubmodule choice)
            return ApplyModule(_twin.Pick(2) == 1 ? choice.WhenTrue : choice.WhenFalse, access, path, stem, inputs, syntax);
        if (module is RepeatSubmodule repeat)
            return ApplyModule(repeat.Expand(_twin.Pick(TwinBuilder.MaxRepeats + 1)), access, path, stem, inputs, syntax);
        string? type = Submodules.TypeOf(module)?.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        if (module.Checked && type is not null)
        {
            TreeCheck(new ModuleTreeCheck(access, path, type, 0));
            access = new StateAccess.Cast(access, type);
        }
        switch (module)
        {
            case CatalogSubmodule catalog:
                return SpellModule(catalog, access, path, stem, inputs, syntax);
            case SourceSubmodule source:
            {
                (string name, ModuleScope scope) = _twin.ModuleFunction(source.Body, syntax);
                var arguments = new List<GraphExpr>(inputs);
                foreach (var state in scope.States)
                    arguments.Add(StateRead(state.Access.Rebase(access), stem + "_" + state.Stem, state.Annotation, state.Kind));
                foreach (ModuleTreeCheck check in scope.Checks) TreeCheck(check.Rebase(access, path));
                return GraphCall.Of(name, arguments.ToArray());
            }
            case SequenceSubmodule { IsList: false } sequence:
            {
                // TorchSharp's Sequential.forward: no children gives an alias of the input, else each child in turn.
                TreeCheck(new ModuleTreeCheck(access, path, null, sequence.Children.Length));
                if (sequence.Children.Length == 0) return GraphCall.Of("torch.alias", input);
                GraphExpr value = input;
                for (int k = 0; k < sequence.Children.Length; k++)
                    value = ApplyModule(sequence.Children[k], new StateAccess.Element(access, k), $"{path}[{k}]", $"{stem}_{k}", new[] { value }, syntax);
                return value;
            }
            case UnknownSubmodule when _isMain && _scope is null && _twin.IsRunTimeModule(path):
                // The analysis took it as a run-time submodule (decision 5): the runtime composes the live tree.
                return _twin.RunTimeModule(access, path, inputs);
            case UnknownSubmodule unknown:
                throw new LoweringFailure(syntax, $"the submodule '{path.Replace("{0}.", "")}': {unknown.Reason}");
            default:
                throw new LoweringFailure(syntax, $"a call of the container '{path.Replace("{0}.", "")}' (a ModuleList is iterated, not called)");
        }
    }

    /// <summary><c>foreach (var layer in layers)</c> over a ModuleList whose children the constructor fixes: one
    /// copy of the body per child, with <c>layer</c> bound to it.</summary>
    private void UnrollModules(IForEachLoopOperation loop, ISymbol variable, (Submodule module, StateAccess access, string path, string stem) list)
    {
        if (list.module is RepeatSubmodule { IsList: true } repeat)
            list = (repeat.Expand(_twin.Pick(TwinBuilder.MaxRepeats + 1)), list.access, list.path, list.stem);
        if (list.module is not SequenceSubmodule { IsList: true } sequence)
            throw new LoweringFailure(loop.Collection.Syntax, $"a foreach over the submodule '{list.path.Replace("{0}.", "")}'"
                + (list.module is UnknownSubmodule unknown ? ": " + unknown.Reason : " (only a ModuleList is iterated)"));
        if (loop.Body.Descendants().Any(o => o is IBranchOperation { BranchKind: BranchKind.Break or BranchKind.Continue }))
            throw new LoweringFailure(loop.Syntax, "a break or continue in a foreach over a ModuleList (the twin unrolls it)");
        TreeCheck(new ModuleTreeCheck(list.access, list.path, null, sequence.Children.Length));
        for (int k = 0; k < sequence.Children.Length; k++)
        {
            _boundModules[variable] = (sequence.Children[k], new StateAccess.Element(list.access, k), $"{list.path}[{k}]", $"{list.stem}_{k}");
            Statement(loop.Body);
        }
        _boundModules.Remove(variable);
    }

    /// <summary>A catalog module applied to <paramref name="inputs"/>: its row's call (ModuleCatalog.Call), each state
    /// a graph input read through <paramref name="access"/> (a list setting as its length and entries, rebuilt in the
    /// twin).</summary>
    private GraphExpr SpellModule(CatalogSubmodule module, StateAccess access, string path, string stem, IReadOnlyList<GraphExpr> inputs, SyntaxNode syntax)
    {
        if (inputs.Count > module.Row.Inputs)
            throw new LoweringFailure(syntax, $"a {module.Row.Name} called with {inputs.Count} inputs");
        return ModuleCatalog.Call(module.Row, inputs, new SpelledStates(this, module, access, path, stem));
    }

    /// <summary>A catalog module's states as graph inputs that generated code reads through the module's members,
    /// each named after the module's stem and the state (<c>__in_conv1_stride_0</c>).</summary>
    private sealed class SpelledStates : IModuleStateSource
    {
        private readonly FunctionLowering _lowering;
        private readonly CatalogSubmodule _module;
        private readonly StateAccess _access;
        private readonly string _path, _stem;

        public SpelledStates(FunctionLowering lowering, CatalogSubmodule module, StateAccess access, string path, string stem)
        {
            _lowering = lowering;
            _module = module;
            _access = access;
            _path = path;
            _stem = stem;
        }

        public GraphExpr Value(ModuleState state) => _lowering.StateRead(state.ReadFrom(_access), Name(state), state.Annotation, state.Kind);

        public GraphExpr Entry(ModuleState state, int entry)
        {
            StateAccess read = state.ReadFrom(_access);
            if (state.FixedEntries == 0)
                return entry < 0
                    ? _lowering.StateRead(new StateAccess.Count(read), Name(state) + "_n", "int", GraphKind.Int)
                    : _lowering.StateRead(new StateAccess.At(read, entry), Name(state) + "_" + entry.ToString(CultureInfo.InvariantCulture), "int", GraphKind.Int);
            // TorchSharp's forward reads a null setting as another one (a pool's stride as its kernel size) or as a value.
            StateAccess list = state.WhenNull is null ? read : new StateAccess.Coalesce(read, new StateAccess.Member(_access, state.WhenNull));
            return _lowering.StateRead(new StateAccess.At(list, entry, state.NullValue), Name(state) + "_" + entry.ToString(CultureInfo.InvariantCulture), "int", GraphKind.Int);
        }

        public void ConfirmLength(ModuleState state) =>
            _lowering.TreeCheck(new ModuleTreeCheck(state.ReadFrom(_access), _path + "." + state.Name, null, 0) { Entries = state.FixedEntries });

        public GraphExpr Setting(string name) => new GraphLiteral(_module.Constants[name]);

        public void UseRuntime(string name) => _lowering._twin.UseRuntime(name);

        private string Name(ModuleState state) => _stem + "_" + state.Name;
    }

    /// <summary>A value of the module's state (<paramref name="access"/> from the module whose function this is): a
    /// graph input of the main function, or a parameter of the user module's function being lowered.</summary>
    private GraphName StateRead(StateAccess access, string stem, string annotation, GraphKind kind) => new(
        _scope is not null ? _scope.State(access, stem, annotation, kind)
            : _isMain ? _twin.ModuleInput(access, stem, annotation, kind)
            : throw new System.InvalidOperationException("state read outside the main function and module functions"));

    private void TreeCheck(ModuleTreeCheck check)
    {
        if (_scope is null) _twin.TreeCheck(check);
        else if (!_scope.Checks.Contains(check)) _scope.Checks.Add(check);
    }
}
