using HybridGen.Torch.Native;

namespace HybridGen.Torch;

// Reductions: over everything, or over dimensions with keepdim.
public partial class Tensor
{
    [AtenOp("aten::sum")] public Tensor sum() => AtenOps.sum.Call(this);
    [AtenOp("aten::sum.dim_IntList(self, dim, keepdim, dtype=dtype)")]
    public Tensor sum(long[] dim, bool keepdim = false, torch.ScalarType? dtype = null) => AtenOps.sum_dim_IntList.Call(this, dim, keepdim, Arg.Optional(dtype));
    [AtenOp("aten::sum.dim_IntList(self, dim, keepdim)")]
    public Tensor sum(long dim, bool keepdim = false) => AtenOps.sum_dim_IntList.Call(this, new[] { dim }, keepdim);

    [AtenOp("aten::mean")] public Tensor mean() => AtenOps.mean.Call(this);
    [AtenOp("aten::mean.dim(self, dim, keepdim, dtype=dtype)")]
    public Tensor mean(long[] dim, bool keepdim = false, torch.ScalarType? dtype = null) => AtenOps.mean_dim.Call(this, dim, keepdim, Arg.Optional(dtype));
    [AtenOp("aten::mean.dim(self, dim, keepdim)")]
    public Tensor mean(long dim, bool keepdim = false) => AtenOps.mean_dim.Call(this, new[] { dim }, keepdim);

    [AtenOp("aten::max")] public Tensor max() => AtenOps.max.Call(this);
    /// <summary>The largest values along <paramref name="dim"/> and where they are.</summary>
    [AtenOp("aten::max.dim")] public (Tensor values, Tensor indexes) max(long dim, bool keepdim = false) => AtenOps.max_dim.Call2(this, dim, keepdim);
    [AtenOp("aten::min")] public Tensor min() => AtenOps.min.Call(this);
    [AtenOp("aten::min.dim")] public (Tensor values, Tensor indexes) min(long dim, bool keepdim = false) => AtenOps.min_dim.Call2(this, dim, keepdim);

    [AtenOp("aten::amax")] public Tensor amax(long[] dim, bool keepdim = false) => AtenOps.amax.Call(this, dim, keepdim);
    [AtenOp("aten::amin")] public Tensor amin(long[] dim, bool keepdim = false) => AtenOps.amin.Call(this, dim, keepdim);
    [AtenOp("aten::argmax")] public Tensor argmax(long? dim = null, bool keepdim = false) => AtenOps.argmax.Call(this, Arg.Optional(dim), keepdim);
    [AtenOp("aten::argmin")] public Tensor argmin(long? dim = null, bool keepdim = false) => AtenOps.argmin.Call(this, Arg.Optional(dim), keepdim);

    [AtenOp("aten::prod")] public Tensor prod() => AtenOps.prod.Call(this);
    [AtenOp("aten::prod.dim_int(self, dim, keepdim, dtype=dtype)")]
    public Tensor prod(long dim, bool keepdim = false, torch.ScalarType? dtype = null) => AtenOps.prod_dim_int.Call(this, dim, keepdim, Arg.Optional(dtype));

    /// <summary>Variance (Bessel-corrected unless <paramref name="unbiased"/> is false).</summary>
    [AtenOp("aten::var")] public Tensor var(bool unbiased = true) => AtenOps.var.Call(this, unbiased);
    [AtenOp("aten::var.dim")] public Tensor var(long[] dim, bool unbiased = true, bool keepdim = false) => AtenOps.var_dim.Call(this, dim, unbiased, keepdim);
    [AtenOp("aten::std")] public Tensor std(bool unbiased = true) => AtenOps.std.Call(this, unbiased);
    [AtenOp("aten::std.dim")] public Tensor std(long[] dim, bool unbiased = true, bool keepdim = false) => AtenOps.std_dim.Call(this, dim, unbiased, keepdim);

    /// <summary>The p-norm of all values.</summary>
    [AtenOp("aten::norm.Scalar")] public Tensor norm(double p = 2) => AtenOps.norm_Scalar.Call(this, p);
    [AtenOp("aten::norm.ScalarOpt_dim(self, p, dim, keepdim)")]
    public Tensor norm(long[] dim, bool keepdim = false, double p = 2) => AtenOps.norm_ScalarOpt_dim.Call(this, p, dim, keepdim);

    [AtenOp("aten::logsumexp")] public Tensor logsumexp(long[] dim, bool keepdim = false) => AtenOps.logsumexp.Call(this, dim, keepdim);
    [AtenOp("aten::logsumexp")] public Tensor logsumexp(long dim, bool keepdim = false) => AtenOps.logsumexp.Call(this, new[] { dim }, keepdim);

    /// <summary>The values sorted along <paramref name="dim"/>, and where each came from.</summary>
    [AtenOp("aten::sort")] public (Tensor values, Tensor indexes) sort(long dim = -1, bool descending = false) => AtenOps.sort.Call2(this, dim, descending);

    [AtenOp("aten::cumsum(self, dim, dtype=dtype)")]
    public Tensor cumsum(long dim, torch.ScalarType? dtype = null) => AtenOps.cumsum.Call(this, dim, Arg.Optional(dtype));
}

public static partial class torch
{
    [AtenOp("aten::sum")] public static Tensor sum(Tensor input) => AtenOps.sum.Call(input);
    [AtenOp("aten::sum.dim_IntList")] public static Tensor sum(Tensor input, long[] dim, bool keepdim = false) => AtenOps.sum_dim_IntList.Call(input, dim, keepdim);
    [AtenOp("aten::mean")] public static Tensor mean(Tensor input) => AtenOps.mean.Call(input);
    [AtenOp("aten::mean.dim")] public static Tensor mean(Tensor input, long[] dim, bool keepdim = false) => AtenOps.mean_dim.Call(input, dim, keepdim);
    [AtenOp("aten::max")] public static Tensor max(Tensor input) => AtenOps.max.Call(input);
    [AtenOp("aten::min")] public static Tensor min(Tensor input) => AtenOps.min.Call(input);
    [AtenOp("aten::argmax")] public static Tensor argmax(Tensor input, long? dim = null, bool keepdim = false) => AtenOps.argmax.Call(input, Arg.Optional(dim), keepdim);
    [AtenOp("aten::logsumexp")] public static Tensor logsumexp(Tensor input, long[] dim, bool keepdim = false) => AtenOps.logsumexp.Call(input, dim, keepdim);
    [AtenOp("aten::cumsum")] public static Tensor cumsum(Tensor input, long dim) => AtenOps.cumsum.Call(input, dim);
}
