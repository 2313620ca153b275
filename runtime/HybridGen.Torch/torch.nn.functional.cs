using HybridGen.Torch.Native;

namespace HybridGen.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>How a loss reduces over the batch; the values are ATen's.</summary>
        public enum Reduction : long
        {
            None = 0,
            Mean = 1,
            Sum = 2,
        }

        /// <summary>Functional forms of layers, activations and losses, as <c>torch.nn.functional</c>.</summary>
        public static partial class functional
        {
            [AtenOp("aten::relu")] public static Tensor relu(Tensor input) => AtenOps.relu.Call(input);
            [AtenOp("aten::tanh")] public static Tensor tanh(Tensor input) => AtenOps.tanh.Call(input);
            [AtenOp("aten::sigmoid")] public static Tensor sigmoid(Tensor input) => AtenOps.sigmoid.Call(input);
            [AtenOp("aten::silu")] public static Tensor silu(Tensor input) => AtenOps.silu.Call(input);

            /// <summary>GELU; <paramref name="approximate"/> is "none" (erf) or "tanh".</summary>
            [AtenOp("aten::gelu(input, approximate=approximate)")]
            public static Tensor gelu(Tensor input, string approximate = "none") => AtenOps.gelu.Call(input, approximate);

            [AtenOp("aten::leaky_relu")] public static Tensor leaky_relu(Tensor input, double negative_slope = 0.01) => AtenOps.leaky_relu.Call(input, negative_slope);
            [AtenOp("aten::elu")] public static Tensor elu(Tensor input, double alpha = 1.0) => AtenOps.elu.Call(input, alpha);
            [AtenOp("aten::softmax.int")] public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) => AtenOps.softmax_int.Call(input, dim, Arg.Optional(dtype));
            [AtenOp("aten::log_softmax.int")] public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) => AtenOps.log_softmax_int.Call(input, dim, Arg.Optional(dtype));

            [AtenOp("aten::layer_norm")]
            public static Tensor layer_norm(Tensor input, long[] normalized_shape, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                AtenOps.layer_norm.Call(input, normalized_shape, Arg.Optional(weight), Arg.Optional(bias), eps);

            [AtenOp("aten::group_norm")]
            public static Tensor group_norm(Tensor input, long num_groups, Tensor? weight = null, Tensor? bias = null, double eps = 1e-5) =>
                AtenOps.group_norm.Call(input, num_groups, Arg.Optional(weight), Arg.Optional(bias), eps);

            /// <summary>Batch norm in F.batch_norm's argument order (ATen's differs). In training it updates the
            /// running statistics in place.</summary>
            [AtenOp("aten::batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, True)")]
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null,
                bool training = false, double momentum = 0.1, double eps = 1e-5) =>
                AtenOps.batch_norm.Call(input, Arg.Optional(weight), Arg.Optional(bias), Arg.Optional(running_mean), Arg.Optional(running_var), training, momentum, eps, true);

            /// <summary>Zeroes each value with probability <paramref name="p"/> and scales the rest by 1/(1-p), while
            /// <paramref name="training"/>; the identity otherwise.</summary>
            [AtenOp("aten::dropout(input, p, training)")]
            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true) => AtenOps.dropout.Call(input, p, training);

            [AtenOp("aten::linear")] public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null) => AtenOps.linear.Call(input, weight, Arg.Optional(bias));

            [AtenOp("aten::conv1d")]
            public static Tensor conv1d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                AtenOps.conv1d.Call(input, weight, Arg.Optional(bias), new[] { stride }, new[] { padding }, new[] { dilation }, groups);

            [AtenOp("aten::conv2d")]
            public static Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long stride = 1, long padding = 0, long dilation = 1, long groups = 1) =>
                AtenOps.conv2d.Call(input, weight, Arg.Optional(bias), new[] { stride, stride }, new[] { padding, padding }, new[] { dilation, dilation }, groups);

            /// <summary>Max pooling with the stride equal to the kernel size.</summary>
            [AtenOp("aten::max_pool2d")]
            public static Tensor max_pool2d(Tensor input, long kernel_size) => AtenOps.max_pool2d.Call(input, new[] { kernel_size, kernel_size });

            [AtenOp("aten::max_pool2d")]
            public static Tensor max_pool2d(Tensor input, long kernel_size, long stride, long padding = 0, long dilation = 1, bool ceil_mode = false) =>
                AtenOps.max_pool2d.Call(input, new[] { kernel_size, kernel_size }, new[] { stride, stride }, new[] { padding, padding }, new[] { dilation, dilation }, ceil_mode);

            /// <summary>Average pooling with the stride equal to the kernel size.</summary>
            [AtenOp("aten::avg_pool2d")]
            public static Tensor avg_pool2d(Tensor input, long kernel_size) => AtenOps.avg_pool2d.Call(input, new[] { kernel_size, kernel_size });

            [AtenOp("aten::avg_pool2d")]
            public static Tensor avg_pool2d(Tensor input, long kernel_size, long stride, long padding = 0, bool ceil_mode = false, bool count_include_pad = true) =>
                AtenOps.avg_pool2d.Call(input, new[] { kernel_size, kernel_size }, new[] { stride, stride }, new[] { padding, padding }, ceil_mode, count_include_pad);

            [AtenOp("aten::adaptive_avg_pool2d")]
            public static Tensor adaptive_avg_pool2d(Tensor input, long[] output_size) => AtenOps.adaptive_avg_pool2d.Call(input, output_size);

            /// <summary>Rows of <paramref name="weight"/> picked by <paramref name="input"/> (F.embedding's order; ATen's is weight first).</summary>
            [AtenOp("aten::embedding(weight, input, padding_idx)")]
            public static Tensor embedding(Tensor input, Tensor weight, long padding_idx = -1) => AtenOps.embedding.Call(weight, input, padding_idx);

            [AtenOp("aten::one_hot")] public static Tensor one_hot(Tensor input, long num_classes = -1) => AtenOps.one_hot.Call(input, num_classes);

            /// <summary>Pads the last dimensions: <paramref name="pad"/> is (left, right, top, bottom, ...). Mode is
            /// "constant" (with <paramref name="value"/>, 0 by default), "reflect", "replicate" or "circular".</summary>
            [AtenOp("aten::pad")]
            public static Tensor pad(Tensor input, long[] pad, string mode = "constant", double? value = null) => AtenOps.pad.Call(input, pad, mode, Arg.Optional(value));

            [AtenOp("aten::cross_entropy_loss(input, target, weight, reduction, ignore_index, label_smoothing)")]
            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0) =>
                AtenOps.cross_entropy_loss.Call(input, target, Arg.Optional(weight), (long)reduction, ignore_index, label_smoothing);

            [AtenOp("aten::nll_loss(input, target, weight, reduction, ignore_index)")]
            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean) =>
                AtenOps.nll_loss.Call(input, target, Arg.Optional(weight), (long)reduction, ignore_index);

            [AtenOp("aten::mse_loss")]
            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => AtenOps.mse_loss.Call(input, target, (long)reduction);

            [AtenOp("aten::binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)")]
            public static Tensor binary_cross_entropy_with_logits(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, Tensor? pos_weight = null) =>
                AtenOps.binary_cross_entropy_with_logits.Call(input, target, Arg.Optional(weight), Arg.Optional(pos_weight), (long)reduction);
        }
    }
}
