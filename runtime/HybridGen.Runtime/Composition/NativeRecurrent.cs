using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;
using HybridGen.Graph;
using HybridGen.Twins;
using TorchSharp;
using TorchSharp.Modules;

namespace HybridGen.Composition;

/// <summary>
/// TorchSharp's native GRU, LSTM and RNN in a composed tree (issue 21, item 3). TorchSharp keeps what its forward needs in
/// private fields (hidden size, layers, bidirectional, batch first), set once by the constructor: the composition reads
/// them, and the weights by name (bias or not follows from their presence). The dropout probability lives only in
/// libtorch's options; it acts between layers in training mode, so for a module of more than one layer it is measured
/// at the first call in training mode (<see cref="NativeDropout"/>; where it cannot be, such calls run eager,
/// <see cref="NativeTrainingCheck"/>). An RNN's nonlinearity is kept by neither: it is probed
/// once per module. The forward is the runtime function <c>__hg_gru</c>, <c>__hg_lstm</c> or <c>__hg_rnn</c>
/// (TorchScriptHelpers: aten's gru/lstm/rnn_tanh/rnn_relu over the flat weights, as the C++ module calls them).
/// </summary>
internal static class NativeRecurrent
{
    public static bool Is(object module) => module is GRU or LSTM or RNN;

    // An RNN's nonlinearity, probed once per module (TorchSharp keeps none): true for ReLU, false for tanh.
    private static readonly ConditionalWeakTable<torch.nn.Module, StrongBox<bool>> s_relu = new();

    /// <summary>What the composition adds for one module: its function and whether its calls in training mode need the
    /// dropout probability (measured then: NativeDropout).</summary>
    internal sealed record Composed(GraphFunction Function, string Runtime, bool DropoutMatters);

    /// <summary>A function computing <paramref name="module"/>'s forward: parameters input and the initial state, then
    /// the state inputs <paramref name="newState"/> names (the training flag, the weights).</summary>
    public static Composed Function(object module, string path, string name, Func<Func<object, TwinValue>, string, string> newState)
    {
        var native = (torch.nn.Module)module;
        string kind = module.GetType().Name;
        bool lstm = module is LSTM;
        long hidden = Field<long>(module, "_hidden_size", path), layers = Field<long>(module, "_num_layers", path);
        bool bidirectional = Field<bool>(module, "_bidirectional", path), batchFirst = Field<bool>(module, "_batch_first", path);
        Dictionary<string, Parameter> parameters = native.named_parameters().ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        bool hasBiases = parameters.ContainsKey("bias_ih_l0");
        var order = new List<string>();
        for (long layer = 0; layer < layers; layer++)
            foreach (string direction in bidirectional ? new[] { "", "_reverse" } : new[] { "" })
            {
                order.Add($"weight_ih_l{layer}{direction}");
                order.Add($"weight_hh_l{layer}{direction}");
                if (!hasBiases) continue;
                order.Add($"bias_ih_l{layer}{direction}");
                order.Add($"bias_hh_l{layer}{direction}");
            }
        if (parameters.Keys.FirstOrDefault(k => !order.Contains(k)) is { } other)
            throw new CompositionException($"'{path}' is a native {kind} with a parameter '{other}' its twin does not carry (a projection, say)");
        if (order.FirstOrDefault(k => !parameters.ContainsKey(k)) is { } missing)
            throw new CompositionException($"'{path}' is a native {kind} without the parameter '{missing}'");

        var shape = new Shape(order.ToArray(), hasBiases, layers, bidirectional, batchFirst);
        bool relu = module is RNN rnn && IsRelu(rnn, order.Select(n => (torch.Tensor)parameters[n]).ToArray(), shape, path);
        if (layers > 1) NativeDropout.Register(native, path, DropoutProbe(native, shape, relu));

        string training = newState(m => ((torch.nn.Module)m).training, "bool");
        string dropout = newState(NativeDropout.Reader, "float");
        var weights = new List<GraphExpr>();
        var states = new List<GraphParameter> { new(training, "bool"), new(dropout, "float") };
        foreach (string parameter in order)
        {
            string state = newState(NativeParameters.Reader(parameter), "Tensor");
            states.Add(new GraphParameter(state, "Tensor"));
            weights.Add(new GraphName(state));
        }
        string runtime = lstm ? ModuleFunctions.Lstm : module is RNN ? ModuleFunctions.Rnn : ModuleFunctions.Gru;
        string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
        GraphLiteral Truth(bool value) => value ? GraphLiteral.True : GraphLiteral.False;
        var values = new GraphExpr[]
        {
            new GraphName("input"), new GraphName("hx"), new GraphList(weights.ToEquatableArray()), Truth(hasBiases), new GraphLiteral(Number(layers)),
            Truth(bidirectional), Truth(batchFirst), new GraphLiteral(Number(hidden)), new GraphName(training), new GraphName(dropout),
        };
        var names = new List<string> { "input", "hx", "params", "has_biases", "num_layers", "bidirectional", "batch_first", "hidden_size", "training", "dropout" };
        if (module is RNN)
        {
            names.Add("relu");
            values = values.Append(Truth(relu)).ToArray();
        }
        var body = new GraphStatement[] { new GraphReturn(new GraphModuleOp(kind, runtime, names.ToEquatableArray(), values.ToEquatableArray())) };
        var signature = new[] { new GraphParameter("input", "Tensor"), new GraphParameter("hx", lstm ? "Optional[Tuple[Tensor, Tensor]]" : "Optional[Tensor]") }.Concat(states);
        var function = new GraphFunction(name, signature.ToEquatableArray(), lstm ? "Tuple[Tensor, Tensor, Tensor]" : "Tuple[Tensor, Tensor]", body.ToEquatableArray());
        return new Composed(function, runtime, DropoutMatters: layers > 1);
    }

    /// <summary>What the probes need of a module: its weights' names in aten's order and its layout.</summary>
    private sealed record Shape(string[] Order, bool HasBiases, long Layers, bool Bidirectional, bool BatchFirst);

    /// <summary>The module's training-mode output (null) or its reference with dropout probability p, for one step of
    /// two sequences from a zero state, the weights read by name now.</summary>
    private static NativeDropout.Probe DropoutProbe(torch.nn.Module module, Shape shape, bool relu) => p =>
    {
        torch.Tensor[] now = shape.Order.Select(n => (torch.Tensor)module.get_parameter(n)!).ToArray();
        torch.Tensor x = ProbeInputs.Randn(now[0], new long[] { 1, 2, now[0].shape[1] })[0];
        if (p is not null) return Reference(module, x, now, shape.HasBiases, shape.Layers, shape.Bidirectional ? 2 : 1, relu, p.Value);
        torch.Tensor input = shape.BatchFirst ? x.transpose(0, 1) : x;
        torch.Tensor output = module switch
        {
            GRU gru => gru.forward(input, null).Item1,
            LSTM lstm => lstm.forward(input, null).Item1,
            _ => ((RNN)module).forward(input, null).Item1,
        };
        return shape.BatchFirst ? output.transpose(0, 1) : output;
    };

    /// <summary>Whether an RNN's nonlinearity is ReLU (else tanh): its output for one step from a zero state, compared
    /// with both computed from its weights (<c>act(W_ih x + b_ih + b_hh)</c> per layer and direction); exactly one
    /// must agree. Several layers in training mode apply dropout between them: measured with the dropout probability
    /// at the next call (<see cref="MeasuredInTraining"/>), else at the first call in eval mode.</summary>
    private static bool IsRelu(RNN module, torch.Tensor[] weights, Shape shape, string path)
    {
        if (s_relu.TryGetValue(module, out StrongBox<bool>? known)) return known.Value;
        Func<bool> retryWhen = () => s_relu.TryGetValue(module, out _) || !module.training || MeasuredInTraining(module, shape, path);
        if (module.training && shape.Layers > 1)
            throw NativeDropout.NotMeasuredYet(module, $"'{path}' is a native RNN of {shape.Layers} layers", "nonlinearity", plural: false,
                () => s_relu.TryGetValue(module, out _), () => MeasuredInTraining(module, shape, path));
        try
        {
            bool relu = ProbeRelu(module, weights, shape.HasBiases, shape.Layers, shape.Bidirectional, path);
            if (module.training && shape.Layers > 1)
                // Put in training mode while it was measured: its dropout may have acted, so the answer is not kept.
                throw new CompositionException($"'{path}' is a native RNN put in training mode while its nonlinearity was measured") { RetryWhen = retryWhen };
            s_relu.AddOrUpdate(module, new StrongBox<bool>(relu));
            return relu;
        }
        catch (System.Runtime.InteropServices.ExternalException error)
        {
            // libtorch refused the probe's own calls (an unusual dtype or device, out of memory): the tree runs eager.
            throw new CompositionException($"'{path}' is a native RNN whose nonlinearity could not be measured: {error.Message.Split('\n')[0]}");
        }
    }

    /// <summary>Nonlinearity and dropout probability at once, for a stacked RNN first called in training mode (as
    /// NativeTransformer.MeasuredInTraining does).</summary>
    private static bool MeasuredInTraining(RNN module, Shape shape, string path)
    {
        return NativeDropout.MeasureJointly(module, path, new[] { false, true }, relu => DropoutProbe(module, shape, relu),
            relu => s_relu.AddOrUpdate(module, new StrongBox<bool>(relu)));
    }

    private static bool ProbeRelu(RNN module, torch.Tensor[] weights, bool hasBiases, long layers, bool bidirectional, string path)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        int directions = bidirectional ? 2 : 1;
        torch.Tensor first = weights[0];
        torch.Tensor x = ProbeInputs.Randn(first, new long[] { 1, 1, first.shape[1] })[0];
        // The native forward itself, not Module.call: the probe must not run the user's forward hooks.
        torch.Tensor expected = module.forward(x, null).Item1[0];
        var found = new List<bool>();
        foreach (bool relu in new[] { false, true })
            if (Reference(module, x, weights, hasBiases, layers, directions, relu, dropout: null)[0].allclose(expected, rtol: 1e-4, atol: 1e-5)) found.Add(relu);
        if (found.Count != 1)
            throw new CompositionException(found.Count == 0
                ? $"'{path}' is a native RNN whose output neither tanh nor ReLU reproduces"
                : $"'{path}' is a native RNN whose weights do not tell tanh from ReLU (both agree on the probe)");
        return found[0];
    }

    /// <summary>One step from a zero state (<paramref name="x"/>: one position), layer after layer (the gates in
    /// PyTorch's order: GRU r, z, n; LSTM i, f, g, o): in eval mode, or with aten's dropout between layers at
    /// probability <paramref name="dropout"/>, as the stacked forward in training mode computes it.</summary>
    private static torch.Tensor Reference(object module, torch.Tensor x, torch.Tensor[] weights, bool hasBiases, long layers, int directions, bool relu, double? dropout)
    {
        int perDirection = hasBiases ? 4 : 2;
        torch.Tensor input = x[0];
        for (int layer = 0; layer < layers; layer++)
        {
            var outputs = new List<torch.Tensor>();
            for (int direction = 0; direction < directions; direction++)
            {
                int at = (layer * directions + direction) * perDirection;
                torch.Tensor fromInput = torch.nn.functional.linear(input, weights[at], hasBiases ? weights[at + 2] : null);
                torch.Tensor fromState = hasBiases ? weights[at + 3] : torch.zeros_like(fromInput[0]);
                outputs.Add(module switch
                {
                    GRU => Gru(fromInput, fromState),
                    LSTM => Lstm(fromInput + fromState),
                    _ => relu ? (fromInput + fromState).relu() : (fromInput + fromState).tanh(),
                });
            }
            input = torch.cat(outputs, -1).unsqueeze(0);
            if (layer < layers - 1 && dropout is { } p) input = torch.nn.functional.dropout(input, p, training: true);
            input = input[0];
        }
        return input.unsqueeze(0);

        static torch.Tensor Gru(torch.Tensor fromInput, torch.Tensor fromState)
        {
            torch.Tensor[] i = fromInput.chunk(3, -1), h = fromState.chunk(3, -1);
            torch.Tensor r = (i[0] + h[0]).sigmoid(), z = (i[1] + h[1]).sigmoid();
            return (1 - z) * (i[2] + r * h[2]).tanh();
        }

        static torch.Tensor Lstm(torch.Tensor gates)
        {
            torch.Tensor[] g = gates.chunk(4, -1);
            return g[3].sigmoid() * (g[0].sigmoid() * g[2].tanh()).tanh();
        }
    }

    private static T Field<T>(object module, string name, string path)
    {
        FieldInfo? field = module.GetType().GetField(name, BindingFlags.NonPublic | BindingFlags.Instance);
        return field?.GetValue(module) is T value
            ? value
            : throw new CompositionException($"'{path}' is a native {module.GetType().Name} whose '{name}' this HybridGen cannot read (another TorchSharp version?)");
    }
}
