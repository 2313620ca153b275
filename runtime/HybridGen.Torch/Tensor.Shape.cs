using System.Collections.Generic;
using HybridGen.Torch.Native;

namespace HybridGen.Torch;

// Shape and layout: reshape, view, permute, cat, split, narrow, gather, ...
public partial class Tensor
{
    [AtenOp("aten::reshape")] public Tensor reshape(params long[] shape) => AtenOps.reshape.Call(this, shape);
    [AtenOp("aten::view")] public Tensor view(params long[] shape) => AtenOps.view.Call(this, shape);
    [AtenOp("aten::flatten.using_ints")] public Tensor flatten(long start_dim = 0, long end_dim = -1) => AtenOps.flatten_using_ints.Call(this, start_dim, end_dim);
    [AtenOp("aten::squeeze")] public Tensor squeeze() => AtenOps.squeeze.Call(this);
    [AtenOp("aten::squeeze.dim")] public Tensor squeeze(long dim) => AtenOps.squeeze_dim.Call(this, dim);
    [AtenOp("aten::unsqueeze")] public Tensor unsqueeze(long dim) => AtenOps.unsqueeze.Call(this, dim);
    [AtenOp("aten::permute")] public Tensor permute(params long[] dims) => AtenOps.permute.Call(this, dims);
    [AtenOp("aten::expand")] public Tensor expand(params long[] sizes) => AtenOps.expand.Call(this, sizes);
    [AtenOp("aten::repeat")] public Tensor repeat(params long[] repeats) => AtenOps.repeat.Call(this, repeats);
    [AtenOp("aten::contiguous")] public Tensor contiguous() => AtenOps.contiguous.Call(this);
    [AtenOp("aten::t")] public Tensor t() => AtenOps.t.Call(this);
    [AtenOp("aten::transpose.int")] public Tensor transpose(long dim0, long dim1) => AtenOps.transpose_int.Call(this, dim0, dim1);
    [AtenOp("aten::narrow")] public Tensor narrow(long dim, long start, long length) => AtenOps.narrow.Call(this, dim, start, length);
    [AtenOp("aten::index_select")] public Tensor index_select(long dim, Tensor index) => AtenOps.index_select.Call(this, dim, index);
    [AtenOp("aten::gather")] public Tensor gather(long dim, Tensor index) => AtenOps.gather.Call(this, dim, index);
    [AtenOp("aten::masked_fill.Scalar")] public Tensor masked_fill(Tensor mask, double value) => AtenOps.masked_fill_Scalar.Call(this, mask, value);
    /// <summary>The values where <paramref name="mask"/> holds, flattened: the result's size depends on the values.</summary>
    [AtenOp("aten::masked_select")] public Tensor masked_select(Tensor mask) => AtenOps.masked_select.Call(this, mask);
    /// <summary>The indices of the non-zero values, one row each: the result's size depends on the values.</summary>
    [AtenOp("aten::nonzero")] public Tensor nonzero() => AtenOps.nonzero.Call(this);
    [AtenOp("aten::split.Tensor")] public Tensor[] split(long split_size, long dim = 0) => AtenOps.split_Tensor.CallList(this, split_size, dim);
    [AtenOp("aten::split_with_sizes")] public Tensor[] split(long[] split_sizes, long dim = 0) => AtenOps.split_with_sizes.CallList(this, split_sizes, dim);
    [AtenOp("aten::chunk")] public Tensor[] chunk(long chunks, long dim = 0) => AtenOps.chunk.CallList(this, chunks, dim);

    // ---- conversions ----
    [AtenOp("aten::to.dtype")] public Tensor to(torch.ScalarType dtype) => AtenOps.to_dtype.Call(this, dtype);
    [AtenOp("aten::to.dtype_layout(self, device=device)")] public Tensor to(torch.Device device) => AtenOps.to_dtype_layout.Call(this, Arg.None, Arg.None, device);
    [AtenOp("aten::to.dtype_layout(self, dtype=dtype, device=device)")]
    public Tensor to(torch.ScalarType dtype, torch.Device device) => AtenOps.to_dtype_layout.Call(this, dtype, Arg.None, device);
    public Tensor cpu() => to(torch.CPU);
    public Tensor cuda() => to(torch.CUDA);
    [AtenOp("aten::clone")] public Tensor clone() => AtenOps.clone.Call(this);
    [AtenOp("aten::to.dtype(self, 6)")] public Tensor @float() => AtenOps.to_dtype.Call(this, torch.ScalarType.Float32);
    [AtenOp("aten::to.dtype(self, 7)")] public Tensor @double() => AtenOps.to_dtype.Call(this, torch.ScalarType.Float64);
    [AtenOp("aten::to.dtype(self, 4)")] public Tensor @long() => AtenOps.to_dtype.Call(this, torch.ScalarType.Int64);
    [AtenOp("aten::to.dtype(self, 3)")] public Tensor @int() => AtenOps.to_dtype.Call(this, torch.ScalarType.Int32);
    [AtenOp("aten::to.dtype(self, 11)")] public Tensor @bool() => AtenOps.to_dtype.Call(this, torch.ScalarType.Bool);

    // ---- linear algebra ----
    [AtenOp("aten::matmul")] public Tensor matmul(Tensor other) => AtenOps.matmul.Call(this, other);
    [AtenOp("aten::mm")] public Tensor mm(Tensor other) => AtenOps.mm.Call(this, other);
    [AtenOp("aten::bmm")] public Tensor bmm(Tensor other) => AtenOps.bmm.Call(this, other);
    [AtenOp("aten::outer")] public Tensor outer(Tensor other) => AtenOps.outer.Call(this, other);
}

public static partial class torch
{
    [AtenOp("aten::cat")] public static Tensor cat(IReadOnlyList<Tensor> tensors, long dim = 0) => AtenOps.cat.Call(Arg.TensorList(tensors), dim);
    [AtenOp("aten::stack")] public static Tensor stack(IReadOnlyList<Tensor> tensors, long dim = 0) => AtenOps.stack.Call(Arg.TensorList(tensors), dim);
    [AtenOp("aten::reshape")] public static Tensor reshape(Tensor input, params long[] shape) => AtenOps.reshape.Call(input, shape);
    [AtenOp("aten::flatten.using_ints")] public static Tensor flatten(Tensor input, long start_dim = 0, long end_dim = -1) => AtenOps.flatten_using_ints.Call(input, start_dim, end_dim);
    [AtenOp("aten::squeeze.dim")] public static Tensor squeeze(Tensor input, long dim) => AtenOps.squeeze_dim.Call(input, dim);
    [AtenOp("aten::unsqueeze")] public static Tensor unsqueeze(Tensor input, long dim) => AtenOps.unsqueeze.Call(input, dim);
    [AtenOp("aten::permute")] public static Tensor permute(Tensor input, params long[] dims) => AtenOps.permute.Call(input, dims);
    [AtenOp("aten::transpose.int")] public static Tensor transpose(Tensor input, long dim0, long dim1) => AtenOps.transpose_int.Call(input, dim0, dim1);
    [AtenOp("aten::t")] public static Tensor t(Tensor input) => AtenOps.t.Call(input);
    [AtenOp("aten::narrow")] public static Tensor narrow(Tensor input, long dim, long start, long length) => AtenOps.narrow.Call(input, dim, start, length);
    [AtenOp("aten::index_select")] public static Tensor index_select(Tensor input, long dim, Tensor index) => AtenOps.index_select.Call(input, dim, index);
    [AtenOp("aten::gather")] public static Tensor gather(Tensor input, long dim, Tensor index) => AtenOps.gather.Call(input, dim, index);
    [AtenOp("aten::masked_fill.Scalar")] public static Tensor masked_fill(Tensor input, Tensor mask, double value) => AtenOps.masked_fill_Scalar.Call(input, mask, value);
    [AtenOp("aten::split.Tensor")] public static Tensor[] split(Tensor input, long split_size, long dim = 0) => AtenOps.split_Tensor.CallList(input, split_size, dim);
    [AtenOp("aten::chunk")] public static Tensor[] chunk(Tensor input, long chunks, long dim = 0) => AtenOps.chunk.CallList(input, chunks, dim);

    [AtenOp("aten::matmul")] public static Tensor matmul(Tensor input, Tensor other) => AtenOps.matmul.Call(input, other);
    [AtenOp("aten::mm")] public static Tensor mm(Tensor input, Tensor other) => AtenOps.mm.Call(input, other);
    [AtenOp("aten::bmm")] public static Tensor bmm(Tensor input, Tensor other) => AtenOps.bmm.Call(input, other);
    [AtenOp("aten::outer")] public static Tensor outer(Tensor input, Tensor other) => AtenOps.outer.Call(input, other);
    /// <summary>Einstein summation: <c>einsum("ij,jk->ik", a, b)</c>.</summary>
    [AtenOp("aten::einsum")] public static Tensor einsum(string equation, params Tensor[] tensors) => AtenOps.einsum.Call(equation, Arg.TensorList(tensors));
}
