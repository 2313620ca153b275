using System;
using System.Linq;
using HybridGen.Torch;
using static HybridGen.Torch.torch;
using static HybridGen.Torch.Tests.Check;

namespace HybridGen.Torch.Tests;

public class ReductionTests
{
    // [[1, 5, 3], [4, 2, 6]]
    private static Tensor M() => T(new long[] { 2, 3 }, 1, 5, 3, 4, 2, 6);

    [Fact]
    public void SumMeanProdOverAllAndAlongDims()
    {
        using Tensor m = M();
        using (Tensor r = m.sum()) Close(21, r);
        using (Tensor r = m.sum(0)) { Shape(r, 3); Close(new double[] { 5, 7, 9 }, r); }
        using (Tensor r = m.sum(new long[] { 1 }, keepdim: true)) { Shape(r, 2, 1); Close(new double[] { 9, 12 }, r); }
        using (Tensor r = m.sum(new long[] { 0, 1 })) Close(21, r);
        using (Tensor r = m.sum(new long[] { 1 }, dtype: ScalarType.Float64)) Assert.Equal(ScalarType.Float64, r.dtype);
        using (Tensor r = m.mean()) Close(3.5, r);
        using (Tensor r = m.mean(1, keepdim: true)) { Shape(r, 2, 1); Close(new double[] { 3, 4 }, r); }
        using (Tensor r = mean(m, new long[] { 0 })) Close(new[] { 2.5, 3.5, 4.5 }, r);
        using (Tensor r = m.prod()) Close(720, r);
        using (Tensor r = m.prod(1)) Close(new double[] { 15, 48 }, r);
        using (Tensor r = sum(m, new long[] { -1 })) Close(new double[] { 9, 12 }, r);
    }

    [Fact]
    public void MaxMinWithIndexes()
    {
        using Tensor m = M();
        using (Tensor r = m.max()) Close(6, r);
        using (Tensor r = min(m)) Close(1, r);
        (Tensor values, Tensor indexes) = m.max(1);
        using (values) using (indexes)
        {
            Close(new double[] { 5, 6 }, values);
            Assert.Equal(new long[] { 1, 2 }, indexes.data<long>().ToArray());
        }
        (values, indexes) = m.min(0, keepdim: true);
        using (values) using (indexes)
        {
            Shape(values, 1, 3);
            Close(new double[] { 1, 2, 3 }, values);
            Assert.Equal(new long[] { 0, 1, 0 }, indexes.data<long>().ToArray());
        }
        using (Tensor r = m.amax(new long[] { 0 })) Close(new double[] { 4, 5, 6 }, r);
        using (Tensor r = m.amin(new long[] { 1 }, keepdim: true)) { Shape(r, 2, 1); Close(new double[] { 1, 2 }, r); }
        using (Tensor r = m.argmax()) Assert.Equal(5, r.item<long>());
        using (Tensor r = m.argmax(1)) Assert.Equal(new long[] { 1, 2 }, r.data<long>().ToArray());
        using (Tensor r = m.argmin(0, keepdim: true)) { Shape(r, 1, 3); Assert.Equal(new long[] { 0, 1, 0 }, r.data<long>().ToArray()); }
    }

    [Fact]
    public void VarianceAndStandardDeviation()
    {
        double[] v = { 1, 5, 3, 4, 2, 6 };
        double mean = v.Average();
        double ss = v.Sum(x => (x - mean) * (x - mean));
        using Tensor m = M();
        using (Tensor r = m.var()) Close(ss / 5, r);
        using (Tensor r = m.var(unbiased: false)) Close(ss / 6, r);
        using (Tensor r = m.std()) Close(Math.Sqrt(ss / 5), r);
        using (Tensor r = m.var(new long[] { 1 })) Close(new[] { 4.0, 4.0 }, r);
        using (Tensor r = m.std(new long[] { 0 }, unbiased: false, keepdim: true)) { Shape(r, 1, 3); Close(new[] { 1.5, 1.5, 1.5 }, r); }
    }

    [Fact]
    public void NormsLogsumexpCumsum()
    {
        using Tensor m = M();
        using (Tensor r = m.norm()) Close(Math.Sqrt(1 + 25 + 9 + 16 + 4 + 36), r);
        using (Tensor r = m.norm(1)) Close(21, r);
        using (Tensor r = m.norm(new long[] { 1 })) Close(new[] { Math.Sqrt(35), Math.Sqrt(56) }, r);
        using (Tensor r = m.logsumexp(1)) Close(new[] { Math.Log(Math.Exp(1) + Math.Exp(5) + Math.Exp(3)), Math.Log(Math.Exp(4) + Math.Exp(2) + Math.Exp(6)) }, r);
        using (Tensor r = m.logsumexp(new long[] { 0 }, keepdim: true)) Shape(r, 1, 3);
        using (Tensor r = m.cumsum(1)) Close(new double[] { 1, 6, 9, 4, 6, 12 }, r);
        using (Tensor r = cumsum(m, 0)) Close(new double[] { 1, 5, 3, 5, 7, 9 }, r);
        using Tensor ints = tensor(new[] { 1, 2, 3 });
        using (Tensor r = ints.cumsum(0, ScalarType.Float64)) Assert.Equal(ScalarType.Float64, r.dtype);
    }

    [Fact]
    public void SortAndRandperm()
    {
        using Tensor x = T(3, 1, 2);
        (Tensor values, Tensor indexes) = x.sort();
        using (values) using (indexes)
        {
            Close(new double[] { 1, 2, 3 }, values);
            Assert.Equal(new long[] { 1, 2, 0 }, indexes.data<long>().ToArray());
        }
        (values, indexes) = x.sort(descending: true);
        using (values) using (indexes) Close(new double[] { 3, 2, 1 }, values);
        using var g = new Generator(3);
        using Tensor p = randperm(10, g);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), p.data<long>().ToArray().OrderBy(v => v));
    }

    [Fact]
    public void ReductionsOfIntegerTensorsPromoteAsPyTorch()
    {
        using Tensor ints = tensor(new[] { 1, 2, 3 });
        using (Tensor r = ints.sum()) Assert.Equal(ScalarType.Int64, r.dtype);
        Assert.Throws<TorchException>(() => ints.mean()); // mean needs a floating dtype, as in PyTorch
    }
}
