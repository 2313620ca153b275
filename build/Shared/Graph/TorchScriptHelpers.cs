using System.Collections.Generic;

namespace HybridGen.Graph;

/// <summary>TorchScript functions that give C#'s meaning where Python's differs, emitted into a twin only when used.</summary>
internal static class TorchScriptHelpers
{
    // C#'s integer division truncates toward zero; Python's // floors.
    public const string IntDivide = "__hg_idiv";
    // C#'s % takes the dividend's sign; Python's takes the divisor's.
    public const string IntRemainder = "__hg_irem";
    public const string FloatRemainder = "__hg_fmod";
    // TorchSharp's BatchNorm.forward (NN/Normalization/BatchNorm.cs), step for step: the running statistics and
    // num_batches_tracked are updated in place exactly as eager does (momentum None: a cumulative average).
    public const string BatchNorm = ModuleFunctions.BatchNorm;
    // A module's long[] setting, carried as its length (-1: null) and a fixed number of ints (Catalog/ModuleState).
    public const string IntList = ModuleFunctions.IntList;
    // TorchSharp's Conv1d/Conv2d.forward (NN/Convolution/Conv1D.cs, Conv2D.cs, Convolution.cs), step for step,
    // including its padding for Padding.Same under a padding mode (computed per dimension, not reversed). Its
    // input-shape check is left to aten, which refuses the same inputs (wrong rank or channel count): the twin
    // fails where eager throws, and eager's ArgumentException is what the caller sees (the interpreter charges
    // per instruction, and a model has many convolutions).
    public const string Convolution = ModuleFunctions.Convolution;
    // libtorch's C++ Embedding and EmbeddingBag forwards (torch/nn/functional/embedding.h), which TorchSharp's
    // native modules run: the padding index made non-negative, a 2-d EmbeddingBag input one bag per row; and
    // TorchSharp's EmbeddingBag.call checks.
    public const string Embedding = ModuleFunctions.Embedding;
    public const string EmbeddingBag = ModuleFunctions.EmbeddingBag;
    // A module whose forward is an op or its in-place form (ReLU(inplace: true)...): a function, so the input's
    // expression is written once (a spelling `relu_(x) if inplace else relu(x)` would repeat x's whole expression
    // in both branches, doubling the text at every such module of a chain). Dropout at p = 0 and p = 1 returns what
    // aten's does without calling it: aten draws nothing there, and a twin must draw what eager draws (a native
    // MultiheadAttention's twin calling it at p = 0 drew, measured; this one's did not in NativeDropoutTests, but
    // TorchScript's autodiff form of dropout, a bernoulli_ mask divided by 1 - p, may replace it in any graph).
    public const string Relu = ModuleFunctions.Relu, Tanh = ModuleFunctions.Tanh,
        Sigmoid = ModuleFunctions.Sigmoid, Silu = ModuleFunctions.Silu,
        LeakyRelu = ModuleFunctions.LeakyRelu, Gelu = ModuleFunctions.Gelu, Dropout = ModuleFunctions.Dropout;
    // libtorch's C++ TransformerEncoderLayer.forward (torch/csrc/api/src/nn/modules/transformer.cpp), which TorchSharp's
    // native module runs, with its self-attention (F::multi_head_attention_forward): post-norm, q scaled before the
    // product, the attention mask unsqueezed and added in place whatever its type, as libtorch's C++ does (a boolean
    // mask as 0 and 1, measured: NativeTransformerTests; a 3-d mask fails there as in eager), the key padding mask
    // (boolean only) filled with -inf per batch, dropout p everywhere. Its settings come from the composition (Composition/
    // NativeTransformer): nhead and the activation probed on the live module, dropout measured at the first call in
    // training mode (Composition/NativeDropout; -1 where unknown: the composed tree runs such calls eager before any twin,
    // and the twin refuses them too). A dropout of p = 0 is not called at all: aten's returns its input without drawing,
    // but a twin calling it drew from the generator under grad (measured: NativeDropoutTests, MultiheadAttention at 0;
    // likely TorchScript's autodiff form of dropout, a bernoulli_ mask), and a twin must draw what eager draws.
    public const string TransformerEncoderLayer = ModuleFunctions.TransformerEncoderLayer;
    // TorchSharp's GRU and LSTM forwards (NN/Recurrent), which run libtorch's C++ modules: a missing initial state is
    // zeros of (layers x directions, batch, hidden), then aten's gru/lstm over the flat weights (per layer and
    // direction: w_ih, w_hh, b_ih, b_hh), as the C++ module calls it, after the C++ module's check of a 3-d input (aten
    // itself would broadcast a 2-d one). Dropout only acts between layers in training mode, its probability measured
    // then (Composition/NativeDropout; -1 where it could not be: such calls run eager, and the twin refuses them too).
    // An RNN's nonlinearity (TorchSharp keeps none) comes probed from the composition: aten's rnn_tanh or rnn_relu.
    public const string Gru = ModuleFunctions.Gru, Lstm = ModuleFunctions.Lstm, Rnn = ModuleFunctions.Rnn;
    // TorchSharp's Upsample.forward: libtorch's C++ F::interpolate (torch/nn/functional/upsampling.h) with the module's
    // settings (mode: TorchSharp's UpsampleMode, 0 nearest, 1 linear, 2 bilinear, 3 bicubic, 4 trilinear): exactly one
    // of size and scale factor; from a scale factor the size is floor(input size x factor), and the factor is passed
    // on to the kernel unless recompute_scale_factor; align_corners refused with nearest, false where unset.
    public const string Upsample = ModuleFunctions.Upsample;
    // libtorch's C++ MultiheadAttention.forward (F::multi_head_attention_forward), which TorchSharp's native module
    // runs: q, k and v projected (one packed weight or three), q scaled, the attention mask added whatever its type and
    // the key padding mask filled with -inf per batch (as the transformer layer's), the weights averaged over the heads
    // where need_weights (else an empty tensor: TorchSharp's eager result has none). add_bias_kv's bias_k and bias_v are
    // appended to the projected key and value (a zero column to each mask), the padding mask's size checked, then
    // add_zero_attn's zero key and value per head (another zero column), in libtorch's order. Heads and add_zero_attn
    // come probed from the composition (Composition/NativeAttention).
    public const string MultiheadAttention = ModuleFunctions.MultiheadAttention;
    // TorchSharp's GroupNorm.forward: inputs of fewer than 3 dimensions are refused.
    public const string GroupNorm = ModuleFunctions.GroupNorm;

    private static readonly Dictionary<string, string> s_sources = new()
    {
        [IntDivide] = """
            def __hg_idiv(a: int, b: int) -> int:
                q = a // b
                if q < 0 and q * b != a:
                    q = q + 1
                return q
            """,
        [IntRemainder] = """
            def __hg_irem(a: int, b: int) -> int:
                q = a // b
                if q < 0 and q * b != a:
                    q = q + 1
                return a - b * q
            """,
        [BatchNorm] = """
            def __hg_batch_norm(x: Tensor, min_dim: int, max_dim: int, weight: Optional[Tensor], bias: Optional[Tensor], running_mean: Optional[Tensor], running_var: Optional[Tensor], num_batches_tracked: Optional[Tensor], momentum: Optional[float], eps: float, training: bool, track_running_stats: bool) -> Tensor:
                assert x.dim() >= min_dim and x.dim() <= max_dim, "batch norm: the input has the wrong number of dimensions"
                factor = 0.0
                if momentum is not None:
                    factor = momentum
                if training and track_running_stats:
                    if num_batches_tracked is not None:
                        num_batches_tracked.add_(1)
                        if momentum is None:
                            factor = 1.0 / float(num_batches_tracked.item())
                bn_training = training or (running_mean is None and running_var is None)
                use_stats = (not training) or track_running_stats
                mean = running_mean if use_stats else None
                var = running_var if use_stats else None
                return torch.batch_norm(x, weight, bias, mean, var, bn_training, factor, eps, True)
            """,
        [IntList] = """
            def __hg_int_list(n: int, values: List[int], null: List[int]) -> List[int]:
                if n < 0:
                    return null
                assert n <= len(values), "a module setting has more entries than its twin carries"
                return values[:n]
            """,
        [Convolution] = """
            def __hg_convolution(x: Tensor, dims: int, weight: Tensor, bias: Optional[Tensor], padding_mode: int, padding_type: int, stride: List[int], padding: List[int], dilation: List[int], kernel_size: List[int], groups: int) -> Tensor:
                if padding_mode != 0:
                    pad: List[int] = []
                    if padding_type < 0:
                        for k in range(len(padding)):
                            v = padding[len(padding) - 1 - k]
                            pad.append(v)
                            pad.append(v)
                    else:
                        for k in range(len(kernel_size)):
                            pad.append(0)
                            pad.append(0)
                        if padding_type == 1:
                            for i in range(len(kernel_size)):
                                total = dilation[i] * (kernel_size[i] - 1)
                                left = total // 2
                                pad[2 * i] = left
                                pad[2 * i + 1] = total - left
                    if padding_mode == 4:
                        x = torch.pad(x, pad, "constant", 0.0)
                    else:
                        x = torch.pad(x, pad, ["constant", "reflect", "replicate", "circular"][padding_mode], None)
                    if dims == 1:
                        return torch.conv1d(x, weight, bias, stride, [0], dilation, groups)
                    if dims == 3:
                        return torch.conv3d(x, weight, bias, stride, [0, 0, 0], dilation, groups)
                    return torch.conv2d(x, weight, bias, stride, [0, 0], dilation, groups)
                if padding_type >= 0:
                    mode = "same" if padding_type == 1 else "valid"
                    if dims == 1:
                        return torch.conv1d(x, weight, bias, stride, mode, dilation, groups)
                    if dims == 3:
                        return torch.conv3d(x, weight, bias, stride, mode, dilation, groups)
                    return torch.conv2d(x, weight, bias, stride, mode, dilation, groups)
                if dims == 1:
                    return torch.conv1d(x, weight, bias, stride, padding, dilation, groups)
                if dims == 3:
                    return torch.conv3d(x, weight, bias, stride, padding, dilation, groups)
                return torch.conv2d(x, weight, bias, stride, padding, dilation, groups)
            """,
        [Embedding] = """
            def __hg_embedding(x: Tensor, weight: Tensor, padding_idx: Optional[int], scale_grad_by_freq: bool, sparse: bool) -> Tensor:
                index = -1
                if padding_idx is not None:
                    index = padding_idx
                    if index < 0:
                        index = index + weight.size(0)
                return torch.embedding(weight, x, index, scale_grad_by_freq, sparse)
            """,
        [EmbeddingBag] = """
            def __hg_embedding_bag(x: Tensor, offsets: Optional[Tensor], per_sample_weights: Optional[Tensor], weight: Tensor, scale_grad_by_freq: bool, mode: int, sparse: bool, include_last_offset: bool, padding_index: int) -> Tensor:
                assert not x.is_floating_point() and not x.is_complex(), "EmbeddingBag: the input must be an integral tensor"
                if offsets is not None:
                    assert x.dtype == offsets.dtype, "EmbeddingBag: input and offsets must have the same element type"
                assert x.dim() != 1 or offsets is not None, "EmbeddingBag: offsets must be given for a 1-D input"
                assert x.dim() != 2 or offsets is None, "EmbeddingBag: offsets must be None for a 2-D input"
                assert x.dim() == 1 or x.dim() == 2, "EmbeddingBag: the input must have 1 or 2 dimensions"
                weights = per_sample_weights
                if x.dim() == 2:
                    offsets = torch.arange(0, x.numel(), x.size(1), dtype=x.dtype, device=x.device)
                    x = x.reshape([-1])
                    if weights is not None:
                        weights = weights.reshape([-1])
                assert offsets is not None
                assert weights is None or mode == 0, "EmbeddingBag: per_sample_weights need mode Sum"
                index: Optional[int] = None
                if padding_index >= 0:
                    index = padding_index
                return torch.embedding_bag(weight, x, offsets, scale_grad_by_freq, mode, sparse, weights, include_last_offset, index)[0]
            """,
        [Relu] = OpOrInPlace("relu"),
        [Tanh] = OpOrInPlace("tanh"),
        [Sigmoid] = OpOrInPlace("sigmoid"),
        [Silu] = OpOrInPlace("silu"),
        [LeakyRelu] = """
            def __hg_leaky_relu(x: Tensor, negative_slope: float, inplace: bool) -> Tensor:
                if inplace:
                    return torch.leaky_relu_(x, negative_slope)
                return torch.leaky_relu(x, negative_slope)
            """,
        [Gelu] = """
            def __hg_gelu(x: Tensor, approximate: int, inplace: bool) -> Tensor:
                mode = "tanh" if approximate == 1 else "none"
                if inplace:
                    return torch.gelu_(x, approximate=mode)
                return torch.gelu(x, approximate=mode)
            """,
        [Dropout] = """
            def __hg_dropout(x: Tensor, p: float, training: bool, inplace: bool) -> Tensor:
                if not training or p == 0.0:
                    return x
                if p == 1.0:
                    if inplace:
                        return x.mul_(0.0)
                    return x * 0.0
                if inplace:
                    return torch.dropout_(x, p, training)
                return torch.dropout(x, p, training)
            """,
        [GroupNorm] = """
            def __hg_group_norm(x: Tensor, num_groups: int, weight: Optional[Tensor], bias: Optional[Tensor], eps: float) -> Tensor:
                assert x.dim() >= 3, "group norm: the input has fewer than 3 dimensions"
                return torch.group_norm(x, num_groups, weight, bias, eps, True)
            """,
        [TransformerEncoderLayer] = """
            def __hg_transformer_encoder_layer(src: Tensor, src_mask: Optional[Tensor], key_padding_mask: Optional[Tensor], nhead: int, gelu: bool, dropout: float, scaling: float, training: bool, in_proj_weight: Tensor, in_proj_bias: Tensor, out_proj_weight: Tensor, out_proj_bias: Tensor, linear1_weight: Tensor, linear1_bias: Tensor, linear2_weight: Tensor, linear2_bias: Tensor, norm1_weight: Tensor, norm1_bias: Tensor, norm2_weight: Tensor, norm2_bias: Tensor) -> Tensor:
                assert not training or dropout >= 0.0, "a native TransformerEncoderLayer in training mode: its dropout probability (in libtorch's options) could not be measured (see HybridGen's report)"
                assert src.dim() == 3, "TransformerEncoderLayer: the input must be (sequence, batch, features)"
                p = dropout if training else 0.0
                tgt_len = src.size(0)
                bsz = src.size(1)
                embed_dim = src.size(2)
                head_dim = embed_dim // nhead
                qkv = torch.chunk(torch.linear(src, in_proj_weight, in_proj_bias), 3, -1)
                q = qkv[0] * scaling
                q = q.contiguous().view([tgt_len, bsz * nhead, head_dim]).transpose(0, 1)
                k = qkv[1].contiguous().view([-1, bsz * nhead, head_dim]).transpose(0, 1)
                v = qkv[2].contiguous().view([-1, bsz * nhead, head_dim]).transpose(0, 1)
                src_len = k.size(1)
                w = torch.bmm(q, k.transpose(1, 2))
                if src_mask is not None:
                    w.add_(src_mask.unsqueeze(0))
                if key_padding_mask is not None:
                    assert key_padding_mask.dim() == 2 and key_padding_mask.size(0) == bsz and key_padding_mask.size(1) == src_len, "The size of the key padding mask is not correct."
                    w = w.view([bsz, nhead, tgt_len, src_len]).masked_fill(key_padding_mask.unsqueeze(1).unsqueeze(2), float('-inf')).view([bsz * nhead, tgt_len, src_len])
                w = torch.softmax(w, -1)
                if p > 0.0:
                    w = torch.dropout(w, p, True)
                a = torch.bmm(w, v).transpose(0, 1).contiguous().view([tgt_len, bsz, embed_dim])
                a = torch.linear(a, out_proj_weight, out_proj_bias)
                if p > 0.0:
                    a = torch.dropout(a, p, True)
                x = torch.layer_norm(src + a, [embed_dim], norm1_weight, norm1_bias, 1e-05)
                h = torch.linear(x, linear1_weight, linear1_bias)
                if gelu:
                    h = torch.gelu(h)
                else:
                    h = torch.relu(h)
                if p > 0.0:
                    h = torch.dropout(h, p, True)
                h = torch.linear(h, linear2_weight, linear2_bias)
                if p > 0.0:
                    h = torch.dropout(h, p, True)
                return torch.layer_norm(x + h, [embed_dim], norm2_weight, norm2_bias, 1e-05)
            """,
        [Gru] = """
            def __hg_gru(x: Tensor, hx: Optional[Tensor], params: List[Tensor], has_biases: bool, num_layers: int, bidirectional: bool, batch_first: bool, hidden_size: int, training: bool, dropout: float) -> Tuple[Tensor, Tensor]:
                assert x.dim() == 3, "GRU: the input must be 3-d (time, batch, features; batch first if so built)"
                assert not (training and num_layers > 1) or dropout >= 0.0, "a native GRU of several layers in training mode: its dropout probability (in libtorch's options) could not be measured (see HybridGen's report)"
                if hx is None:
                    batch = x.size(0) if batch_first else x.size(1)
                    h = torch.zeros([num_layers * (2 if bidirectional else 1), batch, hidden_size], dtype=x.dtype, device=x.device)
                else:
                    h = hx
                return torch.gru(x, h, params, has_biases, num_layers, max(dropout, 0.0), training, bidirectional, batch_first)
            """,
        [Rnn] = """
            def __hg_rnn(x: Tensor, hx: Optional[Tensor], params: List[Tensor], has_biases: bool, num_layers: int, bidirectional: bool, batch_first: bool, hidden_size: int, training: bool, dropout: float, relu: bool) -> Tuple[Tensor, Tensor]:
                assert x.dim() == 3, "RNN: the input must be 3-d (time, batch, features; batch first if so built)"
                assert not (training and num_layers > 1) or dropout >= 0.0, "a native RNN of several layers in training mode: its dropout probability (in libtorch's options) could not be measured (see HybridGen's report)"
                if hx is None:
                    batch = x.size(0) if batch_first else x.size(1)
                    h = torch.zeros([num_layers * (2 if bidirectional else 1), batch, hidden_size], dtype=x.dtype, device=x.device)
                else:
                    h = hx
                if relu:
                    return torch.rnn_relu(x, h, params, has_biases, num_layers, max(dropout, 0.0), training, bidirectional, batch_first)
                return torch.rnn_tanh(x, h, params, has_biases, num_layers, max(dropout, 0.0), training, bidirectional, batch_first)
            """,
        [Lstm] = """
            def __hg_lstm(x: Tensor, hc: Optional[Tuple[Tensor, Tensor]], params: List[Tensor], has_biases: bool, num_layers: int, bidirectional: bool, batch_first: bool, hidden_size: int, training: bool, dropout: float) -> Tuple[Tensor, Tensor, Tensor]:
                assert x.dim() == 3, "LSTM: the input must be 3-d (time, batch, features; batch first if so built)"
                assert not (training and num_layers > 1) or dropout >= 0.0, "a native LSTM of several layers in training mode: its dropout probability (in libtorch's options) could not be measured (see HybridGen's report)"
                if hc is None:
                    batch = x.size(0) if batch_first else x.size(1)
                    h = torch.zeros([num_layers * (2 if bidirectional else 1), batch, hidden_size], dtype=x.dtype, device=x.device)
                    c = torch.zeros([num_layers * (2 if bidirectional else 1), batch, hidden_size], dtype=x.dtype, device=x.device)
                else:
                    h, c = hc
                return torch.lstm(x, [h, c], params, has_biases, num_layers, max(dropout, 0.0), training, bidirectional, batch_first)
            """,
        [Upsample] = """
            def __hg_upsample(x: Tensor, size: Optional[List[int]], scale_factor: Optional[List[float]], mode: int, align_corners: Optional[bool], recompute_scale_factor: bool) -> Tensor:
                dims = x.dim() - 2
                assert dims >= 1 and dims <= 3, "Input Error: Only 3D, 4D and 5D input Tensors supported for the modes: nearest | linear | bilinear | bicubic | trilinear"
                corners = False
                if align_corners is not None:
                    assert mode != 0, "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"
                    corners = align_corners
                output: List[int] = []
                scales: List[Optional[float]] = [None, None, None]
                if size is not None:
                    assert scale_factor is None, "only one of size or scale_factor should be defined"
                    output = size
                else:
                    assert scale_factor is not None, "either size or scale_factor should be defined"
                    assert len(scale_factor) == dims, "scale_factor shape must match input shape"
                    for i in range(dims):
                        output.append(int(float(x.size(i + 2)) * scale_factor[i]))
                        if not recompute_scale_factor:
                            scales[i] = scale_factor[i]
                if mode == 0 and dims == 1:
                    return torch.upsample_nearest1d(x, output, scales[0])
                if mode == 0 and dims == 2:
                    return torch.upsample_nearest2d(x, output, scales[0], scales[1])
                if mode == 0 and dims == 3:
                    return torch.upsample_nearest3d(x, output, scales[0], scales[1], scales[2])
                if mode == 1 and dims == 1:
                    return torch.upsample_linear1d(x, output, corners, scales[0])
                if mode == 2 and dims == 2:
                    return torch.upsample_bilinear2d(x, output, corners, scales[0], scales[1])
                if mode == 3 and dims == 2:
                    return torch.upsample_bicubic2d(x, output, corners, scales[0], scales[1])
                assert mode == 4 and dims == 3, "Input Error: this mode does not take an input of this rank"
                return torch.upsample_trilinear3d(x, output, corners, scales[0], scales[1], scales[2])
            """,
        [MultiheadAttention] = """
            def __hg_multi_head_attention(query: Tensor, key: Tensor, value: Tensor, key_padding_mask: Optional[Tensor], need_weights: bool, attn_mask: Optional[Tensor], num_heads: int, scaling: float, dropout: float, training: bool, in_proj_weight: Optional[Tensor], q_proj_weight: Optional[Tensor], k_proj_weight: Optional[Tensor], v_proj_weight: Optional[Tensor], in_proj_bias: Optional[Tensor], out_proj_weight: Tensor, out_proj_bias: Optional[Tensor], bias_k: Optional[Tensor], bias_v: Optional[Tensor], add_zero_attn: bool) -> Tuple[Tensor, Tensor]:
                assert not training or dropout >= 0.0, "a native MultiheadAttention in training mode: its dropout probability (in libtorch's options) could not be measured (see HybridGen's report)"
                assert query.dim() == 3 and key.dim() == 3 and value.dim() == 3, "MultiheadAttention: query, key and value must be (sequence, batch, features)"
                assert key.size() == value.size(), "MultiheadAttention: key and value must have the same size"
                p = dropout if training else 0.0
                tgt_len = query.size(0)
                bsz = query.size(1)
                embed_dim = query.size(2)
                head_dim = embed_dim // num_heads
                b_q: Optional[Tensor] = None
                b_k: Optional[Tensor] = None
                b_v: Optional[Tensor] = None
                if in_proj_bias is not None:
                    b_q = in_proj_bias[0:embed_dim]
                    b_k = in_proj_bias[embed_dim:2 * embed_dim]
                    b_v = in_proj_bias[2 * embed_dim:]
                if in_proj_weight is not None:
                    w_q = in_proj_weight[0:embed_dim]
                    w_k = in_proj_weight[embed_dim:2 * embed_dim]
                    w_v = in_proj_weight[2 * embed_dim:]
                else:
                    assert q_proj_weight is not None and k_proj_weight is not None and v_proj_weight is not None, "MultiheadAttention without projection weights"
                    w_q = q_proj_weight
                    w_k = k_proj_weight
                    w_v = v_proj_weight
                q = torch.linear(query, w_q, b_q) * scaling
                k = torch.linear(key, w_k, b_k)
                v = torch.linear(value, w_v, b_v)
                if bias_k is not None and bias_v is not None:
                    k = torch.cat([k, bias_k.repeat([1, bsz, 1])])
                    v = torch.cat([v, bias_v.repeat([1, bsz, 1])])
                    if attn_mask is not None:
                        attn_mask = torch.cat([attn_mask, torch.zeros([attn_mask.size(0), 1], dtype=attn_mask.dtype, device=attn_mask.device)], 1)
                    if key_padding_mask is not None:
                        key_padding_mask = torch.cat([key_padding_mask, torch.zeros([key_padding_mask.size(0), 1], dtype=key_padding_mask.dtype, device=key_padding_mask.device)], 1)
                q = q.contiguous().view([tgt_len, bsz * num_heads, head_dim]).transpose(0, 1)
                k = k.contiguous().view([-1, bsz * num_heads, head_dim]).transpose(0, 1)
                v = v.contiguous().view([-1, bsz * num_heads, head_dim]).transpose(0, 1)
                src_len = k.size(1)
                if key_padding_mask is not None:
                    assert key_padding_mask.dim() == 2 and key_padding_mask.size(0) == bsz and key_padding_mask.size(1) == src_len, "The size of the key padding mask is not correct."
                if add_zero_attn:
                    src_len += 1
                    k = torch.cat([k, torch.zeros([k.size(0), 1, k.size(2)], dtype=k.dtype, device=k.device)], 1)
                    v = torch.cat([v, torch.zeros([v.size(0), 1, v.size(2)], dtype=v.dtype, device=v.device)], 1)
                    if attn_mask is not None:
                        attn_mask = torch.cat([attn_mask, torch.zeros([attn_mask.size(0), 1], dtype=attn_mask.dtype, device=attn_mask.device)], 1)
                    if key_padding_mask is not None:
                        key_padding_mask = torch.cat([key_padding_mask, torch.zeros([key_padding_mask.size(0), 1], dtype=key_padding_mask.dtype, device=key_padding_mask.device)], 1)
                w = torch.bmm(q, k.transpose(1, 2))
                if attn_mask is not None:
                    w.add_(attn_mask.unsqueeze(0))
                if key_padding_mask is not None:
                    w = w.view([bsz, num_heads, tgt_len, src_len]).masked_fill(key_padding_mask.unsqueeze(1).unsqueeze(2), float('-inf')).view([bsz * num_heads, tgt_len, src_len])
                w = torch.softmax(w, -1)
                if p > 0.0:
                    w = torch.dropout(w, p, True)
                a = torch.bmm(w, v).transpose(0, 1).contiguous().view([tgt_len, bsz, embed_dim])
                a = torch.linear(a, out_proj_weight, out_proj_bias)
                if need_weights:
                    return a, w.view([bsz, num_heads, tgt_len, src_len]).sum(1) / num_heads
                return a, torch.empty([0], dtype=a.dtype, device=a.device)
            """,
        [FloatRemainder] = """
            def __hg_fmod(a: float, b: float) -> float:
                r = a % b
                if r != 0.0 and (r < 0.0) != (a < 0.0):
                    r = r - b
                return r
            """,
    };

    // __hg_relu and its kind: the op, or its in-place form when the module says inplace.
    private static string OpOrInPlace(string op) =>
        $"def __hg_{op}(x: Tensor, inplace: bool) -> Tensor:\n    if inplace:\n        return torch.{op}_(x)\n    return torch.{op}(x)";

    public static IEnumerable<string> Sources(IEnumerable<string> used)
    {
        foreach (string name in used) yield return s_sources[name].Replace("\r", "") + "\n";
    }
}
