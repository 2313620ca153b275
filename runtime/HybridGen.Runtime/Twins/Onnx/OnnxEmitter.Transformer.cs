using System.Collections.Generic;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

// libtorch's C++ TransformerEncoderLayer in eval mode (the runtime function __hg_transformer_encoder_layer of
// TorchScriptHelpers, step for step): post-norm self-attention with q scaled before the product, the attention mask
// added (a boolean one as 0 and 1), the key padding mask filled with -inf per batch, a ReLU or GELU feed-forward. The
// signature fixes the shapes, so every reshape is a constant.
internal sealed partial class OnnxEmitter
{
    private OnnxTensor TransformerEncoderLayer(OnnxTensor src, Dictionary<string, OnnxValue> v)
    {
        const string kind = "TransformerEncoderLayer";
        if (Truth(v["training"])) throw new NoOnnxFormException("a native TransformerEncoderLayer in training mode (its dropout is random)");
        if (src.Rank != 3 || !src.ShapeKnown) throw new NoOnnxFormException("a TransformerEncoderLayer input that is not (sequence, batch, features)");
        if (!IsFloating(src.DType)) throw new NoOnnxFormException($"a TransformerEncoderLayer over a {src.DType} tensor");
        long length = src.Shape![0]!.Value, batch = src.Shape[1]!.Value, width = src.Shape[2]!.Value, heads = Int(v["nhead"]);
        long headWidth = width / heads;
        OnnxTensor T(string name) => TensorArg(v[name], kind);

        // One projection for q, k and v (the self-attention form), split along the features.
        OnnxTensor qkv = Linear(src, T("in_proj_weight"), v["in_proj_bias"]);
        OnnxTensor Part(int k) => Slice(qkv, 2, k * width, (k + 1) * width, 1);
        OnnxTensor Heads(OnnxTensor x) => Transpose(Reshape(x, new[] { length, batch * heads, headWidth }), new[] { 1, 0, 2 });
        OnnxTensor q = Heads(Node("Mul", new[] { Part(0), Scalar(Float(v["scaling"]), src.DType) }, src.DType, Part(0).Shape));
        OnnxTensor k = Heads(Part(1)), value = Heads(Part(2));
        var scoresShape = new long?[] { batch * heads, length, length };
        OnnxTensor scores = Node("MatMul", new[] { q, Transpose(k, new[] { 0, 2, 1 }) }, src.DType, scoresShape);
        if (v["src_mask"] is OnnxTensor mask)
        {
            // libtorch's C++ adds the mask unsqueezed in place: it must broadcast to the scores' shape (a 3-d mask does not:
            // eager throws).
            mask = Unsqueeze(mask, 0);
            if (!BroadcastsTo(mask, scoresShape)) throw new NoOnnxFormException("an attention mask that does not broadcast to the scores (eager throws)");
            // Added whatever its type, a boolean mask as 0 and 1, as libtorch 2.10's layer does.
            scores = Node("Add", new[] { scores, Cast(mask, src.DType) }, src.DType, scoresShape);
        }
        if (v["key_padding_mask"] is OnnxTensor padding)
        {
            if (padding.Rank != 2 || !padding.ShapeKnown || padding.Shape![0] != batch || padding.Shape[1] != length || padding.DType != ScalarType.Bool)
                throw new NoOnnxFormException("a key padding mask that is not boolean (batch, sequence) (eager throws)");
            var perBatch = new long?[] { batch, heads, length, length };
            OnnxTensor filled = Node("Where", new[] { Unsqueeze(Unsqueeze(padding, 1), 2), Scalar(double.NegativeInfinity, src.DType),
                Reshape(scores, new[] { batch, heads, length, length }) }, src.DType, perBatch);
            scores = Reshape(filled, new[] { batch * heads, length, length });
        }
        OnnxTensor weights = Node("Softmax", new[] { scores }, src.DType, scoresShape, OnnxAttribute.Of("axis", -1L));
        OnnxTensor attended = Node("MatMul", new[] { weights, value }, src.DType, new long?[] { batch * heads, length, headWidth });
        attended = Reshape(Transpose(attended, new[] { 1, 0, 2 }), new[] { length, batch, width });
        attended = Linear(attended, T("out_proj_weight"), v["out_proj_bias"]);

        var normalized = new OnnxList(new List<OnnxValue> { new OnnxHost(width) });
        OnnxTensor x = LayerNorm(Node("Add", new[] { src, attended }, src.DType, src.Shape), normalized, v["norm1_weight"], v["norm1_bias"], 1e-5);
        OnnxTensor hidden = Linear(x, T("linear1_weight"), v["linear1_bias"]);
        hidden = Truth(v["gelu"]) ? Gelu(hidden, tanh: false) : Node("Relu", new[] { hidden }, hidden.DType, hidden.Shape);
        hidden = Linear(hidden, T("linear2_weight"), v["linear2_bias"]);
        return LayerNorm(Node("Add", new[] { x, hidden }, src.DType, src.Shape), normalized, v["norm2_weight"], v["norm2_bias"], 1e-5);
    }
}
