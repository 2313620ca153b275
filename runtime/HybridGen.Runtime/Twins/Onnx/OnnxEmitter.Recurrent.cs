using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

// TorchSharp's native GRU, LSTM and RNN (the runtime functions __hg_gru, __hg_lstm and __hg_rnn of TorchScriptHelpers)
// as ONNX's GRU, LSTM and RNN nodes (tanh or ReLU), one per layer: the flat weights restacked per direction with the gates in ONNX's order (GRU: torch's
// r, z, n as z, r, n, with linear_before_reset as torch computes n; LSTM: torch's i, f, g, o as i, o, f, g), each
// layer's output (time, directions, batch, hidden) made (time, batch, directions x hidden) for the next, the final
// states concatenated layer after layer. A missing initial state is zeros in both. Dropout between layers only acts in
// training mode, which ONNX Runtime does not serve with more than one layer (refused below; such calls train on the
// TorchScript twin or eager).
internal sealed partial class OnnxEmitter
{
    private OnnxValue Recurrent(string kind, OnnxTensor x, Dictionary<string, OnnxValue> v)
    {
        bool lstm = kind == "LSTM", rnn = kind == "RNN";
        if (x.Rank != 3 || !x.ShapeKnown) throw new NoOnnxFormException($"a {kind} input that is not (time, batch, features) with a known shape");
        // ONNX Runtime's CPU kernels for these nodes take float32 only (measured: "GRU operator does not support double").
        if (x.DType != ScalarType.Float32) throw new NoOnnxFormException($"a {kind} over a {x.DType} tensor (ONNX Runtime's {kind} takes float32)");
        List<OnnxTensor> weights = ((OnnxList)v["params"]).Items.Select(w => TensorArg(w, kind)).ToList();
        bool biases = Truth(v["has_biases"]), bidirectional = Truth(v["bidirectional"]), batchFirst = Truth(v["batch_first"]);
        long layers = Int(v["num_layers"]), hidden = Int(v["hidden_size"]);
        if (layers > 1 && Truth(v["training"])) throw new NoOnnxFormException($"a {kind} of {layers} layers in training mode (dropout between layers)");
        int directions = bidirectional ? 2 : 1, perDirection = biases ? 4 : 2;
        // Where torch's gate k goes in ONNX's order.
        int[] gates = lstm ? new[] { 0, 3, 1, 2 } : rnn ? new[] { 0 } : new[] { 1, 0, 2 };

        OnnxTensor? h0 = null, c0 = null;
        switch (v["hx"])
        {
            case OnnxTensor h:
                h0 = h;
                break;
            case OnnxTuple { Items.Length: 2 } state:
                h0 = TensorArg(state.Items[0], kind);
                c0 = TensorArg(state.Items[1], kind);
                break;
        }
        OnnxTensor input = batchFirst ? Transpose(x, new[] { 1, 0, 2 }) : x;
        long steps = input.Shape![0]!.Value, batch = input.Shape[1]!.Value;
        var finalH = new List<OnnxTensor>();
        var finalC = new List<OnnxTensor>();
        for (int layer = 0; layer < layers; layer++)
        {
            OnnxTensor Weight(int direction, int k) => weights[(layer * directions + direction) * perDirection + k];
            OnnxTensor W = PerDirection(directions, d => Reordered(Weight(d, 0), gates, hidden));
            OnnxTensor R = PerDirection(directions, d => Reordered(Weight(d, 1), gates, hidden));
            string B = biases
                ? PerDirection(directions, d => Concatenated(new[] { Reordered(Weight(d, 2), gates, hidden), Reordered(Weight(d, 3), gates, hidden) }, 0)).Name
                : "";
            string Initial(OnnxTensor? state) => state is null ? "" : Slice(state, 0, layer * directions, (layer + 1) * directions, 1).Name;
            var inputs = new List<string> { input.Name, W.Name, R.Name, B, "", Initial(h0) };
            if (lstm) inputs.Add(Initial(c0));
            var attributes = new List<OnnxAttribute>
            {
                OnnxAttribute.Of("hidden_size", hidden), OnnxAttribute.Of("direction", bidirectional ? "bidirectional" : "forward"),
            };
            if (kind == "GRU") attributes.Add(OnnxAttribute.Of("linear_before_reset", 1L));
            if (rnn)
            {
                string activation = Truth(v["relu"]) ? "Relu" : "Tanh";
                attributes.Add(OnnxAttribute.Of("activations", Enumerable.Repeat(activation, directions).ToArray()));
            }
            string[] outputs = _graph.Node(kind, inputs, lstm ? 3 : 2, attributes.ToArray());
            var y = new OnnxTensor(outputs[0], x.DType, new long?[] { steps, directions, batch, hidden });
            input = Reshape(Transpose(y, new[] { 0, 2, 1, 3 }), new[] { steps, batch, directions * hidden });
            finalH.Add(new OnnxTensor(outputs[1], x.DType, new long?[] { directions, batch, hidden }));
            if (lstm) finalC.Add(new OnnxTensor(outputs[2], x.DType, new long?[] { directions, batch, hidden }));
        }
        OnnxTensor output = batchFirst ? Transpose(input, new[] { 1, 0, 2 }) : input;
        var results = new List<OnnxValue> { output, Concatenated(finalH, 0) };
        if (lstm) results.Add(Concatenated(finalC, 0));
        return new OnnxTuple(results.ToArray());
    }

    /// <summary>A weight or bias of torch's gate order (gates stacked along its first dimension) in ONNX's.</summary>
    private OnnxTensor Reordered(OnnxTensor weight, int[] gates, long hidden) =>
        Concatenated(gates.Select(g => Slice(weight, 0, g * hidden, (g + 1) * hidden, 1)).ToList(), 0);

    /// <summary>One tensor per direction, stacked along a new first dimension.</summary>
    private OnnxTensor PerDirection(int directions, System.Func<int, OnnxTensor> of) =>
        Concatenated(Enumerable.Range(0, directions).Select(d => Unsqueeze(of(d), 0)).ToList(), 0);

    private OnnxTensor Concatenated(IReadOnlyList<OnnxTensor> parts, int axis)
    {
        if (parts.Count == 1) return parts[0];
        long?[]? shape = parts[0].Shape?.ToArray();
        if (shape is not null)
            shape[axis] = parts.All(p => p.Shape?[axis] is not null) ? parts.Sum(p => p.Shape![axis]!.Value) : null;
        return Node("Concat", parts, parts[0].DType, shape, OnnxAttribute.Of("axis", (long)axis));
    }
}
