using System;
using System.Linq;
using HybridGen.Torch;
using static HybridGen.Torch.torch;
using static HybridGen.Torch.Tests.Check;

namespace HybridGen.Torch.Tests;

public class ShapeTests
{
    private static Tensor Range(params long[] shape) => arange(shape.Aggregate(1L, (a, b) => a * b)).reshape(shape);

    [Fact]
    public void ReshapeViewFlattenSqueeze()
    {
        using Tensor x = Range(2, 3, 4);
        using (Tensor r = x.reshape(6, 4)) Shape(r, 6, 4);
        using (Tensor r = x.view(-1, 2)) Shape(r, 12, 2);
        using (Tensor r = x.flatten()) { Shape(r, 24); Close(Enumerable.Range(0, 24).Select(i => (double)i).ToArray(), r); }
        using (Tensor r = x.flatten(1)) Shape(r, 2, 12);
        using (Tensor r = flatten(x, 0, 1)) Shape(r, 6, 4);
        using Tensor u = x.unsqueeze(1);
        Shape(u, 2, 1, 3, 4);
        using (Tensor r = u.squeeze()) Shape(r, 2, 3, 4);
        using (Tensor r = u.squeeze(1)) Shape(r, 2, 3, 4);
        using (Tensor r = unsqueeze(x, -1)) Shape(r, 2, 3, 4, 1);
        using (Tensor r = squeeze(u, 1)) Shape(r, 2, 3, 4);
    }

    [Fact]
    public void PermuteTransposeAndContiguous()
    {
        using Tensor x = Range(2, 3);
        using (Tensor r = x.t()) { Shape(r, 3, 2); Close(new double[] { 0, 3, 1, 4, 2, 5 }, r); }
        using (Tensor r = x.transpose(0, 1).contiguous()) Close(new double[] { 0, 3, 1, 4, 2, 5 }, r);
        using Tensor y = Range(2, 3, 4);
        using (Tensor r = y.permute(2, 0, 1)) { Shape(r, 4, 2, 3); Assert.Equal(1L, r[1, 0, 0].item<long>()); }
        using (Tensor r = permute(y, 1, 2, 0)) Shape(r, 3, 4, 2);
    }

    [Fact]
    public void ExpandAndRepeat()
    {
        using Tensor x = T(new long[] { 2, 1 }, 1, 2);
        using (Tensor r = x.expand(2, 3)) Close(new double[] { 1, 1, 1, 2, 2, 2 }, r);
        using (Tensor r = x.repeat(2, 2)) { Shape(r, 4, 2); Close(new double[] { 1, 1, 2, 2, 1, 1, 2, 2 }, r); }
    }

    [Fact]
    public void CatStackSplitChunkNarrow()
    {
        using Tensor a = T(new long[] { 1, 2 }, 1, 2);
        using Tensor b = T(new long[] { 1, 2 }, 3, 4);
        using (Tensor r = cat(new[] { a, b })) { Shape(r, 2, 2); Close(new double[] { 1, 2, 3, 4 }, r); }
        using (Tensor r = cat(new[] { a, b }, 1)) { Shape(r, 1, 4); Close(new double[] { 1, 2, 3, 4 }, r); }
        using (Tensor r = stack(new[] { a, b })) Shape(r, 2, 1, 2);
        using (Tensor r = stack(new[] { a, b }, 2)) { Shape(r, 1, 2, 2); Close(new double[] { 1, 3, 2, 4 }, r); }
        using Tensor x = arange(7);
        Tensor[] parts = x.split(3);
        Assert.Equal(new[] { 3L, 3L, 1L }, parts.Select(p => p.shape[0]));
        Assert.Equal(new long[] { 6 }, parts[2].data<long>().ToArray());
        foreach (Tensor p in parts) p.Dispose();
        parts = x.split(new long[] { 2, 5 });
        Assert.Equal(new[] { 2L, 5L }, parts.Select(p => p.shape[0]));
        foreach (Tensor p in parts) p.Dispose();
        parts = chunk(x, 2);
        Assert.Equal(new[] { 4L, 3L }, parts.Select(p => p.shape[0]));
        foreach (Tensor p in parts) p.Dispose();
        using (Tensor r = x.narrow(0, 2, 3)) Assert.Equal(new long[] { 2, 3, 4 }, r.data<long>().ToArray());
    }

    [Fact]
    public void IndexSelectGatherMaskedFill()
    {
        using Tensor m = T(new long[] { 2, 3 }, 1, 2, 3, 4, 5, 6);
        using Tensor cols = tensor(new long[] { 2, 0 });
        using (Tensor r = m.index_select(1, cols)) Close(new double[] { 3, 1, 6, 4 }, r);
        using Tensor idx = tensor(new long[,] { { 0, 0 }, { 1, 0 } });
        using (Tensor r = m.gather(1, idx)) Close(new double[] { 1, 1, 5, 4 }, r);
        using Tensor mask = m > 3.0;
        using (Tensor r = m.masked_fill(mask, -1)) Close(new double[] { 1, 2, 3, -1, -1, -1 }, r);
    }

    [Fact]
    public void DataDependentShapes()
    {
        using Tensor x = T(new long[] { 2, 2 }, 0, 3, -1, 0);
        using Tensor mask = x.ne(0);
        using (Tensor r = x.masked_select(mask)) Close(new double[] { 3, -1 }, r);
        using (Tensor r = x.nonzero()) { Shape(r, 2, 2); Assert.Equal(new long[] { 0, 1, 1, 0 }, r.data<long>().ToArray()); }
    }

    [Fact]
    public void IndexerWithIntegersSlicesEllipsisAndNone()
    {
        using Tensor x = Range(2, 3, 4);
        using (Tensor r = x[1]) { Shape(r, 3, 4); Assert.Equal(12L, r[0, 0].item<long>()); }
        using (Tensor r = x[1, 2, 3]) Assert.Equal(23L, r.item<long>());
        using (Tensor r = x[.., 1]) { Shape(r, 2, 4); Assert.Equal(new long[] { 4, 5, 6, 7, 16, 17, 18, 19 }, r.data<long>().ToArray()); }
        using (Tensor r = x[TensorIndex.Ellipsis, 0]) { Shape(r, 2, 3); Assert.Equal(new long[] { 0, 4, 8, 12, 16, 20 }, r.data<long>().ToArray()); }
        using (Tensor r = x[0, 1..^1]) { Shape(r, 1, 4); Assert.Equal(new long[] { 4, 5, 6, 7 }, r.data<long>().ToArray()); }
        using (Tensor r = x[0, 0, TensorIndex.Slice(0, null, 2)]) Assert.Equal(new long[] { 0, 2 }, r.data<long>().ToArray());
        using (Tensor r = x[TensorIndex.None, 0]) Shape(r, 1, 3, 4);
        using (Tensor r = x[-1, -1, -1]) Assert.Equal(23L, r.item<long>());
    }

    [Fact]
    public void AdvancedIndexingWithTensorsAndMasks()
    {
        using Tensor x = Range(3, 4);
        using Tensor rows = tensor(new long[] { 2, 0 });
        using (Tensor r = x[rows]) { Shape(r, 2, 4); Assert.Equal(new long[] { 8, 9, 10, 11, 0, 1, 2, 3 }, r.data<long>().ToArray()); }
        using (Tensor r = x[.., rows]) { Shape(r, 3, 2); Assert.Equal(new long[] { 2, 0, 6, 4, 10, 8 }, r.data<long>().ToArray()); }
        using Tensor mask = x.remainder(5).eq(0);
        using (Tensor r = x[mask]) Assert.Equal(new long[] { 0, 5, 10 }, r.data<long>().ToArray());
    }

    [Fact]
    public void IndexingErrors()
    {
        using Tensor x = Range(2, 3);
        Assert.Throws<TorchException>(() => x[5]);
        Assert.Throws<TorchException>(() => x[0, 0, 0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => TensorIndex.Slice(0, 2, 0));
    }
}
