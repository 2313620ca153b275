using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

// libtorch's C++ MultiheadAttention in eval mode (the runtime function __hg_multi_head_attention of
// TorchScriptHelpers, step for step): q, k and v projected (slices of the packed weight, or three weights), q scaled,
// add_bias_kv's biases and add_zero_attn's zeros appended as key positions (a zero column to each mask), the
// attention mask added (a boolean one as 0 and 1), the key padding mask filled with -inf per batch, and the
// weights averaged over the heads where need_weights (else an empty tensor). The signature fixes every shape.
internal sealed partial class OnnxEmitter
{
    private OnnxTuple MultiheadAttention(OnnxTensor query, Dictionary<string, OnnxValue> v)
    {
        const string kind = "MultiheadAttention";
        if (Truth(v["training"])) throw new NoOnnxFormException("a native MultiheadAttention in training mode (its dropout is random)");
        OnnxTensor key = TensorArg(v["key"], kind), value = TensorArg(v["value"], kind);
        foreach (OnnxTensor t in new[] { query, key, value })
            if (t.Rank != 3 || !t.ShapeKnown) throw new NoOnnxFormException("a MultiheadAttention input that is not (sequence, batch, features)");
        if (!key.StaticShape().SequenceEqual(value.StaticShape())) throw new NoOnnxFormException("a MultiheadAttention whose key and value differ in size (eager throws)");
        if (!IsFloating(query.DType)) throw new NoOnnxFormException($"a MultiheadAttention over a {query.DType} tensor");
        long length = query.Shape![0]!.Value, batch = query.Shape[1]!.Value, width = query.Shape[2]!.Value, sources = key.Shape![0]!.Value;
        long heads = Int(v["num_heads"]), headWidth = width / heads;
        OnnxTensor? packed = v["in_proj_weight"] as OnnxTensor, bias = v["in_proj_bias"] as OnnxTensor;
        OnnxTensor Project(OnnxTensor x, int k, string separate)
        {
            OnnxTensor weight = packed is null ? TensorArg(v[separate], kind) : Slice(packed, 0, k * width, (k + 1) * width, 1);
            return Linear(x, weight, bias is null ? OnnxValue.None : Slice(bias, 0, k * width, (k + 1) * width, 1));
        }
        OnnxTensor Heads(OnnxTensor x, long steps) => Transpose(Reshape(x, new[] { steps, batch * heads, headWidth }), new[] { 1, 0, 2 });
        OnnxTensor projected = Project(query, 0, "q_proj_weight");
        OnnxTensor q = Heads(Node("Mul", new[] { projected, Scalar(Float(v["scaling"]), query.DType) }, query.DType, projected.Shape), length);
        OnnxTensor kProjected = Project(key, 1, "k_proj_weight"), vProjected = Project(value, 2, "v_proj_weight");
        OnnxTensor? mask = v["attn_mask"] as OnnxTensor, padding = v["key_padding_mask"] as OnnxTensor;
        if (v["bias_k"] is OnnxTensor biasK && v["bias_v"] is OnnxTensor biasV)
        {
            // add_bias_kv: one more key position, (1, batch, width) of the bias, and a zero column to each mask.
            kProjected = Concatenated(new[] { kProjected, Expanded(biasK, new[] { 1, batch, width }) }, 0);
            vProjected = Concatenated(new[] { vProjected, Expanded(biasV, new[] { 1, batch, width }) }, 0);
            sources++;
            (mask, padding) = (WithZeroColumn(mask), WithZeroColumn(padding));
        }
        if (padding is not null && (padding.Rank != 2 || !padding.ShapeKnown || padding.Shape![0] != batch || padding.Shape[1] != sources || padding.DType != ScalarType.Bool))
            throw new NoOnnxFormException("a key padding mask that is not boolean (batch, sequence) (eager throws)");
        OnnxTensor k = Heads(kProjected, sources), val = Heads(vProjected, sources);
        if (Truth(v["add_zero_attn"]))
        {
            // add_zero_attn: a zero key and value per head, after the padding mask's check, and another zero column.
            var zero = new OnnxTensor(Full(new[] { batch * heads, 1, headWidth }, 0, query.DType), query.DType, new long?[] { batch * heads, 1, headWidth });
            k = Concatenated(new[] { k, zero }, 1);
            val = Concatenated(new[] { val, zero }, 1);
            sources++;
            (mask, padding) = (WithZeroColumn(mask), WithZeroColumn(padding));
        }
        var scoresShape = new long?[] { batch * heads, length, sources };
        OnnxTensor scores = Node("MatMul", new[] { q, Transpose(k, new[] { 0, 2, 1 }) }, query.DType, scoresShape);
        if (mask is not null)
        {
            // libtorch's C++ adds the mask unsqueezed in place: it must broadcast to the scores' shape (a 3-d mask does not:
            // eager throws).
            mask = Unsqueeze(mask, 0);
            if (!BroadcastsTo(mask, scoresShape)) throw new NoOnnxFormException("an attention mask that does not broadcast to the scores (eager throws)");
            scores = Node("Add", new[] { scores, Cast(mask, query.DType) }, query.DType, scoresShape);
        }
        if (padding is not null)
        {
            OnnxTensor filled = Node("Where", new[] { Unsqueeze(Unsqueeze(padding, 1), 2), Scalar(double.NegativeInfinity, query.DType),
                Reshape(scores, new[] { batch, heads, length, sources }) }, query.DType, new long?[] { batch, heads, length, sources });
            scores = Reshape(filled, new[] { batch * heads, length, sources });
        }
        OnnxTensor weights = Node("Softmax", new[] { scores }, query.DType, scoresShape, OnnxAttribute.Of("axis", -1L));
        OnnxTensor attended = Node("MatMul", new[] { weights, val }, query.DType, new long?[] { batch * heads, length, headWidth });
        attended = Reshape(Transpose(attended, new[] { 1, 0, 2 }), new[] { length, batch, width });
        OnnxTensor output = Linear(attended, TensorArg(v["out_proj_weight"], kind), v["out_proj_bias"]);
        OnnxTensor averaged;
        if (Truth(v["need_weights"]))
        {
            OnnxTensor perHead = Reshape(weights, new[] { batch, heads, length, sources });
            OnnxTensor summed = new(_graph.Node("ReduceSum", new[] { perHead.Name, Constant(new[] { 1L }) }, OnnxAttribute.Of("keepdims", 0L)),
                query.DType, new long?[] { batch, length, sources });
            averaged = Node("Div", new[] { summed, Scalar(heads, query.DType) }, query.DType, summed.Shape);
        }
        else
        {
            averaged = new OnnxTensor(Full(new long[] { 0 }, 0, query.DType), query.DType, new long?[] { 0 });
        }
        return new OnnxTuple(new OnnxValue[] { output, averaged });
    }
}

internal sealed partial class OnnxEmitter
{
    /// <summary><paramref name="value"/> broadcast to <paramref name="shape"/> (ONNX Expand).</summary>
    private OnnxTensor Expanded(OnnxTensor value, long[] shape) =>
        new(_graph.Node("Expand", new[] { value.Name, Constant(shape) }), value.DType, shape.Select(d => (long?)d).ToArray());

    /// <summary>A 2-d mask with a zero (false) column appended, as libtorch's attention extends its masks for an added
    /// key position; null stays null.</summary>
    private OnnxTensor? WithZeroColumn(OnnxTensor? mask)
    {
        if (mask is null) return null;
        if (mask.Rank != 2 || !mask.ShapeKnown) throw new NoOnnxFormException("an attention or key padding mask that is not 2-d where add_bias_kv or add_zero_attn extends it");
        long rows = mask.Shape![0]!.Value;
        var zeros = new OnnxTensor(Full(new[] { rows, 1L }, 0, mask.DType), mask.DType, new long?[] { rows, 1 });
        return Concatenated(new[] { mask, zeros }, 1);
    }

    /// <summary>Whether <paramref name="value"/> broadcasts to exactly <paramref name="shape"/> (every size known).</summary>
    private static bool BroadcastsTo(OnnxTensor value, long?[] shape)
    {
        if (!value.ShapeKnown || value.Rank > shape.Length) return false;
        long[] sizes = value.StaticShape();
        for (int k = 1; k <= sizes.Length; k++)
            if (sizes[^k] != 1 && sizes[^k] != shape[^k]) return false;
        return true;
    }
}
