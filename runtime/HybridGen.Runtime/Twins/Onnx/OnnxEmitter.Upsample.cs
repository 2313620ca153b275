using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

// TorchSharp's Upsample (the runtime function __hg_upsample of TorchScriptHelpers) as ONNX's Resize over the spatial
// dimensions, matching aten's index arithmetic: nearest is "asymmetric" with "floor" (aten's floor(out x 1/scale)), the
// linear modes "half_pixel" (aten's (out + 0.5) / scale - 0.5, clamped at 0 as ONNX Runtime clamps) or
// "align_corners". A scale factor passed on to the kernel (not recomputed) is given as Resize's scales, so both use it
// for the coordinates; otherwise Resize gets the sizes. Bicubic has no form (aten and ONNX Runtime treat the border
// differently).
internal sealed partial class OnnxEmitter
{
    private OnnxTensor Upsample(OnnxTensor x, Dictionary<string, OnnxValue> v)
    {
        long mode = Int(v["mode"]);
        if (!x.ShapeKnown || x.Rank is not (3 or 4 or 5)) throw new NoOnnxFormException("an Upsample input that is not 3-d, 4-d or 5-d with a known shape");
        if (!IsFloating(x.DType)) throw new NoOnnxFormException($"an Upsample of a {x.DType} tensor");
        int dims = x.Rank!.Value - 2;
        bool valid = mode == 0 || mode == 1 && dims == 1 || mode == 2 && dims == 2 || mode == 4 && dims == 3;
        if (mode == 3) throw new NoOnnxFormException("a bicubic Upsample (no ONNX form: the border differs)");
        if (!valid) throw new NoOnnxFormException("an Upsample mode that does not take an input of this rank (eager throws)");
        bool? corners = v["align_corners"] is OnnxHost { Value: bool b } ? b : null;
        if (mode == 0 && corners is not null) throw new NoOnnxFormException("align_corners with nearest (eager throws)");
        bool recompute = Truth(v["recompute_scale_factor"]);
        long[] shape = x.StaticShape();
        long[] output;
        string scales = "", sizes = "";
        if (v["size"] is OnnxList size)
        {
            if (v["scale_factor"] is not OnnxHost { Value: null }) throw new NoOnnxFormException("an Upsample with both size and scale factor (eager throws)");
            output = size.Items.Select(Int).ToArray();
            if (output.Length != dims) throw new NoOnnxFormException("an Upsample size of the wrong length (eager throws)");
        }
        else if (v["scale_factor"] is OnnxList factors)
        {
            double[] scale = factors.Items.Select(Float).ToArray();
            if (scale.Length != dims) throw new NoOnnxFormException("an Upsample scale factor of the wrong length (eager throws)");
            output = Enumerable.Range(0, dims).Select(i => (long)Math.Floor(shape[i + 2] * scale[i])).ToArray();
            if (!recompute)
            {
                // ONNX Runtime sizes the output from float32 scales ((long)(scale x size) in float), aten from doubles:
                // where they differ (scale 0.29 of 100: 29 against 28), there is no form.
                for (int i = 0; i < dims; i++)
                    if ((long)((float)scale[i] * shape[i + 2]) != output[i])
                        throw new NoOnnxFormException($"an Upsample scale factor {scale[i]} that ONNX Runtime sizes differently from libtorch");
                scales = ConstantOf(() => tensor(new[] { 1f, 1f }.Concat(scale.Select(s => (float)s)).ToArray()));
            }
        }
        else
        {
            throw new NoOnnxFormException("an Upsample with neither size nor scale factor (eager throws)");
        }
        if (scales.Length == 0) sizes = Constant(shape.Take(2).Concat(output).ToArray());
        var attributes = new List<OnnxAttribute>();
        if (mode == 0)
        {
            attributes.Add(OnnxAttribute.Of("mode", "nearest"));
            attributes.Add(OnnxAttribute.Of("coordinate_transformation_mode", "asymmetric"));
            attributes.Add(OnnxAttribute.Of("nearest_mode", "floor"));
        }
        else
        {
            attributes.Add(OnnxAttribute.Of("mode", "linear"));
            attributes.Add(OnnxAttribute.Of("coordinate_transformation_mode", corners == true ? "align_corners" : "half_pixel"));
        }
        // Resize(X, roi, scales, sizes): the roi is unused by these modes; one of scales and sizes is given.
        string[] inputs = scales.Length > 0 ? new[] { x.Name, "", scales } : new[] { x.Name, "", "", sizes };
        string resized = _graph.Node("Resize", inputs, attributes.ToArray());
        return new OnnxTensor(resized, x.DType, shape.Take(2).Concat(output).Select(d => (long?)d).ToArray());
    }
}
