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
/// TorchSharp's native MultiheadAttention on its own in a composed tree (issue 21, item 3), read as
/// <see cref="NativeTransformer"/> reads a transformer layer: its projection weights by name (one packed weight, or
/// three where key and value widths differ), its number of heads measured once per module in eval mode (or, first
/// called in training mode, together with its dropout probability) against libtorch's attention written out with
/// TorchSharp's functional ops, its dropout probability measured at its first
/// call in training mode (<see cref="NativeDropout"/>; where it cannot be, calls in training mode run eager).
/// <c>add_bias_kv</c> shows as the parameters bias_k and bias_v (state inputs like the weights); <c>add_zero_attn</c>
/// shows in the probe's attention weights, one key position more than given and the bias. The forward is the runtime
/// function <c>__hg_multi_head_attention</c>, returning the output and the head-averaged weights where need_weights.
/// </summary>
internal static class NativeAttention
{
    private static readonly string[] s_known =
        { "in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj.weight", "out_proj.bias", "bias_k", "bias_v" };

    /// <summary>What the probe found: the heads and whether the module adds a zero key and value (add_zero_attn).</summary>
    internal sealed record Settings(long Heads, bool ZeroAttention);

    private static readonly ConditionalWeakTable<nn.Module, Settings> s_heads = new();

    public static bool Is(object module) => module is MultiheadAttention;

    /// <summary>A function computing the module's forward: parameters query, key, value, key_padding_mask,
    /// need_weights, attn_mask, then the state inputs <paramref name="newState"/> names.</summary>
    public static GraphFunction Function(object module, string path, string name, Func<Func<object, TwinValue>, string, string> newState)
    {
        var native = (MultiheadAttention)module;
        Dictionary<string, Parameter> parameters = native.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        if (parameters.Keys.FirstOrDefault(k => !s_known.Contains(k)) is { } other)
            throw new CompositionException($"'{path}' is a native MultiheadAttention with a parameter '{other}' its twin does not carry");
        if (!parameters.ContainsKey("out_proj.weight") || !parameters.ContainsKey("in_proj_weight") && !parameters.ContainsKey("q_proj_weight"))
            throw new CompositionException($"'{path}' is a native MultiheadAttention without its projection weights");
        long width = parameters["out_proj.weight"].shape[0];
        Settings settings = HeadsOf(native, parameters, width, path);
        long heads = settings.Heads;
        NativeDropout.Register(native, path, DropoutProbe(native, width, settings));

        string training = newState(m => ((nn.Module)m).training, "bool");
        string dropout = newState(NativeDropout.Reader, "float");
        var states = new List<GraphParameter> { new(training, "bool"), new(dropout, "float") };
        GraphExpr Weight(string parameter)
        {
            if (!parameters.ContainsKey(parameter)) return GraphLiteral.None;
            string state = newState(NativeParameters.Reader(parameter), "Tensor");
            states.Add(new GraphParameter(state, "Tensor"));
            return new GraphName(state);
        }
        var values = new List<GraphExpr>
        {
            new GraphName("query"), new GraphName("key"), new GraphName("value"), new GraphName("key_padding_mask"), new GraphName("need_weights"),
            new GraphName("attn_mask"), new GraphLiteral(heads.ToString(CultureInfo.InvariantCulture)),
            new GraphLiteral(LiteralText.Float(1.0 / Math.Sqrt(width / heads))), new GraphName(dropout), new GraphName(training),
        };
        values.AddRange(s_known.Select(Weight));
        var names = new[]
        {
            "input", "key", "value", "key_padding_mask", "need_weights", "attn_mask", "num_heads", "scaling", "dropout", "training",
            "in_proj_weight", "q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias", "out_proj_weight", "out_proj_bias", "bias_k", "bias_v",
            "add_zero_attn",
        };
        values.Add(settings.ZeroAttention ? GraphLiteral.True : GraphLiteral.False);
        var body = new GraphStatement[]
        {
            new GraphReturn(new GraphModuleOp("MultiheadAttention", ModuleFunctions.MultiheadAttention, names.ToEquatableArray(), values.ToEquatableArray())),
        };
        var signature = new[]
        {
            new GraphParameter("query", "Tensor"), new GraphParameter("key", "Tensor"), new GraphParameter("value", "Tensor"),
            new GraphParameter("key_padding_mask", "Optional[Tensor]"), new GraphParameter("need_weights", "bool"), new GraphParameter("attn_mask", "Optional[Tensor]"),
        }.Concat(states);
        return new GraphFunction(name, signature.ToEquatableArray(), "Tuple[Tensor, Tensor]", body.ToEquatableArray());
    }

    private static Settings HeadsOf(MultiheadAttention module, Dictionary<string, Parameter> parameters, long width, string path)
    {
        if (s_heads.TryGetValue(module, out Settings? known)) return known;
        if (module.training)
            throw NativeDropout.NotMeasuredYet(module, $"'{path}' is a native MultiheadAttention", "heads", plural: true,
                () => s_heads.TryGetValue(module, out _), () => MeasuredInTraining(module, width, path));
        Settings settings;
        try
        {
            settings = Probe(module, parameters, width, path);
        }
        catch (System.Runtime.InteropServices.ExternalException error)
        {
            throw new CompositionException($"'{path}' is a native MultiheadAttention whose heads could not be measured: {error.Message.Split('\n')[0]}");
        }
        if (module.training)
            throw new CompositionException($"'{path}' is a native MultiheadAttention put in training mode while its heads were measured")
            {
                RetryWhen = () => s_heads.TryGetValue(module, out _) || !module.training || MeasuredInTraining(module, width, path),
            };
        s_heads.AddOrUpdate(module, settings);
        return settings;
    }

    /// <summary>Heads and dropout probability at once, for a module first called in training mode (as
    /// NativeTransformer.MeasuredInTraining does); add_zero_attn read off its training-mode attention weights (from a
    /// fixed random state, the process's put back).</summary>
    private static bool MeasuredInTraining(MultiheadAttention module, long width, string path)
    {
        bool zeroAttention;
        try
        {
            Dictionary<string, Parameter> parameters = module.named_parameters().ToDictionary(n => n.name, n => n.parameter, StringComparer.Ordinal);
            zeroAttention = NativeDropout.FromFixedRandomState(() =>
            {
                using var noGrad = no_grad();
                (Tensor query, Tensor key, Tensor value) = QueryKeyValue(parameters, width);
                return module.forward(query, key, value, null, true, null).Item2.shape[^1] - key.shape[0] - (parameters.ContainsKey("bias_k") ? 1 : 0) == 1;
            });
        }
        catch (Exception)
        {
            return false;                                    // measured in eval mode, or again at a later call
        }
        Settings[] candidates = Enumerable.Range(1, (int)width).Where(h => width % h == 0).Select(h => new Settings(h, zeroAttention)).ToArray();
        return NativeDropout.MeasureJointly(module, path, candidates, settings => DropoutProbe(module, width, settings),
            found => s_heads.AddOrUpdate(module, found));
    }

    /// <summary>The module's training-mode output (null) or its reference with dropout probability p, on the probe's
    /// inputs, the weights read by name now.</summary>
    private static NativeDropout.Probe DropoutProbe(MultiheadAttention module, long width, Settings settings) => p =>
    {
        Dictionary<string, Parameter> now = module.named_parameters().ToDictionary(n => n.name, n => n.parameter, StringComparer.Ordinal);
        (Tensor query, Tensor key, Tensor value) = QueryKeyValue(now, width);
        return p is null
            ? module.forward(query, key, value, null, true, null).Item1
            : Reference(query, key, value, name => now.TryGetValue(name, out Parameter? w) ? w : null!, settings, p);
    };

    /// <summary>The one head count (a divisor of the width) for which libtorch's attention, written out with
    /// TorchSharp's functional ops (<see cref="Reference"/>), gives the module's output on private inputs.</summary>
    private static Settings Probe(MultiheadAttention module, Dictionary<string, Parameter> parameters, long width, string path)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor Get(string name) => parameters.TryGetValue(name, out Parameter? p) ? p : null!;
        (Tensor query, Tensor key, Tensor value) = QueryKeyValue(parameters, width);
        // The native forward itself, not Module.call: the probe must not run the user's forward hooks.
        (Tensor expected, Tensor weights) = module.forward(query, key, value, null, true, null);
        // add_zero_attn shows in the weights: one key position more than given (and than bias_k adds).
        long extra = weights.shape[^1] - key.shape[0] - (parameters.ContainsKey("bias_k") ? 1 : 0);
        if (extra is not (0 or 1))
            throw new CompositionException($"'{path}' is a native MultiheadAttention whose attention weights have {weights.shape[^1]} key positions for {key.shape[0]} keys");
        var found = new List<Settings>();
        for (long heads = 1; heads <= width; heads++)
            if (width % heads == 0 && Reference(query, key, value, Get, new Settings(heads, extra == 1)).allclose(expected, rtol: 1e-4, atol: 1e-5))
                found.Add(new Settings(heads, extra == 1));
        return found.Count switch
        {
            1 => found[0],
            0 => throw new CompositionException($"'{path}' is a native MultiheadAttention whose output no head count reproduces"),
            _ => throw new CompositionException($"'{path}' is a native MultiheadAttention whose weights do not tell its heads apart ({string.Join(", ", found.Select(f => f.Heads))} all agree)"),
        };
    }

    /// <summary>The probe's query (three positions), key and value (four), two sequences, from a private generator.</summary>
    private static (Tensor Query, Tensor Key, Tensor Value) QueryKeyValue(Dictionary<string, Parameter> parameters, long width)
    {
        long keyWidth = parameters.TryGetValue("k_proj_weight", out Parameter? k) ? k.shape[1] : width;
        long valueWidth = parameters.TryGetValue("v_proj_weight", out Parameter? v) ? v.shape[1] : width;
        Tensor[] inputs = ProbeInputs.Randn(parameters["out_proj.weight"], new long[] { 3, 2, width }, new long[] { 4, 2, keyWidth }, new long[] { 4, 2, valueWidth });
        return (inputs[0], inputs[1], inputs[2]);
    }

    /// <summary>libtorch's attention without masks (the runtime function's arithmetic, F::multi_head_attention_forward):
    /// in eval mode, or in training mode with dropout probability <paramref name="dropout"/> on the attention weights;
    /// bias_k and bias_v appended to the projected key and value where the module has them, then a zero key and value
    /// per head where add_zero_attn.</summary>
    internal static Tensor Reference(Tensor query, Tensor key, Tensor value, Func<string, Tensor> weight, Settings settings, double? dropout = null)
    {
        long heads = settings.Heads;
        long width = query.shape[2], length = query.shape[0], batch = query.shape[1], headWidth = width / heads;
        Tensor? packed = weight("in_proj_weight"), bias = weight("in_proj_bias");
        Tensor Slice(Tensor t, int k) => t[TensorIndex.Slice(k * width, (k + 1) * width)];
        Tensor Project(Tensor x, int k, string separate) =>
            nn.functional.linear(x, packed is null ? weight(separate) : Slice(packed, k), bias is null ? null : Slice(bias, k));
        Tensor Heads(Tensor t) => t.contiguous().view(-1, batch * heads, headWidth).transpose(0, 1);
        Tensor q = Heads(Project(query, 0, "q_proj_weight") * (1.0 / Math.Sqrt(headWidth)));
        Tensor kProjected = Project(key, 1, "k_proj_weight"), vProjected = Project(value, 2, "v_proj_weight");
        if (weight("bias_k") is { } biasK && weight("bias_v") is { } biasV)
        {
            kProjected = cat(new[] { kProjected, biasK.repeat(1, batch, 1) }, 0);
            vProjected = cat(new[] { vProjected, biasV.repeat(1, batch, 1) }, 0);
        }
        Tensor k = Heads(kProjected), v = Heads(vProjected);
        if (settings.ZeroAttention)
        {
            k = cat(new[] { k, zeros(new[] { k.shape[0], 1, headWidth }, k.dtype, k.device) }, 1);
            v = cat(new[] { v, zeros(new[] { v.shape[0], 1, headWidth }, v.dtype, v.device) }, 1);
        }
        Tensor weights = softmax(bmm(q, k.transpose(1, 2)), -1);
        if (dropout is { } p) weights = nn.functional.dropout(weights, p, training: true);
        Tensor attended = bmm(weights, v).transpose(0, 1).contiguous().view(length, batch, width);
        return nn.functional.linear(attended, weight("out_proj.weight"), weight("out_proj.bias"));
    }
}
