using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.CompilerServices;
using HybridGen.Graph;
using HybridGen.Twins;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HybridGen.Composition;

/// <summary>
/// TorchSharp's native TransformerEncoder and TransformerEncoderLayer in a composed tree (issue 21, item 3). libtorch
/// keeps their settings in C++ options that TorchSharp does not expose, so the composition reads what the live module
/// shows and measures the rest:
/// <list type="bullet">
/// <item>its parameters, by name (their shapes give the model width, the feed-forward width and the layer count; any
/// other parameter, a final norm say, stops the composition);</item>
/// <item>its number of heads and its activation, probed once per module: in eval mode, its output on a private input
/// is compared with libtorch's layer computed for each candidate (every divisor of the width, ReLU and GELU) with the
/// same weights; exactly one must agree, else the tree runs eager;</item>
/// <item>its dropout probability, which only calls in training mode need: measured at the first of them
/// (<see cref="NativeDropout"/>), a state input of the twin; where it cannot be, calls in training mode run eager
/// (<see cref="NativeTrainingCheck"/>, reported once; the twin itself refuses them too).</item>
/// </list>
/// Each layer becomes the runtime function <c>__hg_transformer_encoder_layer</c> (TorchScriptHelpers; the ONNX emitter
/// spells it too), its parameters and the training flag state inputs read at every call.
/// </summary>
internal static class NativeTransformer
{
    private static readonly string[] s_layerParameters =
    {
        "self_attn.in_proj_weight", "self_attn.in_proj_bias", "self_attn.out_proj.weight", "self_attn.out_proj.bias",
        "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias", "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
    };

    // The graph names of the layer function's values, in TorchScriptHelpers' parameter order.
    private static readonly string[] s_valueNames = new[] { "input", "src_mask", "key_padding_mask", "nhead", "gelu", "dropout", "scaling", "training" }
        .Concat(s_layerParameters.Select(n => n.Replace("self_attn.", "").Replace('.', '_'))).ToArray();

    private static readonly ConditionalWeakTable<nn.Module, Settings> s_probed = new();

    /// <summary>What the probe found: the heads and whether the activation is GELU (else ReLU).</summary>
    internal sealed record Settings(long Heads, bool Gelu);

    public static bool Is(object module) => module is TransformerEncoder or TransformerEncoderLayer;

    /// <summary>A function computing <paramref name="module"/>'s forward: parameters src, src_mask, key_padding_mask,
    /// then the state inputs <paramref name="newState"/> gives names (each read from the live module at every call).</summary>
    public static GraphFunction Function(object module, string path, string name, Func<Func<object, TwinValue>, string, string> newState)
    {
        var native = (nn.Module)module;
        string kind = module.GetType().Name;
        Dictionary<string, Parameter> parameters = native.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        if (native.named_buffers().Any())
            throw new CompositionException($"'{path}' is a native {kind} with buffers, which its twin does not carry");
        string[] prefixes = LayerPrefixes(module, parameters, path, kind);
        Tensor inProjection = parameters[prefixes[0] + s_layerParameters[0]];
        long width = inProjection.shape[1];
        Settings settings = SettingsOf(native, prefixes, width, path, kind);
        NativeDropout.Register(native, path, DropoutProbe(native, prefixes, width, settings));

        var statements = new List<GraphStatement>();
        var stateNames = new List<string>();
        string training = newState(m => ((nn.Module)m).training, "bool");
        string dropout = newState(NativeDropout.Reader, "float");
        stateNames.Add(training);
        stateNames.Add(dropout);
        GraphExpr value = new GraphName("src");
        for (int layer = 0; layer < prefixes.Length; layer++)
        {
            var values = new List<GraphExpr>
            {
                value, new GraphName("src_mask"), new GraphName("key_padding_mask"),
                new GraphLiteral(settings.Heads.ToString(CultureInfo.InvariantCulture)), settings.Gelu ? GraphLiteral.True : GraphLiteral.False,
                new GraphName(dropout), new GraphLiteral(LiteralText.Float(1.0 / Math.Sqrt(width / settings.Heads))), new GraphName(training),
            };
            foreach (string parameter in s_layerParameters)
            {
                string state = newState(NativeParameters.Reader(prefixes[layer] + parameter), "Tensor");
                stateNames.Add(state);
                values.Add(new GraphName(state));
            }
            string target = "x" + layer.ToString(CultureInfo.InvariantCulture);
            statements.Add(new GraphAssign(new GraphName(target),
                new GraphModuleOp("TransformerEncoderLayer", ModuleFunctions.TransformerEncoderLayer, s_valueNames.ToEquatableArray(), values.ToEquatableArray())));
            value = new GraphName(target);
        }
        statements.Add(new GraphReturn(value));
        var signature = new[] { new GraphParameter("src", "Tensor"), new GraphParameter("src_mask", "Optional[Tensor]"), new GraphParameter("key_padding_mask", "Optional[Tensor]") }
            .Concat(stateNames.Select(s => new GraphParameter(s, s == training ? "bool" : s == dropout ? "float" : "Tensor")));
        return new GraphFunction(name, signature.ToEquatableArray(), "Tensor", statements.ToEquatableArray());
    }

    /// <summary>Heads, activation and dropout probability at once, for a module first called in training mode
    /// (<see cref="NativeDropout.MeasureJointly"/>): false while it has no final answer.</summary>
    private static bool MeasuredInTraining(nn.Module module, string[] prefixes, long width, string path)
    {
        var candidates = new List<Settings>();
        foreach (bool gelu in new[] { false, true })
            for (long heads = 1; heads <= width; heads++)
                if (width % heads == 0) candidates.Add(new Settings(heads, gelu));
        return NativeDropout.MeasureJointly(module, path, candidates, settings => DropoutProbe(module, prefixes, width, settings),
            found => s_probed.AddOrUpdate(module, found));
    }

    /// <summary>The parameter-name prefix of each layer ("" for a layer, "layers.k." for an encoder), checking that
    /// the module holds exactly those layers' parameters.</summary>
    private static string[] LayerPrefixes(object module, Dictionary<string, Parameter> parameters, string path, string kind)
    {
        string[] prefixes;
        if (module is TransformerEncoderLayer) prefixes = new[] { "" };
        else
        {
            int layers = 0;
            while (parameters.ContainsKey($"layers.{layers}.{s_layerParameters[0]}")) layers++;
            if (layers == 0) throw new CompositionException($"'{path}' is a native {kind} without layers");
            prefixes = Enumerable.Range(0, layers).Select(k => $"layers.{k}.").ToArray();
        }
        var expected = new HashSet<string>(prefixes.SelectMany(p => s_layerParameters.Select(n => p + n)), StringComparer.Ordinal);
        if (parameters.Keys.FirstOrDefault(k => !expected.Contains(k)) is { } other)
            throw new CompositionException($"'{path}' is a native {kind} with a parameter '{other}' its twin does not carry (a final norm, a layer of another kind)");
        if (expected.FirstOrDefault(k => !parameters.ContainsKey(k)) is { } missing)
            throw new CompositionException($"'{path}' is a native {kind} without the parameter '{missing}'");
        return prefixes;
    }

    private static Settings SettingsOf(nn.Module module, string[] prefixes, long width, string path, string kind)
    {
        if (s_probed.TryGetValue(module, out Settings? known)) return known;
        if (module.training)
            throw NativeDropout.NotMeasuredYet(module, $"'{path}' is a native {kind}", "heads and activation", plural: true,
                () => s_probed.TryGetValue(module, out _), () => MeasuredInTraining(module, prefixes, width, path));
        Settings probed;
        try
        {
            probed = Probe(module, prefixes, width, path, kind);
        }
        catch (System.Runtime.InteropServices.ExternalException error)
        {
            // libtorch refused the probe's own calls (an unusual dtype or device, out of memory): the tree runs eager.
            throw new CompositionException($"'{path}' is a native {kind} whose settings could not be measured: {error.Message.Split('\n')[0]}");
        }
        if (module.training)
            // Put in training mode while it was measured: its dropout may have acted, so the answer is not kept.
            throw new CompositionException($"'{path}' is a native {kind} put in training mode while its settings were measured") { RetryWhen = () => s_probed.TryGetValue(module, out _) || !module.training || MeasuredInTraining(module, prefixes, width, path) };
        s_probed.AddOrUpdate(module, probed);
        return probed;
    }

    /// <summary>The one candidate (heads, activation) for which libtorch's layer, written out with TorchSharp's
    /// functional ops over the live module's weights (<see cref="Reference"/>), gives the live module's output on a
    /// private input. No module is built for it: that would draw from the process's random generator, which is the
    /// user's.</summary>
    private static Settings Probe(nn.Module module, string[] prefixes, long width, string path, string kind)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Tensor[][] layers = LayerWeights(module, prefixes);
        Tensor input = ProbeInput(layers[0][0], width);
        Tensor expected = Forward(module, input);
        var found = new List<Settings>();
        foreach (bool gelu in new[] { false, true })
            for (long heads = 1; heads <= width; heads++)
                if (width % heads == 0 && Reference(input, layers, heads, gelu).allclose(expected, rtol: 1e-4, atol: 1e-5))
                    found.Add(new Settings(heads, gelu));
        return found.Count switch
        {
            1 => found[0],
            0 => throw new CompositionException($"'{path}' is a native {kind} whose output no candidate (heads dividing {width}, ReLU or GELU) reproduces"),
            _ => throw new CompositionException($"'{path}' is a native {kind} whose weights do not tell its settings apart " +
                $"({string.Join(", ", found.Select(f => $"{f.Heads} heads {(f.Gelu ? "GELU" : "ReLU")}"))} all agree on the probe)"),
        };
    }

    /// <summary>The module's training-mode output and its reference with a candidate dropout probability, on the
    /// probe's input (<see cref="NativeDropout"/> runs it from one random state each time).</summary>
    private static NativeDropout.Probe DropoutProbe(nn.Module module, string[] prefixes, long width, Settings settings) => p =>
    {
        Tensor[][] layers = LayerWeights(module, prefixes);
        Tensor input = ProbeInput(layers[0][0], width);
        return p is null ? Forward(module, input) : Reference(input, layers, settings.Heads, settings.Gelu, p);
    };

    /// <summary>Each layer's parameters in s_layerParameters' order, read by name now.</summary>
    private static Tensor[][] LayerWeights(nn.Module module, string[] prefixes)
    {
        var named = module.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter, StringComparer.Ordinal);
        return prefixes.Select(prefix => s_layerParameters.Select(n => named[prefix + n]).ToArray()).ToArray();
    }

    /// <summary>Three positions, two sequences, from a private generator: every head's attention mixes positions, so
    /// a wrong head count shows.</summary>
    private static Tensor ProbeInput(Tensor like, long width) => ProbeInputs.Randn(like, new long[] { 3, 2, width })[0];

    /// <summary>libtorch's C++ TransformerEncoderLayer.forward without masks, layer after layer (the runtime function
    /// __hg_transformer_encoder_layer's arithmetic; weights in s_layerParameters' order): in eval mode, or in training
    /// mode with dropout probability <paramref name="dropout"/>, its dropouts drawn in libtorch's order (attention
    /// weights, attention output, feed-forward hidden, feed-forward output).</summary>
    internal static Tensor Reference(Tensor src, Tensor[][] layers, long heads, bool gelu, double? dropout = null)
    {
        Tensor Drop(Tensor t) => dropout is { } p ? nn.functional.dropout(t, p, training: true) : t;
        Tensor x = src;
        foreach (Tensor[] w in layers)
        {
            long length = x.shape[0], batch = x.shape[1], width = x.shape[2], headWidth = width / heads;
            Tensor[] qkv = nn.functional.linear(x, w[0], w[1]).chunk(3, -1);
            Tensor Heads(Tensor t) => t.contiguous().view(length, batch * heads, headWidth).transpose(0, 1);
            Tensor q = Heads(qkv[0] * (1.0 / Math.Sqrt(headWidth))), k = Heads(qkv[1]), v = Heads(qkv[2]);
            Tensor attended = bmm(Drop(softmax(bmm(q, k.transpose(1, 2)), -1)), v).transpose(0, 1).contiguous().view(length, batch, width);
            Tensor normed = nn.functional.layer_norm(x + Drop(nn.functional.linear(attended, w[2], w[3])), new[] { width }, w[8], w[9], 1e-5);
            Tensor hidden = nn.functional.linear(normed, w[4], w[5]);
            hidden = Drop(gelu ? nn.functional.gelu(hidden) : nn.functional.relu(hidden));
            x = nn.functional.layer_norm(normed + Drop(nn.functional.linear(hidden, w[6], w[7])), new[] { width }, w[10], w[11], 1e-5);
        }
        return x;
    }

    // The native forwards themselves, not Module.call: the probe must not run the user's forward hooks (a
    // TransformerEncoderLayer's three-argument call is TorchSharp's direct native call, which runs none).
    private static Tensor Forward(nn.Module module, Tensor input) => module switch
    {
        TransformerEncoder encoder => encoder.forward(input, null, null),
        TransformerEncoderLayer layer => layer.call(input, null, null),
        _ => throw new InvalidOperationException("not a native transformer: " + module.GetType().Name),
    };
}
