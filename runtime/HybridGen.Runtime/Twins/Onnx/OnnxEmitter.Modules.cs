using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

// The module catalog's kinds (docs/modules.md) as ONNX nodes, read from their named values (the generator's
// ModuleCatalog states), with TorchSharp's forward semantics: eval-mode batch norm over the running statistics,
// dropout off in eval, convolution's padding forms; and the twin runtime functions with C#'s arithmetic.
internal sealed partial class OnnxEmitter
{
    private OnnxValue Module(string kind, Dictionary<string, OnnxValue> v)
    {
        OnnxTensor x = TensorArg(v["input"], kind);
        switch (kind)
        {
            case "Linear":
                return Linear(x, TensorArg(v["weight"], kind), v["bias"]);
            case "ConvTranspose2d":
                return ConvolutionTranspose(x, v);
            case "Conv1d" or "Conv2d" or "Conv3d":
                return Convolution(x, v, (int)Int(v["dims"]));
            case "BatchNorm1d" or "BatchNorm2d" or "BatchNorm3d":
                return BatchNorm(x, v, ((int)Int(v["min_dim"]), (int)Int(v["max_dim"])));
            case "LayerNorm":
                return LayerNorm(x, v["normalized_shape"], v["weight"], v["bias"], Float(v["eps"]));
            case "Dropout":
                return Dropout(InPlace(x, v, kind), Float(v["p"]), Truth(v["training"]));
            case "ReLU" or "Tanh" or "Sigmoid" or "SiLU":
            {
                OnnxTensor input = InPlace(x, v, kind);
                OnnxValue result = Op("torch." + kind.ToLowerInvariant(), new List<OnnxValue> { input }, new Dictionary<string, OnnxValue>());
                return Replace(input, (OnnxTensor)result, v);
            }
            case "GELU":
            {
                OnnxTensor input = InPlace(x, v, kind);
                if (!IsFloating(input.DType)) throw new NoOnnxFormException($"GELU of a {input.DType} tensor");
                return Replace(input, Gelu(input, Int(v["approximate"]) == 1), v);
            }
            case "LeakyReLU":
            {
                OnnxTensor input = InPlace(x, v, kind);
                return Replace(input, Node("LeakyRelu", new[] { input }, input.DType, input.Shape, OnnxAttribute.Of("alpha", (float)Float(v["negative_slope"]))), v);
            }
            case "Softmax" or "LogSoftmax":
                return Op(kind == "Softmax" ? "torch.softmax" : "torch.log_softmax", new List<OnnxValue> { x, v["dim"] }, new Dictionary<string, OnnxValue>());
            case "MaxPool2d" or "AvgPool2d":
                return Pool(x, v, kind);
            case "AdaptiveAvgPool2d":
                return AdaptiveAveragePool(x, Ints(v["output_size"]));
            case "Embedding":
                return Embedding(TensorArg(v["weight"], kind), x);
            case "EmbeddingBag":
                return EmbeddingBag(x, v);
            case "Flatten":
                return Flatten(x, Int(v["start_dim"]), Int(v["end_dim"]));
            case "TransformerEncoderLayer":
                return TransformerEncoderLayer(x, v);
            case "MultiheadAttention":
                return MultiheadAttention(x, v);
            case "Upsample":
                return Upsample(x, v);
            case "GRU" or "LSTM" or "RNN":
                return Recurrent(kind, x, v);
            case "Identity":
                return new OnnxTensor(_graph.Node("Identity", new[] { x.Name }), x.DType, x.Shape, viewOf: x);
            default:
                throw new NoOnnxFormException($"the module {kind} (no ONNX form yet)");
        }
    }

    /// <summary>A module's input where it works in place (inplace: true): allowed as for in-place ops.</summary>
    private static OnnxTensor InPlace(OnnxTensor x, Dictionary<string, OnnxValue> v, string kind)
    {
        if (v.TryGetValue("inplace", out OnnxValue? inplace) && Truth(inplace) && !x.Unshared)
            throw new NoOnnxFormException($"{kind}(inplace: true) on a tensor that is an input or shares its memory with another");
        return x;
    }

    private OnnxTensor Replace(OnnxTensor input, OnnxTensor result, Dictionary<string, OnnxValue> v)
    {
        if (v.TryGetValue("inplace", out OnnxValue? inplace) && Truth(inplace)) _replacements[input] = result;
        return result;
    }

    private static long[] Ints(OnnxValue value) => value switch
    {
        OnnxList list => list.Items.Select(Int).ToArray(),
        OnnxHost { Value: long l } => new[] { l },
        _ => throw new NoOnnxFormException("a list of ints expected, not " + Describe(value)),
    };

    private OnnxTensor Convolution(OnnxTensor x, Dictionary<string, OnnxValue> v, int dims)
    {
        // Padding modes (TorchSharp's PaddingModes): 0 zeros, in the convolution; 1 reflect and 2 replicate, an explicit
        // Pad first (ONNX's reflect and edge), then an unpadded convolution; 3 circular needs opset 19's wrap.
        long paddingMode = Int(v["padding_mode"]);
        if (paddingMode is not (0 or 1 or 2)) throw new NoOnnxFormException("a convolution with circular padding (ONNX's wrap mode needs opset 19)");
        if (x.Rank != dims + 2) throw new NoOnnxFormException($"a Conv{dims}d input of rank {x.Rank?.ToString() ?? "unknown"}");
        OnnxTensor weight = TensorArg(v["weight"], "convolution");
        long[] stride = Ints(v["stride"]), padding = Ints(v["padding"]), dilation = Ints(v["dilation"]), kernel = Ints(v["kernel_size"]);
        long groups = Int(v["groups"]);
        long paddingType = Int(v["padding_type"]);
        var begin = new long[dims];
        var end = new long[dims];
        for (int i = 0; i < dims; i++)
        {
            if (paddingType < 0) begin[i] = end[i] = padding[i];                  // explicit
            else if (paddingType == 1)                                              // same: the odd pixel on the end side
            {
                long total = dilation[i] * (kernel[i] - 1);
                begin[i] = total / 2;
                end[i] = total - begin[i];
            }
        }
        if (paddingMode != 0 && (begin.Any(p => p != 0) || end.Any(p => p != 0)))
        {
            long[] pads = new long[2 * (dims + 2)];
            for (int i = 0; i < dims; i++)
            {
                pads[2 + i] = begin[i];
                pads[dims + 4 + i] = end[i];
            }
            long?[]? padded = x.Shape?.Select((d, k) => k < 2 ? d : d + begin[k - 2] + end[k - 2]).ToArray();
            x = new OnnxTensor(_graph.Node("Pad", new[] { x.Name, Constant(pads) }, OnnxAttribute.Of("mode", paddingMode == 1 ? "reflect" : "edge")), x.DType, padded);
            begin = new long[dims];
            end = new long[dims];
        }
        long?[]? shape = null;
        if (x.Shape is { } s && weight.Shape is { } ws)
        {
            shape = new long?[dims + 2];
            shape[0] = s[0];
            shape[1] = ws[0];
            for (int i = 0; i < dims; i++)
                shape[2 + i] = s[2 + i] is { } n ? (n + begin[i] + end[i] - dilation[i] * (kernel[i] - 1) - 1) / stride[i] + 1 : null;
        }
        var inputs = v["bias"] is OnnxTensor bias ? new[] { x, weight, bias } : new[] { x, weight };
        return Node("Conv", inputs, x.DType, shape,
            OnnxAttribute.Of("kernel_shape", kernel), OnnxAttribute.Of("strides", stride), OnnxAttribute.Of("dilations", dilation),
            OnnxAttribute.Of("pads", begin.Concat(end).ToArray()), OnnxAttribute.Of("group", groups));
    }

    /// <summary>ConvTranspose2d over a batch (NCHW): ONNX's ConvTranspose with TorchSharp's settings, the one output
    /// padding TorchSharp passes applying to both dimensions.</summary>
    private OnnxTensor ConvolutionTranspose(OnnxTensor x, Dictionary<string, OnnxValue> v)
    {
        if (x.Rank != 4) throw new NoOnnxFormException($"a ConvTranspose2d input of rank {x.Rank?.ToString() ?? "unknown"}");
        OnnxTensor weight = TensorArg(v["weight"], "transposed convolution");
        if (!weight.ShapeKnown) throw new NoOnnxFormException("a transposed convolution whose weight's shape the signature does not fix");
        long[] ws = weight.StaticShape();
        long[] stride = Ints(v["stride"]), padding = Ints(v["padding"]), dilation = Ints(v["dilation"]);
        long outputPadding = Ints(v["output_padding"])[0], groups = Int(v["groups"]);
        long[] kernel = { ws[2], ws[3] };
        long?[]? shape = x.Shape is { } s
            ? new[] { s[0], ws[1] * groups }.Concat(Enumerable.Range(0, 2).Select(i => s[2 + i] is { } n
                ? (n - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1) + outputPadding + 1 : (long?)null)).ToArray()
            : null;
        var inputs = v["bias"] is OnnxTensor bias ? new[] { x, weight, bias } : new[] { x, weight };
        return Node("ConvTranspose", inputs, x.DType, shape,
            OnnxAttribute.Of("kernel_shape", kernel), OnnxAttribute.Of("strides", stride), OnnxAttribute.Of("dilations", dilation),
            OnnxAttribute.Of("pads", padding.Concat(padding).ToArray()), OnnxAttribute.Of("output_padding", outputPadding, outputPadding),
            OnnxAttribute.Of("group", groups));
    }

    private OnnxTensor BatchNorm(OnnxTensor x, Dictionary<string, OnnxValue> v, (int min, int max) ranks)
    {
        // A rank TorchSharp refuses: eager throws (the call takes eager's route, where it does).
        if (x.Rank is not { } rank || rank < ranks.min || rank > ranks.max) throw new NoOnnxFormException("a batch-norm input of a rank its module refuses");
        bool training = Truth(v["training"]);
        if (training || v["running_mean"] is not OnnxTensor mean || v["running_var"] is not OnnxTensor variance)
            throw new NoOnnxFormException("batch norm in training mode or without running statistics (it uses and updates the batch's statistics)");
        long channels = x.Shape![1] ?? mean.Shape?[0] ?? throw new NoOnnxFormException("batch norm over a channel count not known");
        string scale = v["weight"] is OnnxTensor w ? w.Name : Full(new[] { channels }, 1, x.DType);
        string shift = v["bias"] is OnnxTensor b ? b.Name : Full(new[] { channels }, 0, x.DType);
        string node = _graph.Node("BatchNormalization", new[] { x.Name, scale, shift, mean.Name, variance.Name }, OnnxAttribute.Of("epsilon", (float)Float(v["eps"])));
        return new OnnxTensor(node, x.DType, x.Shape);
    }

    private OnnxTensor Pool(OnnxTensor x, Dictionary<string, OnnxValue> v, string kind)
    {
        if (x.Rank is not (3 or 4)) throw new NoOnnxFormException($"a {kind} input of rank {x.Rank?.ToString() ?? "unknown"}");
        long[] kernel = Ints(v["kernel_size"]), stride = Ints(v["stride"]), padding = Ints(v["padding"]);
        bool ceil = Truth(v["ceil_mode"]);
        bool unbatched = x.Rank == 3;
        OnnxTensor input = unbatched ? Unsqueeze(x, 0) : x;
        var attributes = new List<OnnxAttribute>
        {
            OnnxAttribute.Of("kernel_shape", kernel), OnnxAttribute.Of("strides", stride),
            OnnxAttribute.Of("pads", padding.Concat(padding).ToArray()), OnnxAttribute.Of("ceil_mode", ceil ? 1L : 0L),
        };
        long[] dilation = new long[] { 1, 1 };
        string op;
        if (kind == "MaxPool2d")
        {
            op = "MaxPool";
            dilation = Ints(v["dilation"]);
            attributes.Add(OnnxAttribute.Of("dilations", dilation));
        }
        else
        {
            op = "AveragePool";
            if (v["divisor_override"] is not OnnxHost { Value: null }) throw new NoOnnxFormException("average pooling with divisor_override");
            attributes.Add(OnnxAttribute.Of("count_include_pad", Truth(v["count_include_pad"]) ? 1L : 0L));
            if (ceil) throw new NoOnnxFormException("average pooling with ceil_mode (its last window's divisor differs in ONNX)");
        }
        long?[]? shape = null;
        if (input.Shape is { } s)
        {
            shape = new long?[4] { s[0], s[1], null, null };
            for (int i = 0; i < 2; i++)
            {
                if (s[2 + i] is not { } n) continue;
                long span = n + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1;
                long size = (ceil ? (span + stride[i] - 1) / stride[i] : span / stride[i]) + 1;
                // aten's ceil mode: the last window must start inside the input or its left padding. ONNX Runtime
                // keeps that window, so where the rule drops it the two differ: no ONNX form.
                if (ceil && (size - 1) * stride[i] >= n + padding[i])
                    throw new NoOnnxFormException("max pooling in ceil mode where the last window would start in the padding (aten drops it, ONNX Runtime does not)");
                shape[2 + i] = size;
            }
        }
        OnnxTensor pooled = new(_graph.Node(op, new[] { input.Name }, attributes.ToArray()), x.DType, shape);
        return unbatched ? Squeeze0(pooled) : pooled;
    }

    private OnnxTensor Squeeze0(OnnxTensor value) =>
        new(_graph.Node("Squeeze", new[] { value.Name, Constant(new long[] { 0 }) }), value.DType, value.Shape?.Skip(1).ToArray());

    private OnnxTensor AdaptiveAveragePool(OnnxTensor x, long[] output)
    {
        if (x.Rank is not 4) throw new NoOnnxFormException("adaptive average pooling of an input that is not 4-d");
        long?[] shape = { x.Shape![0], x.Shape[1], output[0], output[1] };
        if (output.All(o => o == 1)) return Node("GlobalAveragePool", new[] { x }, x.DType, shape);
        // Windows of one size where the input divides evenly: an average pool; other sizes overlap unevenly.
        if (x.Shape[2] is not { } h || x.Shape[3] is not { } w || h % output[0] != 0 || w % output[1] != 0)
            throw new NoOnnxFormException("adaptive average pooling to a size that does not divide the input's");
        long[] kernel = { h / output[0], w / output[1] };
        return Node("AveragePool", new[] { x }, x.DType, shape, OnnxAttribute.Of("kernel_shape", kernel), OnnxAttribute.Of("strides", kernel));
    }

    /// <summary>EmbeddingBag as libtorch's C++ forward computes it: over a 2-D input one bag per row (the rows'
    /// embeddings gathered, then summed, averaged or maxed), over a 1-D input bags that start at the offsets
    /// (<see cref="BagsByOffsets"/>). A padding index has no ONNX form here (max_norm never reaches a twin: the
    /// generator refuses it).</summary>
    private OnnxTensor EmbeddingBag(OnnxTensor x, Dictionary<string, OnnxValue> v)
    {
        if (IsFloating(x.DType) || x.DType == ScalarType.Bool) throw new NoOnnxFormException("an EmbeddingBag over a non-integral input");
        if (v["padding_index"] is OnnxHost { Value: long padding } && padding >= 0)
            throw new NoOnnxFormException("an EmbeddingBag with a padding index");
        long mode = Int(v["mode"]);
        OnnxTensor weight = TensorArg(v["weight"], "EmbeddingBag");
        OnnxTensor? perSample = v["in2"] as OnnxTensor;
        if (perSample is not null && mode != 0) throw new NoOnnxFormException("per_sample_weights with a mode other than Sum");
        if (v["in1"] is OnnxTensor offsets) return BagsByOffsets(x, offsets, perSample, weight, mode, include_last: v["include_last_offset"] is OnnxHost { Value: true });
        if (x.Rank != 2) throw new NoOnnxFormException("an EmbeddingBag over a 1-D input without offsets");
        OnnxTensor rows = Embedding(weight, x);                                   // [bags, length, dim]
        if (perSample is not null)
            rows = Node("Mul", new[] { rows, Unsqueeze(Cast(perSample, weight.DType), 2) }, weight.DType, rows.Shape);
        string op = mode switch { 0 => "ReduceSum", 1 => "ReduceMean", 2 => "ReduceMax", _ => throw new NoOnnxFormException($"EmbeddingBag mode {mode}") };
        return Reduce(op, rows, new OnnxHost(1L), new OnnxHost(false), OnnxValue.None, "EmbeddingBag");
    }

    /// <summary>Bags of different lengths (a 1-D input; bag k runs from offsets[k] to the next offset, the last to the
    /// input's end, or with include_last_offset to the last offset). Each position's bag row is the number of offsets
    /// at or before it (a scatter of the offsets, then a running sum: linear in the input), and its embedding is
    /// scattered into that row with ScatterElements' add (opset 16). Row 0 gathers positions before the first offset
    /// and the row after the last bag positions past the last offset (include_last_offset): both are dropped. An empty
    /// bag gives zeros, its mean too (divided by at least one), as libtorch does. Offsets are not checked here
    /// (libtorch refuses a first offset other than 0, and decreasing ones; docs/onnx.md). Max would need
    /// ScatterElements' max, opset 18: refused.</summary>
    private OnnxTensor BagsByOffsets(OnnxTensor x, OnnxTensor offsets, OnnxTensor? perSample, OnnxTensor weight, long mode, bool include_last)
    {
        if (x.Rank != 1 || offsets.Rank != 1) throw new NoOnnxFormException("an EmbeddingBag with offsets over an input that is not 1-D");
        if (offsets.DType != x.DType) throw new NoOnnxFormException("an EmbeddingBag whose input and offsets differ in type");
        if (mode is not (0 or 1)) throw new NoOnnxFormException("an EmbeddingBag with offsets in mode Max (ScatterElements takes max from opset 18)");
        if (x.Shape![0] is not long count || offsets.Shape![0] is not long starts || weight.Shape?[1] is not long dim)
            throw new NoOnnxFormException("an EmbeddingBag whose sizes are not known");
        long bags = include_last ? starts - 1 : starts;
        if (bags < 0) throw new NoOnnxFormException("an EmbeddingBag with include_last_offset and no offsets");
        ScalarType type = weight.DType;
        var axis0 = OnnxAttribute.Of("axis", 0L);
        var add = OnnxAttribute.Of("reduction", "add");
        // marks[p]: how many bags start at position p (an offset equal to the input's length starts an empty bag).
        var noMarks = new OnnxTensor(Full(new[] { count + 1 }, 0, ScalarType.Int64), ScalarType.Int64, new long?[] { count + 1 });
        var oneEach = new OnnxTensor(Full(new[] { starts }, 1, ScalarType.Int64), ScalarType.Int64, new long?[] { starts });
        OnnxTensor marks = Node("ScatterElements", new[] { noMarks, Cast(offsets, ScalarType.Int64), oneEach }, ScalarType.Int64, new long?[] { count + 1 }, axis0, add);
        var axis = new OnnxTensor(ConstantOf(() => tensor(0L)), ScalarType.Int64, Array.Empty<long?>());
        OnnxTensor row = Node("CumSum", new[] { Slice(marks, 0, 0, count, 1), axis }, ScalarType.Int64, new long?[] { count });
        OnnxTensor rows = Embedding(weight, x);                                   // [count, dim]
        if (perSample is not null) rows = Node("Mul", new[] { rows, Unsqueeze(Cast(perSample, type), 1) }, type, rows.Shape);
        var shape = new OnnxTensor(Constant(new[] { count, dim }), ScalarType.Int64, new long?[] { 2 });
        OnnxTensor where = Node("Expand", new[] { Unsqueeze(row, 1), shape }, ScalarType.Int64, new long?[] { count, dim });
        var zeros = new OnnxTensor(Full(new[] { starts + 1, dim }, 0, type), type, new long?[] { starts + 1, dim });
        OnnxTensor sums = Slice(Node("ScatterElements", new[] { zeros, where, rows }, type, new long?[] { starts + 1, dim }, axis0, add), 0, 1, 1 + bags, 1);
        if (mode == 0) return sums;
        var none = new OnnxTensor(Full(new[] { starts + 1 }, 0, type), type, new long?[] { starts + 1 });
        var ones = new OnnxTensor(Full(new[] { count }, 1, type), type, new long?[] { count });
        OnnxTensor sizes = Slice(Node("ScatterElements", new[] { none, row, ones }, type, new long?[] { starts + 1 }, axis0, add), 0, 1, 1 + bags, 1);
        OnnxTensor divisor = Node("Max", new[] { sizes, Scalar(1, type) }, type, new long?[] { bags });
        return Node("Div", new[] { sums, Unsqueeze(divisor, 1) }, type, new long?[] { bags, dim });
    }

    /// <summary>The twin's runtime functions (TorchScriptHelpers in build/Shared/Graph) on host values, with C#'s meaning.</summary>
    private OnnxValue RuntimeFunction(string name, List<OnnxValue> a)
    {
        switch (name)
        {
            case "__hg_idiv" when a.Count == 2:
            {
                long y = Int(a[1]);
                if (y == 0) throw new NoOnnxFormException("an integer division by zero (eager throws)");
                return new OnnxHost(Int(a[0]) / y);                               // C# truncates toward zero
            }
            case "__hg_irem" when a.Count == 2:
            {
                long y = Int(a[1]);
                if (y == 0) throw new NoOnnxFormException("an integer remainder by zero (eager throws)");
                return new OnnxHost(Int(a[0]) % y);
            }
            case "__hg_fmod" when a.Count == 2:
                return new OnnxHost(Float(a[0]) % Float(a[1]));                   // the dividend's sign, as C#'s %
            case "__hg_int_list" when a.Count == 3:
            {
                long n = Int(a[0]);
                if (n < 0) return a[2];
                var values = (OnnxList)a[1];
                if (n > values.Items.Count) throw new NoOnnxFormException("a module setting longer than its twin carries");
                return new OnnxList(values.Items.Take((int)n).ToList());
            }
            default:
                throw new NoOnnxFormException($"the runtime function {name} (no ONNX form yet)");
        }
    }
}
