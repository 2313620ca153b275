using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

/// <summary>An attribute of an ONNX node (one of its kinds: int, float, string, ints, floats, strings).</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, string? Text = null, long[]? Ints = null, float[]? Floats = null,
    string[]? Texts = null)
{
    public static OnnxAttribute Of(string name, params string[] values) => new(name, Texts: values);
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);
    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);
    public static OnnxAttribute Of(string name, string value) => new(name, Text: value);
    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);
    public static OnnxAttribute Of(string name, params float[] values) => new(name, Floats: values);
}

/// <summary>
/// Builds an ONNX model (ModelProto, opset 17 by default) node by node and writes it in the protobuf form ONNX Runtime
/// and Netron read. Values are named; a node's outputs are new names, which Node makes. Weights go in as
/// initializers (ONNX Runtime prepacks them: fastest, but a copy) or as graph inputs (always the live tensor).
/// Field numbers are those of onnx/onnx.proto.
/// </summary>
internal sealed class OnnxModelBuilder
{
    private readonly List<Action<ProtoWriter>> _nodes = new(), _initializers = new(), _inputs = new(), _outputs = new();
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _next;

    public const int DefaultOpset = 17;

    public OnnxModelBuilder(string name) => Name = name;

    public string Name { get; }

    /// <summary>A graph input; a null dimension is symbolic (its size may change from call to call).</summary>
    public string Input(string name, ScalarType dtype, IReadOnlyList<long?> dims)
    {
        Claim(name);
        _inputs.Add(w => ValueInfo(w, name, dtype, dims));
        return name;
    }

    /// <summary>A graph output of the value <paramref name="value"/>, of <paramref name="rank"/> symbolic dimensions
    /// (a negative rank: not known, the output's shape is left out).</summary>
    public void Output(string value, ScalarType dtype, int rank)
    {
        long?[]? dims = rank < 0 ? null : new long?[rank];
        _outputs.Add(w => ValueInfo(w, value, dtype, dims));
    }

    /// <summary>A constant of the model (a weight as an initializer), copied from <paramref name="value"/> now.</summary>
    public string Initializer(string name, Tensor value)
    {
        Claim(name);
        using var scope = NewDisposeScope(); // detach, cpu and contiguous may each make a tensor
        Tensor host = value.detach().cpu().contiguous();
        byte[] data = Bytes(host);
        long[] dims = host.shape;
        int type = OnnxTypes.ElementType(host.dtype);
        _initializers.Add(w =>
        {
            foreach (long d in dims) w.Int(1, d);
            w.Int(2, type).String(8, name).Bytes(9, data);
        });
        return name;
    }

    /// <summary>A node of <paramref name="opType"/> with one output, whose new name it returns.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Node(opType, inputs, 1, attributes)[0];

    /// <summary>A node with <paramref name="outputs"/> outputs ("" in <paramref name="inputs"/> is an input left out).</summary>
    public string[] Node(string opType, IReadOnlyList<string> inputs, int outputs, params OnnxAttribute[] attributes)
    {
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs), "a node has at least one output");
        var names = new string[outputs];
        for (int k = 0; k < outputs; k++) names[k] = Fresh(opType);
        string node = names[0] + "_node";
        _nodes.Add(w =>
        {
            foreach (string input in inputs) w.String(1, input);
            foreach (string output in names) w.String(2, output);
            w.String(3, node).String(4, opType);
            foreach (OnnxAttribute attribute in attributes) w.Message(5, a => Attribute(a, attribute));
        });
        return names;
    }

    /// <summary>The model's bytes (ModelProto): the default ONNX domain at <paramref name="opset"/>, and the IR version
    /// that opset belongs to (8 up to opset 18, 9 for 19 and 20, 10 from 21).</summary>
    public byte[] ToModel(int opset = DefaultOpset) => new ProtoWriter()
        .Int(1, opset <= 18 ? 8 : opset <= 20 ? 9 : 10)
        .String(2, "HybridGen")
        .Message(7, graph =>
        {
            foreach (Action<ProtoWriter> node in _nodes) graph.Message(1, node);
            graph.String(2, Name);
            foreach (Action<ProtoWriter> initializer in _initializers) graph.Message(5, initializer);
            foreach (Action<ProtoWriter> input in _inputs) graph.Message(11, input);
            foreach (Action<ProtoWriter> output in _outputs) graph.Message(12, output);
        })
        .Message(8, set => set.String(1, "").Int(2, opset))
        .ToArray();

    private void Claim(string name)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("an ONNX value needs a name (an empty one means an input left out)", nameof(name));
        if (!_names.Add(name)) throw new ArgumentException($"the ONNX graph already has a value named '{name}'", nameof(name));
    }

    private string Fresh(string stem)
    {
        string name;
        do name = $"{stem}_{_next++}"; while (!_names.Add(name));
        return name;
    }

    private static void ValueInfo(ProtoWriter w, string name, ScalarType dtype, IReadOnlyList<long?>? dims) =>
        w.String(1, name).Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int(1, OnnxTypes.ElementType(dtype));
            if (dims is null) return;
            tensor.Message(2, shape =>
            {
                for (int k = 0; k < dims.Count; k++)
                    shape.Message(1, dim =>
                    {
                        if (dims[k] is { } size) dim.Int(1, size);
                        else dim.String(2, $"{name}_d{k}");
                    });
            });
        }));

    private static void Attribute(ProtoWriter w, OnnxAttribute a)
    {
        w.String(1, a.Name);
        // AttributeProto.type: FLOAT 1, INT 2, STRING 3, FLOATS 6, INTS 7, STRINGS 8.
        if (a.Int is { } i) w.Int(3, i).Int(20, 2);
        else if (a.Float is { } f) w.Float(2, f).Int(20, 1);
        else if (a.Text is { } s) w.String(4, s).Int(20, 3);
        else if (a.Ints is { } ints)
        {
            foreach (long v in ints) w.Int(8, v);
            w.Int(20, 7);
        }
        else if (a.Floats is { } floats)
        {
            foreach (float v in floats) w.Float(7, v);
            w.Int(20, 6);
        }
        else if (a.Texts is { } texts)
        {
            foreach (string v in texts) w.String(9, v);
            w.Int(20, 8);
        }
        else throw new ArgumentException($"the attribute '{a.Name}' has no value");
    }

    private static unsafe byte[] Bytes(Tensor contiguous)
    {
        long count = contiguous.numel() * contiguous.ElementSize;
        var data = new byte[count];
        if (count > 0) new ReadOnlySpan<byte>((void*)Native.LibTorchSharp.DataPointer(contiguous.Handle), checked((int)count)).CopyTo(data);
        return data;
    }
}
