using System;
using System.Linq;
using HybridGen.Torch;
using static HybridGen.Torch.torch;
using static HybridGen.Torch.Tests.Check;

namespace HybridGen.Torch.Tests;

public class CreationTests
{
    [Fact]
    public void EveryElementTypeRoundTrips()
    {
        using (Tensor t = tensor(new[] { 1.5, -2.25 })) { Assert.Equal(ScalarType.Float64, t.dtype); Assert.Equal(new[] { 1.5, -2.25 }, t.data<double>().ToArray()); }
        using (Tensor t = tensor(new[] { 1, -2 })) { Assert.Equal(ScalarType.Int32, t.dtype); Assert.Equal(new[] { 1, -2 }, t.data<int>().ToArray()); }
        using (Tensor t = tensor(new short[] { 7, -8 })) { Assert.Equal(ScalarType.Int16, t.dtype); Assert.Equal(new short[] { 7, -8 }, t.data<short>().ToArray()); }
        using (Tensor t = tensor(new sbyte[] { 3, -4 })) { Assert.Equal(ScalarType.Int8, t.dtype); Assert.Equal(new sbyte[] { 3, -4 }, t.data<sbyte>().ToArray()); }
        using (Tensor t = tensor(new byte[] { 3, 250 })) { Assert.Equal(ScalarType.Byte, t.dtype); Assert.Equal(new byte[] { 3, 250 }, t.data<byte>().ToArray()); }
        using (Tensor t = tensor(new[] { true, false })) { Assert.Equal(ScalarType.Bool, t.dtype); Assert.Equal(new[] { true, false }, t.data<bool>().ToArray()); }
        using (Tensor t = tensor(new[] { (Half)0.5, (Half)(-3) })) { Assert.Equal(ScalarType.Float16, t.dtype); Assert.Equal(new[] { (Half)0.5, (Half)(-3) }, t.data<Half>().ToArray()); }
        using (Tensor t = tensor(new long[] { long.MaxValue })) Assert.Equal(long.MaxValue, t.item<long>());
    }

    [Fact]
    public void MultiDimensionalArraysKeepTheirShape()
    {
        using Tensor t = tensor(new float[,,] { { { 1, 2 }, { 3, 4 }, { 5, 6 } } });
        Shape(t, 1, 3, 2);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, t.data<float>().ToArray());
        using Tensor l = tensor(new long[,] { { 1, 2 }, { 3, 4 } });
        Assert.Equal(ScalarType.Int64, l.dtype);
        Shape(l, 2, 2);
    }

    [Fact]
    public void ScalarsAreZeroDimensional()
    {
        using Tensor f = tensor(2.5f);
        Assert.Empty(f.shape);
        Assert.Equal(2.5f, f.item<float>());
        using Tensor l = tensor(7L);
        Assert.Equal(ScalarType.Int64, l.dtype);
    }

    [Fact]
    public void DtypeDeviceAndRequiresGradOnCreation()
    {
        using Tensor t = tensor(new[] { 1f, 2f }, dtype: ScalarType.Float64, device: CPU, requires_grad: true);
        Assert.Equal(ScalarType.Float64, t.dtype);
        Assert.Equal(CPU.type, t.device.type);
        Assert.True(t.requires_grad);
    }

    [Fact]
    public void FilledTensors()
    {
        using (Tensor t = zeros(new long[] { 2, 3 }, ScalarType.Int32)) { Shape(t, 2, 3); Assert.Equal(ScalarType.Int32, t.dtype); Assert.All(Values(t), v => Assert.Equal(0, v)); }
        using (Tensor t = ones(4)) Assert.All(Values(t), v => Assert.Equal(1, v));
        using (Tensor t = full(new long[] { 2, 2 }, 3.5)) Assert.All(Values(t), v => Assert.Equal(3.5, v));
        using (Tensor t = empty(3, 1)) Shape(t, 3, 1);
        using Tensor x = ones(new long[] { 2, 5 }, ScalarType.Float64);
        using (Tensor t = zeros_like(x)) { Shape(t, 2, 5); Assert.Equal(ScalarType.Float64, t.dtype); }
        using (Tensor t = ones_like(x, ScalarType.Int64)) Assert.Equal(ScalarType.Int64, t.dtype);
        using (Tensor t = full_like(x, -1)) Assert.All(Values(t), v => Assert.Equal(-1, v));
        using (Tensor t = empty_like(x)) Shape(t, 2, 5);
    }

    [Fact]
    public void RangesAndEye()
    {
        using (Tensor t = arange(5)) { Assert.Equal(ScalarType.Int64, t.dtype); Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, t.data<long>().ToArray()); }
        using (Tensor t = arange(2L, 11L, 3L)) Assert.Equal(new long[] { 2, 5, 8 }, t.data<long>().ToArray());
        using (Tensor t = arange(0.0, 1.0, 0.25)) { Assert.Equal(ScalarType.Float32, t.dtype); Close(new[] { 0, 0.25, 0.5, 0.75 }, t); }
        using (Tensor t = linspace(-1, 1, 5)) Close(new[] { -1, -0.5, 0, 0.5, 1 }, t);
        using (Tensor t = eye(3)) Close(new double[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, t);
    }

    [Fact]
    public void RandomOpsFollowTheirDistributionsAndSeeds()
    {
        manual_seed(123);
        using Tensor u = rand(new long[] { 10000 });
        double[] uv = Values(u);
        Assert.All(uv, v => Assert.InRange(v, 0, 1 - 1e-9));
        Assert.InRange(uv.Average(), 0.48, 0.52);
        using Tensor n = randn(new long[] { 10000 });
        double[] nv = Values(n);
        Assert.InRange(nv.Average(), -0.05, 0.05);
        Assert.InRange(Math.Sqrt(nv.Select(v => v * v).Average()), 0.95, 1.05);
        using Tensor r = randint(-3, 4, new long[] { 1000 });
        Assert.Equal(ScalarType.Int64, r.dtype);
        long[] rv = r.data<long>().ToArray();
        Assert.All(rv, v => Assert.InRange(v, -3, 3));
        Assert.Equal(7, rv.Distinct().Count());
    }

    [Fact]
    public void AnExplicitGeneratorIsIndependentOfTheDefault()
    {
        using var g1 = new Generator(42);
        using var g2 = new Generator(42);
        using Tensor a = randn(new long[] { 5 }, g1);
        manual_seed(1);
        using Tensor noise = randn(5);
        using Tensor b = randn(new long[] { 5 }, g2);
        Assert.Equal(Values(a), Values(b));
        g1.manual_seed(42);
        using Tensor c = randn(new long[] { 5 }, g1);
        Assert.Equal(Values(a), Values(c));
        using Tensor d = rand(new long[] { 5 }, g1);
        Assert.NotEqual(Values(a), Values(d));
    }

    [Fact]
    public void LikeRandomOpsKeepTheShape()
    {
        using Tensor x = zeros(3, 4);
        using (Tensor t = rand_like(x)) Shape(t, 3, 4);
        using (Tensor t = randn_like(x, ScalarType.Float64)) Assert.Equal(ScalarType.Float64, t.dtype);
        using (Tensor t = randint_like(x, 0, 2)) Assert.All(Values(t), v => Assert.True(v == 0 || v == 1));
    }

    [Fact]
    public void ConversionsBetweenDtypes()
    {
        using Tensor x = tensor(new[] { -1.7f, 0f, 2.9f });
        using (Tensor t = x.to(ScalarType.Int64)) Assert.Equal(new long[] { -1, 0, 2 }, t.data<long>().ToArray());
        using (Tensor t = x.@bool()) Assert.Equal(new[] { true, false, true }, t.data<bool>().ToArray());
        using (Tensor t = x.@double()) Assert.Equal(ScalarType.Float64, t.dtype);
        using (Tensor t = x.to(ScalarType.BFloat16)) { Assert.Equal(ScalarType.BFloat16, t.dtype); Close(new[] { -1.703125, 0, 2.90625 }, t, 1e-6); }
        using (Tensor t = x.to(ScalarType.Float16)) Close(new[] { -1.7, 0, 2.9 }, t, 1e-3);
        using (Tensor t = x.to(CPU)) Close(new[] { -1.7, 0, 2.9 }, t);
        using (Tensor t = x.clone()) Close(Values(x), t);
    }

    [Fact]
    public void CudaIsReportedHonestly()
    {
        bool available = cuda.is_available();
        Assert.Equal(available, cuda.device_count() > 0);
        if (!available)
        {
            using Tensor x = ones(2);
            Assert.Throws<TorchException>(() => x.to(CUDA));
            Assert.Throws<TorchException>(() => cuda.synchronize());
        }
    }

    [Theory]
    [InlineData("cpu", DeviceType.CPU, -1)]
    [InlineData("cuda", DeviceType.CUDA, -1)]
    [InlineData("CUDA:1", DeviceType.CUDA, 1)]
    public void DevicesParse(string text, DeviceType type, int index)
    {
        Assert.Equal(new Device(type, index), device(text));
        Assert.Throws<ArgumentException>(() => device("tpu"));
    }
}
