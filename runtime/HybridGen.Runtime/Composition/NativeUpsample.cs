using System.Globalization;
using System.Linq;
using HybridGen.Graph;
using TorchSharp.Modules;

namespace HybridGen.Composition;

/// <summary>
/// TorchSharp's Upsample in a composed tree (issue 21, item 3): its forward is libtorch's F::interpolate with the
/// module's settings, which the build cannot read (arrays, not constants) but the live module shows. Size, scale
/// factors, mode and align_corners are fixed by its constructor, so they become literals of the runtime function
/// <c>__hg_upsample</c> (TorchScriptHelpers; the ONNX emitter spells it as Resize); recompute_scale_factor has a public
/// setter, so the composed tree checks it before every call (<see cref="Check"/>) and is composed again if it changed.
/// </summary>
internal static class NativeUpsample
{
    private static readonly EquatableArray<string> s_names =
        new[] { "input", "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor" }.ToEquatableArray();

    /// <summary>The module's forward on <paramref name="input"/>, for its <paramref name="recompute"/> setting as read
    /// once (the check compares with the same value). An empty size or scale factor is none, as TorchSharp passes it to
    /// libtorch.</summary>
    public static GraphExpr Call(Upsample module, bool? recompute, GraphExpr input)
    {
        long[] size = module.size.ToArray();
        double[] scale = module.scale_factor.ToArray();
        GraphExpr Truth(bool? value) => value is null ? GraphLiteral.None : value.Value ? GraphLiteral.True : GraphLiteral.False;
        var values = new GraphExpr[]
        {
            input,
            size.Length == 0 ? GraphLiteral.None : new GraphList(size.Select(s => (GraphExpr)new GraphLiteral(s.ToString(CultureInfo.InvariantCulture))).ToEquatableArray()),
            scale.Length == 0 ? GraphLiteral.None : new GraphList(scale.Select(s => (GraphExpr)new GraphLiteral(LiteralText.Float(s))).ToEquatableArray()),
            new GraphLiteral(((long)module.mode).ToString(CultureInfo.InvariantCulture)),
            Truth(module.align_corners),
            Truth(recompute ?? false),
        };
        return new GraphModuleOp("Upsample", ModuleFunctions.Upsample, s_names, values.ToEquatableArray());
    }


    /// <summary>The composed tree's check that the module's one settable setting is still the one composed.</summary>
    internal sealed class Check : TreeCheck
    {
        private readonly Upsample _module;
        private readonly bool? _recompute;
        private readonly string _path;

        public Check(Upsample module, bool? recompute, string path)
        {
            _module = module;
            _recompute = recompute;
            _path = path;
        }

        public override string? Misfit() => _module.recompute_scale_factor == _recompute
            ? null
            : $"'{_path}.recompute_scale_factor' was set to {_module.recompute_scale_factor?.ToString() ?? "null"} (composed for {_recompute?.ToString() ?? "null"})";
    }
}
