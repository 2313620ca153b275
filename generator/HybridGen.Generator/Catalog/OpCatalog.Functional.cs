// Op catalog rows: torch.nn.functional (owner "functional"; docs/architecture.md, decision 2). TorchScript's resolver does
// not know torch.nn.functional, so every row is spelled with the aten op the functional form runs.
// TorchSharp-specific findings (src/TorchSharp/NN/**):
// - Most activations take a trailing bool inplace; inplace: true is x.op_().alias() in TorchSharp, which no
//   TorchScript call reproduces exactly: only calls that leave it false are spelled (relu, tanh, silu, elu, …).
//   gelu(Tensor, bool inplace) and sigmoid(Tensor, bool inplace) have no default for inplace: left out.
// - Parameter names: F.linear(input, weights, bias), F.conv2d(…, strides, …) but conv1d(…, stride, …),
//   F.binary_cross_entropy_with_logits(…, pos_weights), F.gelu/relu/… take x, not input.
// - F.kl_div's log_target defaults to true (PyTorch: false); F.nll_loss has no ignore_index (aten default -100).
// - F.log_softmax has no dtype; F.softmin(x, dim) is softmax(-x, dim); F.mish is x * tanh(softplus(x)).
// - F.cross_entropy(…, label_smoothing) maps onto aten's cross_entropy_loss (the Python-level name is not an op).
// - F.pad's PaddingModes enum is not aten's str mode: only the default (constant) is spelled, as constant_pad_nd.
// - F.dropout's inplace and F.batch_norm's cudnn switch: aten::batch_norm wants cudnn_enabled (spelled True).
// - F.embedding does not exist in TorchSharp 0.107 (the module Embedding is native).
// Left out: the ValueTuple kernel/stride/padding overloads of the pooling ops, pad(Tensor, long pad, …) and the
// tuple pad forms, conv*_padding (Padding enum), conv3d/pool3d, max_pool*_with_indices and adaptive_max_pool*
// (aten returns tuples where TorchSharp returns one tensor), fractional_max_pool* (random), interpolate/upsample*
// (mode enums), grid_sample/affine_grid (enums), local_response_norm (composite), gaussian_nll_loss, ctc_loss,
// triplet_margin_loss(_with_distance) and multi_margin_loss (composite or Func arguments), lp_pool*, softsign,
// tanhshrink (composite in TorchSharp), multilabel_soft_margin_loss (no aten op), hardtanh (TorchSharp's
// Tensor.hardtanh returns its receiver unchanged), the *_backward helpers.

namespace HybridGen.Generator.Catalog;

internal static partial class OpCatalog
{
    private static readonly OpRow[] s_functional =
    {
        // Activations (TorchSharp's inplace: true is x.op_().alias(): only inplace left false is spelled).
        new("functional", "relu", "if(inplace, aten::relu_(x), aten::relu(x))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.relu(x.sub(0.5))"),
        new("functional", "relu6", "if(inplace, aten::relu6_(x), aten::relu6(x))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.relu6(x.sub(0.5))"),
        new("functional", "selu", "if(inplace, aten::selu_(x), aten::selu(x))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.selu(x.sub(0.5))"),
        new("functional", "silu", "if(inplace, aten::silu_(x), aten::silu(x))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.silu(x.sub(0.5))"),
        new("functional", "tanh", "if(inplace, aten::tanh_(x), aten::tanh(x))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.tanh(x.sub(0.5))"),
        new("functional", "hardsigmoid", "if(inplace, aten::hardsigmoid_(input), aten::hardsigmoid(input))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.hardsigmoid(x.sub(0.5))"),
        new("functional", "hardswish", "if(inplace, aten::hardswish_(input), aten::hardswish(input))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.hardswish(x.sub(0.5))"),
        new("functional", "sigmoid", "aten::sigmoid", Overload: "Tensor", Example: "F.sigmoid(x)"),
        new("functional", "gelu", "aten::gelu", Overload: "Tensor", Example: "F.gelu(x.sub(0.5))"),
        new("functional", "logsigmoid", "aten::log_sigmoid", Example: "F.logsigmoid(x)"),
        new("functional", "elu", "if(inplace, aten::elu_(x, alpha), aten::elu(x, alpha))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.elu(x.sub(0.5), 0.5, true)"),
        new("functional", "celu", "if(inplace, aten::celu_(x, alpha), aten::celu(x, alpha))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.celu(x.sub(0.5), 2)"),
        new("functional", "leaky_relu", "if(inplace, aten::leaky_relu_(input, negative_slope), aten::leaky_relu(input, negative_slope))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.leaky_relu(x.sub(0.5), 0.2)"),
        new("functional", "threshold", "if(inplace, aten::threshold_(x, threshold, value), aten::threshold(x, threshold, value))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.threshold(x, 0.5, 0)"),
        new("functional", "rrelu", "if(inplace, aten::rrelu_(x, lower, upper), aten::rrelu(x, lower, upper))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.rrelu(x.sub(0.5))"),
        new("functional", "mish", "if(inplace, aten::mul_(x, aten::tanh(aten::softplus(x))), aten::mul(x, aten::tanh(aten::softplus(x))))", Facts: OpFacts.InPlace | OpFacts.MayAlias, Example: "F.mish(x.sub(0.5))"),
        new("functional", "softplus", "aten::softplus", Example: "F.softplus(x, 2)"),
        new("functional", "hardshrink", "aten::hardshrink", Example: "F.hardshrink(x, 0.5)"),
        new("functional", "softshrink", "aten::softshrink", Example: "F.softshrink(x, 0.3)"),
        new("functional", "prelu", "aten::prelu", Example: "F.prelu(x.sub(0.5), torch.full(new long[] { 1 }, 0.25))"),
        new("functional", "glu", "aten::glu", Example: "F.glu(x)"),
        new("functional", "softmax", "aten::softmax", Example: "F.softmax(x, 1)"),
        new("functional", "log_softmax", "aten::log_softmax", Example: "F.log_softmax(x, 1)"),
        new("functional", "softmin", "aten::softmax(aten::neg(x), dim)", Example: "F.softmin(x, 0)"),
        // Dropout (Random; training defaults to true for dropout, false for the alpha forms).
        new("functional", "dropout", "if(inplace, aten::dropout_(input, p, training), aten::dropout(input, p, training))", Facts: OpFacts.Random | OpFacts.InPlace | OpFacts.MayAlias, Example: "F.dropout(x, 0.25)"),
        new("functional", "alpha_dropout", "if(inplace, aten::alpha_dropout_(input, p, training), aten::alpha_dropout(input, p, training))", Facts: OpFacts.Random | OpFacts.InPlace | OpFacts.MayAlias, Example: "F.alpha_dropout(x, 0.3, true)"),
        new("functional", "feature_alpha_dropout", "if(inplace, aten::feature_alpha_dropout_(input, p, training), aten::feature_alpha_dropout(input, p, training))", Facts: OpFacts.Random | OpFacts.InPlace | OpFacts.MayAlias, Example: "F.feature_alpha_dropout(x.view(1, 3, 4), 0.3, true)"),
        new("functional", "dropout1d", "if(inplace, aten::feature_dropout_(input, p, training), aten::feature_dropout(input, p, training))", Facts: OpFacts.Random | OpFacts.InPlace | OpFacts.MayAlias, Example: "F.dropout1d(x.view(1, 3, 4))"),
        new("functional", "dropout2d", "if(inplace, aten::feature_dropout_(input, p, training), aten::feature_dropout(input, p, training))", Facts: OpFacts.Random | OpFacts.InPlace | OpFacts.MayAlias, Example: "F.dropout2d(x.view(1, 3, 2, 2))"),
        // Normalization and linear layers.
        new("functional", "linear", "aten::linear", Example: "F.linear(x, m, m[0])"),
        new("functional", "bilinear", "aten::bilinear", Example: "F.bilinear(x, y, m.view(1, 4, 4))"),
        new("functional", "layer_norm", "aten::layer_norm", Example: "F.layer_norm(x, new long[] { 4 }, m[0], m[1])"),
        new("functional", "group_norm", "aten::group_norm", Example: "F.group_norm(x.view(3, 4, 1), 2, m[0], m[1])"),
        new("functional", "batch_norm", "aten::batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, True)", Example: "F.batch_norm(x, m[0], m[1], m[2], m[3])"),
        new("functional", "instance_norm", "aten::instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, True)", Example: "F.instance_norm(x.view(1, 3, 4))"),
        new("functional", "normalize", "aten::div(input, aten::expand_as(aten::clamp_min(aten::norm(input, p, dim, True), eps), input))", Example: "F.normalize(x)"),
        new("functional", "cosine_similarity", "aten::cosine_similarity", Example: "F.cosine_similarity(x, y)"),
        new("functional", "pairwise_distance", "aten::pairwise_distance", Example: "F.pairwise_distance(x, y, 1)"),
        new("functional", "one_hot", "aten::one_hot", Example: "F.one_hot(x.mul(5).to(ScalarType.Int64), 5)"),
        new("functional", "pad", "aten::constant_pad_nd(input, pad, value)", Overload: "Tensor,*,*,*", Example: "F.pad(x, new long[] { 1, 2 }, value: 0.5)"),
        new("functional", "pixel_shuffle", "aten::pixel_shuffle", Example: "F.pixel_shuffle(x.view(1, 4, 3, 1), 2)"),
        new("functional", "pixel_unshuffle", "aten::pixel_unshuffle", Example: "F.pixel_unshuffle(m.view(1, 1, 4, 4), 2)"),
        new("functional", "scaled_dot_product_attention", "aten::scaled_dot_product_attention", Example: "F.scaled_dot_product_attention(x.view(1, 3, 4), y.view(1, 3, 4), x.view(1, 3, 4))"),
        // Convolutions: TorchSharp's null stride/padding/dilation mean 1/0/1; a null is not a TorchScript int list, so each left-out combination is its own row.
        new("functional", "conv1d", "aten::conv1d(input, weight, bias, groups=groups)", Example: "F.conv1d(x.view(1, 3, 4), m.view(1, 4, 4)[.., ..3, ..2])"),
        new("functional", "conv1d", "aten::conv1d(input, weight, bias, stride, groups=groups)", Example: "F.conv1d(x.view(1, 3, 4), m.view(1, 4, 4)[.., ..3, ..2], m[0, ..1], 2)"),
        new("functional", "conv1d", "aten::conv1d(input, weight, bias, padding=padding, groups=groups)", Example: "F.conv1d(x.view(1, 3, 4), m.view(1, 4, 4)[.., ..3, ..2], padding: 1)"),
        new("functional", "conv1d", "aten::conv1d(input, weight, bias, stride, padding, groups=groups)", Example: "F.conv1d(x.view(1, 3, 4), m.view(1, 4, 4)[.., ..3, ..2], null, 2, 1)"),
        new("functional", "conv1d", "aten::conv1d", Example: "F.conv1d(x.view(3, 1, 4), m.view(2, 1, 8)[.., .., ..2], null, 1, 1, 2)"),
        new("functional", "conv2d", "aten::conv2d(input, weight, bias, groups=groups)", Example: "F.conv2d(x.view(1, 1, 3, 4), m.view(1, 1, 4, 4)[.., .., ..2, ..2])"),
        new("functional", "conv2d", "aten::conv2d(input, weight, bias, strides, groups=groups)", Example: "F.conv2d(x.view(1, 1, 3, 4), m.view(1, 1, 4, 4)[.., .., ..2, ..2], m[0, ..1], new long[] { 1, 2 })"),
        new("functional", "conv2d", "aten::conv2d(input, weight, bias, padding=padding, groups=groups)", Example: "F.conv2d(x.view(1, 1, 3, 4), m.view(1, 1, 4, 4)[.., .., ..2, ..2], padding: new long[] { 1 })"),
        new("functional", "conv2d", "aten::conv2d(input, weight, bias, strides, padding, groups=groups)", Example: "F.conv2d(x.view(1, 1, 3, 4), m.view(1, 1, 4, 4)[.., .., ..2, ..2], null, new long[] { 2 }, new long[] { 1, 0 })"),
        new("functional", "conv2d", "aten::conv2d", Example: "F.conv2d(x.view(1, 1, 3, 4), m.view(1, 1, 4, 4)[.., .., ..2, ..2], null, new long[] { 1 }, new long[] { 1 }, new long[] { 2 }, 1)"),
        new("functional", "conv_transpose2d", "aten::conv_transpose2d(input, weight, bias, groups=groups)", Example: "F.conv_transpose2d(x.view(1, 1, 3, 4), m.view(1, 1, 4, 4)[.., .., ..2, ..2])"),
        new("functional", "conv_transpose2d", "aten::conv_transpose2d(input, weight, bias, strides, padding, output_padding, groups, dilation)", Example: "F.conv_transpose2d(x.view(1, 1, 3, 4), m.view(1, 1, 4, 4)[.., .., ..2, ..2], null, new long[] { 2 }, new long[] { 1 }, new long[] { 1 }, new long[] { 1 })"),
        // Pooling: TorchSharp's null stride means the kernel size (aten: an empty list), null padding 0, dilation 1.
        new("functional", "max_pool2d", "aten::max_pool2d(input, kernel_size, ceil_mode=ceil_mode)", Overload: "Tensor,Scalar,*,*,*,*", Example: "F.max_pool2d(x.view(1, 1, 3, 4), 2)"),
        new("functional", "max_pool2d", "aten::max_pool2d(input, kernel_size, stride, ceil_mode=ceil_mode)", Overload: "Tensor,Scalar,*,*,*,*", Example: "F.max_pool2d(x.view(1, 1, 3, 4), 2, 1)"),
        new("functional", "max_pool2d", "aten::max_pool2d(input, kernel_size, stride, padding, ceil_mode=ceil_mode)", Overload: "Tensor,Scalar,*,*,*,*", Example: "F.max_pool2d(x.view(1, 1, 3, 4), 2, 2, 1)"),
        new("functional", "max_pool2d", "aten::max_pool2d(input, kernel_size, ceil_mode=ceil_mode)", Overload: "Tensor,*,*,*,*,*", Example: "F.max_pool2d(x.view(1, 1, 3, 4), new long[] { 2, 2 })"),
        new("functional", "max_pool2d", "aten::max_pool2d(input, kernel_size, strides, ceil_mode=ceil_mode)", Overload: "Tensor,*,*,*,*,*", Example: "F.max_pool2d(x.view(1, 1, 3, 4), new long[] { 2, 2 }, new long[] { 1, 1 })"),
        new("functional", "max_pool2d", "aten::max_pool2d(input, kernel_size, strides, padding, ceil_mode=ceil_mode)", Overload: "Tensor,*,*,*,*,*", Example: "F.max_pool2d(x.view(1, 1, 3, 4), new long[] { 2, 2 }, new long[] { 2, 2 }, new long[] { 1, 1 }, ceil_mode: true)"),
        new("functional", "max_pool2d", "aten::max_pool2d", Overload: "Tensor,*,*,*,*,*", Example: "F.max_pool2d(x.view(1, 1, 3, 4), new long[] { 2, 2 }, new long[] { 1, 1 }, new long[] { 0, 0 }, new long[] { 2, 1 })"),
        new("functional", "avg_pool2d", "aten::avg_pool2d(input, kernel_size, ceil_mode=ceil_mode, count_include_pad=count_include_pad, divisor_override=divisor_override)", Overload: "Tensor,Scalar,*,*,*,*,*", Example: "F.avg_pool2d(x.view(1, 1, 3, 4), 2)"),
        new("functional", "avg_pool2d", "aten::avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override)", Overload: "Tensor,Scalar,*,*,*,*,*", Example: "F.avg_pool2d(x.view(1, 1, 3, 4), 2, 1, 1)"),
        new("functional", "avg_pool2d", "aten::avg_pool2d(input, kernel_size, ceil_mode=ceil_mode, count_include_pad=count_include_pad, divisor_override=divisor_override)", Overload: "Tensor,*,*,*,*,*,*", Example: "F.avg_pool2d(x.view(1, 1, 3, 4), new long[] { 2, 2 })"),
        new("functional", "avg_pool2d", "aten::avg_pool2d(input, kernel_size, stride, ceil_mode=ceil_mode, count_include_pad=count_include_pad, divisor_override=divisor_override)", Overload: "Tensor,*,*,*,*,*,*", Example: "F.avg_pool2d(x.view(1, 1, 3, 4), new long[] { 2, 2 }, new long[] { 1, 2 })"),
        new("functional", "avg_pool2d", "aten::avg_pool2d", Overload: "Tensor,*,*,*,*,*,*", Example: "F.avg_pool2d(x.view(1, 1, 3, 4), new long[] { 2, 2 }, new long[] { 1, 1 }, new long[] { 1, 1 }, false, false)"),
        new("functional", "max_pool1d", "aten::max_pool1d(input, kernel_size, ceil_mode=ceil_mode)", Example: "F.max_pool1d(x.view(1, 3, 4), 2)"),
        new("functional", "max_pool1d", "aten::max_pool1d(input, kernel_size, stride, ceil_mode=ceil_mode)", Example: "F.max_pool1d(x.view(1, 3, 4), 2, 1)"),
        new("functional", "avg_pool1d", "aten::avg_pool1d(input, kernel_size, ceil_mode=ceil_mode, count_include_pad=count_include_pad)", Example: "F.avg_pool1d(x.view(1, 3, 4), 2)"),
        new("functional", "avg_pool1d", "aten::avg_pool1d(input, kernel_size, stride, ceil_mode=ceil_mode, count_include_pad=count_include_pad)", Example: "F.avg_pool1d(x.view(1, 3, 4), 3, 1)"),
        new("functional", "adaptive_avg_pool2d", "aten::adaptive_avg_pool2d", Overload: "Tensor,Scalar", Example: "F.adaptive_avg_pool2d(x.view(1, 1, 3, 4), 1)"),
        new("functional", "adaptive_avg_pool2d", "aten::adaptive_avg_pool2d", Overload: "Tensor,*", Example: "F.adaptive_avg_pool2d(x.view(1, 1, 3, 4), new long[] { 2, 2 })"),
        new("functional", "adaptive_avg_pool1d", "aten::adaptive_avg_pool1d", Example: "F.adaptive_avg_pool1d(x.view(1, 3, 4), 2)"),
        new("functional", "unfold", "aten::im2col", Overload: "Tensor,Scalar,*,*,*", Example: "F.unfold(x.view(1, 1, 3, 4), 2)"),
        new("functional", "fold", "aten::col2im", Overload: "Tensor,Scalar,Scalar,*,*,*", Example: "F.fold(m.view(1, 4, 4), 4, 2, 1, 0, 2)"),
        // Losses (TorchSharp's Reduction enum values equal aten's: None 0, Mean 1, Sum 2).
        new("functional", "mse_loss", "aten::mse_loss", Example: "F.mse_loss(x, y)"),
        new("functional", "l1_loss", "aten::l1_loss", Example: "F.l1_loss(x, y, nn.Reduction.Sum)"),
        new("functional", "smooth_l1_loss", "aten::smooth_l1_loss", Example: "F.smooth_l1_loss(x, y.mul(2), nn.Reduction.None, 0.5)"),
        new("functional", "huber_loss", "aten::huber_loss(input, target, reduction, delta)", Example: "F.huber_loss(x, y.mul(3), 0.5)"),
        new("functional", "cross_entropy", "aten::cross_entropy_loss(input, target, weight, reduction, ignore_index, label_smoothing)", Example: "F.cross_entropy(x, torch.tensor(new long[] { 1, 0, 3 }), null, 0, nn.Reduction.Mean, 0.1)"),
        new("functional", "nll_loss", "aten::nll_loss", Example: "F.nll_loss(x.log_softmax(1), torch.tensor(new long[] { 1, 0, 3 }), m[0])"),
        new("functional", "binary_cross_entropy", "aten::binary_cross_entropy", Example: "F.binary_cross_entropy(x, y, m[0])"),
        new("functional", "binary_cross_entropy_with_logits", "aten::binary_cross_entropy_with_logits(input, target, weight, pos_weights, reduction)", Example: "F.binary_cross_entropy_with_logits(x, y, null, nn.Reduction.Sum, m[1])"),
        new("functional", "kl_div", "aten::kl_div(input, target, reduction, log_target=log_target)", Example: "F.kl_div(x.log(), y.log())"),
        new("functional", "margin_ranking_loss", "aten::margin_ranking_loss", Example: "F.margin_ranking_loss(x, y, x.sub(y).sign(), 0.1)"),
        new("functional", "hinge_embedding_loss", "aten::hinge_embedding_loss", Example: "F.hinge_embedding_loss(x, y.gt(0.5).to(ScalarType.Float32).mul(2).sub(1), 0.5)"),
        new("functional", "soft_margin_loss", "aten::soft_margin_loss", Example: "F.soft_margin_loss(x, y.gt(0.5).to(ScalarType.Float32).mul(2).sub(1))"),
        new("functional", "cosine_embedding_loss", "aten::cosine_embedding_loss", Example: "F.cosine_embedding_loss(x, y, torch.tensor(new float[] { 1, -1, 1 }))"),
        new("functional", "multi_label_margin_loss", "aten::multilabel_margin_loss", Example: "F.multi_label_margin_loss(x, torch.tensor(new long[] { 3, 0, -1, 1, 0, 1, 2, 3, 1, -1, 0, 0 }).view(3, 4))"),
        new("functional", "poisson_nll_loss", "aten::poisson_nll_loss", Example: "F.poisson_nll_loss(x, y.mul(3))"),
    };
}
