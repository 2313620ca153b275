// Op catalog rows: reductions, scans, order statistics and value-dependent shapes (docs/architecture.md, decision 2).
// TorchSharp-specific findings:
// - The dtype argument is called type (sum, mean, prod, cumsum, Tensor.cumprod), but dtype in torch.cumprod,
//   nanmean; in aten it is keyword-only, so it is spelled dtype=type.
// - Tensor.mean has no single-long overload: mean(long[] dimensions, bool keepdim, ScalarType? type).
// - std, var, std_mean, var_mean take a ScalarType? type that TorchSharp never passes on: only calls leaving it at
//   its default are spelled. var(bool unbiased) and std(bool unbiased) are checked against aten with unbiased=false.
// - Tensor.var(bool unbiased) and torch.var(input, unbiased) ignore unbiased (the native side takes none): always
//   Bessel-corrected; spelled if(unbiased, var(self), var(self)) so the row names the parameter and matches eager.
// - torch.var_mean(input, bool unbiased) returns input.std_mean(unbiased) (a TorchSharp bug): spelled std_mean.
// - max(long dim)/min(long dim) return (values, indexes), kthvalue (values, indices), topk (values, indexes).
// - norm(int dim, bool keepdim, float p) orders p last; aten's norm.ScalarOpt_dim wants (self, p, dim, keepdim).
// - amax/amin(long[] dims, bool keepdim, Tensor out): only calls without out are spelled.
// - unique: TorchSharp calls _unique2 when dim is null; only that form is spelled.
// Left out: sum(dim0, dim1[, dim2], …) (the DSL has no list literal), all ValueTuple dims overloads (tuples
// are not lowered), nanmean (Tensor.nanmean and torch.nanmean fail eagerly in
// TorchSharp 0.107: "Unsupported TypeMeta in ATen: nullptr"; torch.nanmean(x, 0, true, Float64) killed the process), unique(dim: …), nanquantile, nanmedian, Tensor.median(dim) (TorchSharp has none).

namespace HybridGen.Generator.Catalog;

internal static partial class OpCatalog
{
    private static readonly OpRow[] s_reductions =
    {
        // sum / mean / prod (dtype is keyword-only in aten; TorchSharp calls it type).
        new("Tensor", "sum", "aten::sum(self, dtype=type)", Example: "x.sum()"),
        new("Tensor", "sum", "aten::sum(self, dim, keepdim, dtype=type)", Overload: "Scalar,*,*", Example: "x.sum(1, keepdim: true)"),
        new("Tensor", "sum", "aten::sum(self, dim, keepdim, dtype=type)", Overload: "*,*,*", Example: "x.sum(new long[] { 0, 1 }, false, ScalarType.Float64)"),
        new("torch", "sum", "aten::sum(input, dtype=type)", Example: "torch.sum(x.mul(10).to(ScalarType.Int32))"),
        new("torch", "sum", "aten::sum(input, dim, keepdim, dtype=type)", Example: "torch.sum(x, 0, true)"),
        new("Tensor", "nansum", "aten::nansum", Example: "x.nansum()"),
        new("torch", "nansum", "aten::nansum", Example: "torch.nansum(x)"),
        new("Tensor", "mean", "aten::mean(self)", Example: "x.mean()"),
        new("Tensor", "mean", "aten::mean(self, dimensions, keepdim, dtype=type)", Example: "x.mean(new long[] { 1 }, true)"),
        new("torch", "mean", "aten::mean", Overload: "Tensor", Example: "torch.mean(x)"),
        new("torch", "mean", "aten::mean(input, dimensions, keepdim, dtype=type)", Example: "torch.mean(x, new long[] { 0 }, false, ScalarType.Float64)"),
        new("Tensor", "prod", "aten::prod(self, dtype=type)", Overload: "*", Example: "x.prod()"),
        new("Tensor", "prod", "aten::prod(self, dim, keepdim, dtype=type)", Example: "x.prod(1, true)"),
        new("torch", "prod", "aten::prod(input, dtype=type)", Overload: "Tensor,*", Example: "torch.prod(x, ScalarType.Float64)"),
        new("torch", "prod", "aten::prod(input, dim, keepdim, dtype=type)", Example: "torch.prod(x, 1)"),
        new("Tensor", "cumsum", "aten::cumsum(self, dim, dtype=type)", Example: "x.cumsum(1)"),
        new("torch", "cumsum", "aten::cumsum(input, dim, dtype=type)", Example: "torch.cumsum(x, 0, ScalarType.Float64)"),
        new("Tensor", "cumprod", "aten::cumprod(self, dim, dtype=type)", Example: "x.cumprod(1)"),
        new("torch", "cumprod", "aten::cumprod(input, dim, dtype=dtype)", Example: "torch.cumprod(x, 0)"),
        new("Tensor", "logcumsumexp", "aten::logcumsumexp", Example: "x.logcumsumexp(1)"),
        new("torch", "logcumsumexp", "aten::logcumsumexp", Example: "torch.logcumsumexp(x, 0)"),
        new("Tensor", "cummax", "aten::cummax", Example: "x.cummax(1).values"),
        new("torch", "cummax", "aten::cummax", Example: "torch.cummax(x, 0).indices"),
        new("Tensor", "cummin", "aten::cummin", Example: "x.cummin(1).values"),
        new("torch", "cummin", "aten::cummin", Example: "torch.cummin(x, 0).indices"),
        new("Tensor", "logsumexp", "aten::logsumexp", Example: "x.logsumexp(1)"),
        new("torch", "logsumexp", "aten::logsumexp", Example: "torch.logsumexp(x, 0, true)"),
        // max / min / amax / amin / argmax / argmin / aminmax.
        new("Tensor", "max", "aten::max(self)", Example: "x.max()"),
        new("Tensor", "max", "aten::max", Overload: "Tensor", Example: "x.max(y)"),
        new("Tensor", "max", "aten::max", Overload: "Scalar,*", Example: "x.max(1).values"),
        new("torch", "max", "aten::max", Overload: "Tensor", Example: "torch.max(x)"),
        new("torch", "max", "aten::max", Overload: "Tensor,Tensor", Example: "torch.max(x, y)"),
        new("torch", "max", "aten::max", Overload: "Tensor,Scalar,*", Example: "torch.max(x, 0).indexes"),
        new("Tensor", "min", "aten::min(self)", Example: "x.min()"),
        new("Tensor", "min", "aten::min", Overload: "Tensor", Example: "x.min(y)"),
        new("Tensor", "min", "aten::min", Overload: "Scalar,*", Example: "x.min(1, true).indexes"),
        new("torch", "min", "aten::min", Overload: "Tensor", Example: "torch.min(x)"),
        new("torch", "min", "aten::min", Overload: "Tensor,Tensor", Example: "torch.min(x, y)"),
        new("torch", "min", "aten::min", Overload: "Tensor,Scalar,*", Example: "torch.min(x, 0).indexes"),
        new("Tensor", "amax", "aten::amax(self, dims, keepdim)", Example: "x.amax(new long[] { 1 }, true)"),
        new("Tensor", "amax", "aten::amax(self, dims)", Example: "x.amax(0, 1)"),
        new("torch", "amax", "aten::amax(input, dims, keepdim)", Example: "torch.amax(x, new long[] { 0 }, true)"),
        new("Tensor", "amin", "aten::amin(self, dims, keepdim)", Example: "x.amin(new long[] { 1 }, true)"),
        new("Tensor", "amin", "aten::amin(self, dims)", Example: "x.amin(0, 1)"),
        new("torch", "amin", "aten::amin(input, dims, keepdim)", Example: "torch.amin(x, new long[] { 0 }, true)"),
        new("torch", "amax", "aten::amax(input, dims)", Overload: "Tensor,*", Example: "torch.amax(x, new long[] { 1 })"),
        new("Tensor", "argmax", "aten::argmax", Example: "x.argmax()"),
        new("torch", "argmax", "aten::argmax", Example: "torch.argmax(x, 1, true)"),
        new("Tensor", "argmin", "aten::argmin", Example: "x.argmin()"),
        new("torch", "argmin", "aten::argmin", Example: "torch.argmin(x, 1, true)"),
        new("Tensor", "aminmax", "aten::aminmax(self, dim=dim, keepdim=keepdim)", Example: "x.aminmax(1).max"),
        new("torch", "aminmax", "aten::aminmax(input, dim=dim, keepdim=keepdim)", Example: "torch.aminmax(x).min"),
        // all / any / count_nonzero.
        new("Tensor", "all", "aten::all", Facts: OpFacts.Mask, Example: "x.gt(0.2).all()"),
        new("torch", "all", "aten::all", Facts: OpFacts.Mask, Example: "torch.all(x.gt(0.5), 1, true)"),
        new("Tensor", "any", "aten::any", Facts: OpFacts.Mask, Example: "x.gt(0.2).any()"),
        new("torch", "any", "aten::any", Facts: OpFacts.Mask, Example: "torch.any(x.gt(0.5), 1, true)"),
        new("Tensor", "count_nonzero", "aten::count_nonzero", Example: "x.gt(0.5).count_nonzero(new long[] { 1 })"),
        new("torch", "count_nonzero", "aten::count_nonzero", Example: "torch.count_nonzero(x.gt(0.5))"),
        // std / var (TorchSharp ignores their ScalarType argument: only the default is spelled).
        new("Tensor", "std", "aten::std", Overload: "*", Example: "x.std(false)"),
        new("Tensor", "std", "aten::std(self, dimensions, unbiased, keepdim)", Overload: "*,*,*,*", Example: "x.std(new long[] { 1 }, false, true)"),
        new("Tensor", "std", "aten::std(self, dim, unbiased, keepdim)", Overload: "Scalar,*,*,*", Example: "x.std(0)"),
        new("torch", "std", "aten::std", Overload: "Tensor,*", Example: "torch.std(x, false)"),
        new("torch", "std", "aten::std(input, dimensions, unbiased, keepdim)", Overload: "Tensor,*,*,*,*", Example: "torch.std(x, 1, false, true)"),
        new("Tensor", "std_mean", "aten::std_mean", Overload: "*", Example: "x.std_mean(false).Item1"),
        new("Tensor", "std_mean", "aten::std_mean(self, dimensions, unbiased, keepdim)", Overload: "*,*,*,*", Example: "x.std_mean(new long[] { 1 }).Item1"),
        new("Tensor", "std_mean", "aten::std_mean(self, dim, unbiased, keepdim)", Overload: "Scalar,*,*,*", Example: "x.std_mean(1, false, true).Item2"),
        new("torch", "std_mean", "aten::std_mean", Overload: "Tensor,*", Example: "torch.std_mean(x, false).Item1"),
        new("torch", "std_mean", "aten::std_mean(input, dimensions, unbiased, keepdim)", Overload: "Tensor,*,*,*,*", Example: "torch.std_mean(x, 0, true, true).Item2"),
        new("Tensor", "var", "if(unbiased, aten::var(self), aten::var(self))", Overload: "*", Example: "x.var(false)"),
        new("Tensor", "var", "aten::var(self, dimensions, unbiased, keepdim)", Overload: "*,*,*,*", Example: "x.var(new long[] { 1 }, false, true)"),
        new("Tensor", "var", "aten::var(self, dim, unbiased, keepdim)", Overload: "Scalar,*,*,*", Example: "x.var(0)"),
        new("torch", "var", "if(unbiased, aten::var(input), aten::var(input))", Overload: "Tensor,*", Example: "torch.var(x, false)"),
        new("torch", "var", "aten::var(input, dimensions, unbiased, keepdim)", Overload: "Tensor,*,*,*,*", Example: "torch.var(x, 1, false, true)"),
        new("Tensor", "var_mean", "aten::var_mean", Overload: "*", Example: "x.var_mean(false).Item1"),
        new("Tensor", "var_mean", "aten::var_mean(self, dimensions, unbiased, keepdim)", Overload: "*,*,*,*", Example: "x.var_mean(new long[] { 1 }).Item1"),
        new("Tensor", "var_mean", "aten::var_mean(self, dim, unbiased, keepdim)", Overload: "Scalar,*,*,*", Example: "x.var_mean(1, false, true).Item2"),
        new("torch", "var_mean", "aten::std_mean", Overload: "Tensor,*", Example: "torch.var_mean(x, false).Item1"),
        new("torch", "var_mean", "aten::var_mean(input, dimensions, unbiased, keepdim)", Overload: "Tensor,*,*,*,*", Example: "torch.var_mean(x, 0, true, true).Item2"),
        // Norms and distances.
        new("Tensor", "norm", "aten::norm", Overload: "Scalar", Example: "x.norm(1.5f)"),
        new("Tensor", "norm", "aten::norm(self, p, dim, keepdim)", Example: "x.norm(1, true)"),
        new("torch", "norm", "aten::norm", Overload: "Tensor", Example: "torch.norm(x)"),
        new("torch", "norm", "aten::norm", Overload: "Tensor,Scalar", Example: "torch.norm(x, 3f)"),
        new("torch", "norm", "aten::norm(input, p, dimension, keepdim)", Example: "torch.norm(x, 0, false, 1)"),
        new("Tensor", "dist", "aten::dist", Example: "x.dist(y)"),
        new("torch", "dist", "aten::dist", Example: "torch.dist(x, y, 1)"),
        // Order statistics, sorting, top-k.
        new("Tensor", "sort", "aten::sort(self, dim=dim, descending=descending, stable=stable)", Example: "x.sort(1, true).Values"),
        new("torch", "sort", "aten::sort(input, dim=dim, descending=descending, stable=stable)", Example: "torch.sort(x, 0).indices"),
        new("Tensor", "argsort", "aten::argsort", Example: "x.argsort(1, true)"),
        new("torch", "argsort", "aten::argsort", Example: "torch.argsort(x)"),
        new("Tensor", "msort", "aten::msort", Example: "x.msort()"),
        new("torch", "msort", "aten::msort", Example: "torch.msort(x)"),
        new("Tensor", "topk", "aten::topk", Example: "x.topk(2).values"),
        new("torch", "topk", "aten::topk", Example: "torch.topk(x, 2, 0, false).indices"),
        new("Tensor", "kthvalue", "aten::kthvalue", Example: "x.kthvalue(2, 1).values"),
        new("torch", "kthvalue", "aten::kthvalue", Example: "torch.kthvalue(x, 2, 0, true).indices"),
        new("Tensor", "median", "aten::median", Example: "x.median()"),
        new("torch", "median", "aten::median", Example: "torch.median(x)"),
        new("Tensor", "mode", "aten::mode", Example: "x.mul(3).floor().mode(1).values"),
        new("torch", "mode", "aten::mode", Example: "torch.mode(x.mul(3).floor()).indices"),
        new("Tensor", "quantile", "aten::quantile", Example: "x.quantile(torch.tensor(new[] { 0.25f, 0.5f }), 1)"),
        new("torch", "quantile", "aten::quantile", Example: "torch.quantile(x, torch.tensor(new[] { 0.5f }), 0, true)"),
        new("Tensor", "trace", "aten::trace", Example: "m.trace()"),
        new("torch", "trace", "aten::trace", Example: "torch.trace(x)"),
        new("Tensor", "diff", "aten::diff", Example: "x.diff()"),
        new("torch", "diff", "aten::diff", Example: "torch.diff(x, 1, 0, y)"),
        new("Tensor", "histc", "aten::histc", Example: "x.histc(4, 0, 1)"),
        new("torch", "histc", "aten::histc", Example: "torch.histc(x, 5, 0, 1)"),
        // Results whose shape depends on the values.
        new("Tensor", "nonzero", "aten::nonzero", Facts: OpFacts.DataDependentShape, Example: "x.gt(0.5).nonzero()"),
        new("torch", "nonzero", "aten::nonzero", Facts: OpFacts.DataDependentShape, Example: "torch.nonzero(x.gt(0.5))"),
        new("Tensor", "masked_select", "aten::masked_select", Facts: OpFacts.DataDependentShape, Example: "x.masked_select(x.gt(0.5))"),
        new("torch", "masked_select", "aten::masked_select", Facts: OpFacts.DataDependentShape, Example: "torch.masked_select(x, y.gt(0.5))"),
        new("Tensor", "unique", "aten::_unique2(self, sorted, return_inverse, return_counts)", Facts: OpFacts.DataDependentShape, Example: "x.mul(4).floor().unique().output"),
        new("torch", "unique", "aten::_unique2(input, sorted, return_inverse, return_counts)", Facts: OpFacts.DataDependentShape, Example: "torch.unique(x.mul(4).floor(), true, true).inverse_indices"),
        new("Tensor", "unique_consecutive", "aten::unique_consecutive", Facts: OpFacts.DataDependentShape, Example: "x.mul(4).floor().flatten().unique_consecutive().output"),
        new("Tensor", "bincount", "aten::bincount", Facts: OpFacts.DataDependentShape, Example: "x.mul(10).to(ScalarType.Int64).flatten().bincount(null)"),
        new("torch", "bincount", "aten::bincount", Facts: OpFacts.DataDependentShape, Example: "torch.bincount(x.mul(10).to(ScalarType.Int64).flatten(), y.flatten(), 12)"),
    };
}
