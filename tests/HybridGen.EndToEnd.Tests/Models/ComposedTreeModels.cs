using System;
using System.Collections.Generic;
using HybridGen;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace HybridGen.EndToEnd.Tests;

// Small models whose module trees only exist at run time, for the composition's own tests (ComposedTreeTests).

/// <summary>A Sequential made from a list the constructor fills, in a public field tests reassign.</summary>
public sealed partial class ListBuiltNet : Module<Tensor, Tensor>
{
    public Module<Tensor, Tensor> body;

    public ListBuiltNet(IEnumerable<(string, Module<Tensor, Tensor>)> layers) : base("list-built")
    {
        body = Sequential(new List<(string, Module<Tensor, Tensor>)>(layers));
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input) => body.forward(input);
}

/// <summary>Changes its run-time submodule's result in place: the live module must allocate it (HG0110 otherwise,
/// decided when the tree is composed).</summary>
public sealed partial class InPlaceOnResultNet : Module<Tensor, Tensor>
{
    public Module<Tensor, Tensor> body;

    public InPlaceOnResultNet(IEnumerable<(string, Module<Tensor, Tensor>)> layers) : base("in-place-on-result")
    {
        body = Sequential(new List<(string, Module<Tensor, Tensor>)>(layers));
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input)
    {
        var x = body.forward(input);
        return x.mul_(2.0);
    }
}

/// <summary>A user module that is not hybridized: a tree holding it cannot be composed.</summary>
public sealed class PlainBlock : Module<Tensor, Tensor>
{
    public PlainBlock() : base("plain") { }

    public override Tensor forward(Tensor input) => input.relu();
}

/// <summary>A block with a run-time submodule beside one its constructor picks by a condition: a piece per choice,
/// and a tree holding blocks of both kinds gets the right piece for each.</summary>
public sealed partial class ChoiceBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> body;
    private readonly Module<Tensor, Tensor> shortcut;

    public ChoiceBlock(bool project) : base("choice-block")
    {
        body = Sequential(new List<(string, Module<Tensor, Tensor>)> { ("fc", Linear(4, 4)), ("act", Tanh()) });
        shortcut = project ? Sequential(("proj", Linear(4, 4))) : Sequential();
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input) => body.forward(input) + shortcut.forward(input);
}

/// <summary>A list-built tree whose forward is forced onto TorchScript: its composed twin serves every call.</summary>
public sealed partial class ForcedTorchScriptNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> body;

    public ForcedTorchScriptNet(IEnumerable<(string, Module<Tensor, Tensor>)> layers) : base("forced-torchscript")
    {
        body = Sequential(new List<(string, Module<Tensor, Tensor>)>(layers));
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager), Mode = DispatchMode.Graph)]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input) => body.forward(input);
}

/// <summary>A list-built tree whose forward is forced onto ONNX Runtime: its composed model serves every call.</summary>
public sealed partial class ForcedOnnxNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> body;

    public ForcedOnnxNet(IEnumerable<(string, Module<Tensor, Tensor>)> layers) : base("forced-onnx")
    {
        body = Sequential(new List<(string, Module<Tensor, Tensor>)>(layers));
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager), Mode = DispatchMode.Onnx)]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input) => body.forward(input);
}

/// <summary>A block whose tree the build sees whole (a convolution and a batch norm, each assigned once): a twin of
/// its own, and a piece of any larger tree composed at run time. The convolution is public so that tests can
/// reassign it from outside (which the build does not see, and the tree check does).</summary>
public sealed partial class FixedBlock : Module<Tensor, Tensor>
{
    public Module<Tensor, Tensor> conv;
    private readonly Module<Tensor, Tensor> norm;

    public FixedBlock(long inChannels, long outChannels) : base("fixed-block")
    {
        conv = Conv2d(inChannels, outChannels, 3, padding: 1);
        norm = BatchNorm2d(outChannels);
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor input);

    private Tensor ForwardEager(Tensor input) => functional.relu(norm.forward(conv.forward(input)));
}

// TorchSharp's native TransformerEncoderLayer called with both masks, its settings (heads, activation) only the live
// module shows (NativeTransformerTests).
public sealed partial class EncoderLayerBlock : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.TransformerEncoderLayer layer;
    private readonly TorchSharp.Modules.Linear head;

    public EncoderLayerBlock(long width, long heads, long feedForward, Activations activation, double dropout = 0.1) : base("encoder-layer-block")
    {
        layer = TransformerEncoderLayer(width, heads, feedForward, dropout, activation);
        head = Linear(width, 3);
        RegisterComponents();
    }

    public TorchSharp.Modules.TransformerEncoderLayer Layer => layer;

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x, Tensor mask, Tensor padding);

    private Tensor ForwardEager(Tensor x, Tensor mask, Tensor padding)
    {
        using var y = layer.call(x, mask, padding);
        return head.forward(y);
    }
}

/// <summary>A native TransformerEncoder whose forward is forced onto the TorchScript twin (NativeTransformerTests).</summary>
public sealed partial class ForcedGraphEncoder : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.TransformerEncoder encoder = TransformerEncoder(TransformerEncoderLayer(8, 2, 16, 0.1), 2);

    public ForcedGraphEncoder() : base("forced-graph-encoder") => RegisterComponents();

    [Hybridize(nameof(ForwardEager), Mode = DispatchMode.Graph)]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => encoder.call(x);
}

/// <summary>A native TransformerEncoder whose forward is forced onto the ONNX Runtime twin (NativeTransformerTests).</summary>
public sealed partial class ForcedOnnxEncoder : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.TransformerEncoder encoder = TransformerEncoder(TransformerEncoderLayer(8, 2, 16, 0.1), 2);

    public ForcedOnnxEncoder() : base("forced-onnx-encoder") => RegisterComponents();

    [Hybridize(nameof(ForwardEager), Mode = DispatchMode.Onnx)]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => encoder.call(x);
}

// TorchSharp's native GRU and LSTM, whose forwards return tuples and whose settings TorchSharp keeps in private fields
// (NativeRecurrentTests).
public sealed partial class RecurrentNet : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.GRU gru;
    private readonly TorchSharp.Modules.LSTM lstm;
    private readonly TorchSharp.Modules.Linear head;

    public RecurrentNet(long layers, bool bidirectional, double dropout = 0.0) : base("recurrent-net")
    {
        gru = GRU(4, 6, numLayers: layers, batchFirst: true, bidirectional: bidirectional, dropout: dropout);
        lstm = LSTM(bidirectional ? 12 : 6, 5);
        head = Linear(5, 3);
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        var (sequence, _) = gru.call(x);                             // batch first: (batch, time, features)
        var (output, hidden, cell) = lstm.call(sequence.transpose(0, 1));
        return head.forward(output[-1]) + hidden.sum() + cell.mean();
    }
}

/// <summary>A two-layer LSTM given its initial state (NativeRecurrentTests).</summary>
public sealed partial class StatefulLstm : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.LSTM lstm;

    public StatefulLstm(double dropout = 0.3) : base("stateful-lstm")
    {
        lstm = LSTM(4, 6, numLayers: 2, dropout: dropout);
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x, Tensor h0, Tensor c0);

    private Tensor ForwardEager(Tensor x, Tensor h0, Tensor c0)
    {
        var (y, h, c) = lstm.call(x, (h0, c0));
        return y[-1] + h[-1] * c[-1];
    }
}

/// <summary>TorchSharp's native RNN, whose nonlinearity TorchSharp keeps nowhere (NativeRecurrentTests).</summary>
public sealed partial class ElmanNet : Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.RNN rnn;

    public ElmanNet(long layers, NonLinearities nonLinearity, bool bidirectional, double dropout = 0.0) : base("elman-net")
    {
        rnn = RNN(4, 6, numLayers: layers, nonLinearity: nonLinearity, bidirectional: bidirectional, dropout: dropout);
        RegisterComponents();
    }

    public TorchSharp.Modules.RNN Rnn => rnn;

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x)
    {
        var (output, hidden) = rnn.call(x);
        return torch.cat(new[] { output[-1], hidden[-1] }, 1);
    }
}

/// <summary>TorchSharp's Upsample in a Sequential built from a list (NativeUpsampleTests).</summary>
public sealed partial class UpsampleNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> body;

    public UpsampleNet(Module<Tensor, Tensor> upsample) : base("upsample-net")
    {
        body = Sequential(new List<(string, Module<Tensor, Tensor>)> { ("up", upsample), ("act", Tanh()) });
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor x);

    private Tensor ForwardEager(Tensor x) => body.forward(x * 2);
}

/// <summary>TorchSharp's native MultiheadAttention on its own, its result a System.Tuple (NativeAttentionTests).</summary>
public sealed partial class AttentionBlock : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.MultiheadAttention attention;
    private readonly TorchSharp.Modules.Linear head;

    public AttentionBlock(long width, long heads, long? keyWidth = null, bool bias = true, double dropout = 0.1, bool addBiasKv = false, bool addZeroAttn = false)
        : base("attention-block")
    {
        attention = MultiheadAttention(width, heads, dropout: dropout, bias: bias, add_bias_kv: addBiasKv, add_zero_attn: addZeroAttn, kdim: keyWidth, vdim: keyWidth);
        head = Linear(width, 3);
        RegisterComponents();
    }

    public TorchSharp.Modules.MultiheadAttention Attention => attention;

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor query, Tensor memory, Tensor mask);

    private Tensor ForwardEager(Tensor query, Tensor memory, Tensor mask)
    {
        var (output, weights) = attention.call(query, memory, memory, null, true, mask);
        var unmasked = attention.call(query, memory, memory).Item1;           // need_weights' default, no mask
        var plain = attention.forward(query, memory, memory, null, false, null).Item1;  // no weights asked for
        return head.forward(output + unmasked + plain) + weights.sum();
    }
}

/// <summary>MultiheadAttention given a key padding mask, with add_bias_kv and add_zero_attn, which extend it
/// (NativeAttentionTests).</summary>
public sealed partial class PaddedAttentionBlock : Module<Tensor, Tensor, Tensor, Tensor>
{
    private readonly TorchSharp.Modules.MultiheadAttention attention;

    public PaddedAttentionBlock(long width, long heads, bool addBiasKv, bool addZeroAttn) : base("padded-attention-block")
    {
        attention = MultiheadAttention(width, heads, add_bias_kv: addBiasKv, add_zero_attn: addZeroAttn);
        RegisterComponents();
    }

    [Hybridize(nameof(ForwardEager))]
    public override partial Tensor forward(Tensor query, Tensor memory, Tensor padding);

    private Tensor ForwardEager(Tensor query, Tensor memory, Tensor padding)
    {
        var (output, weights) = attention.call(query, memory, memory, padding, true, null);
        return output.tanh() + weights.mean();
    }
}
