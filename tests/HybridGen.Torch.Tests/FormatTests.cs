using HybridGen.Torch;
using static HybridGen.Torch.torch;

namespace HybridGen.Torch.Tests;

/// <summary>ToString prints values as PyTorch does.</summary>
public class FormatTests
{
    [Theory]
    [InlineData(new[] { 1.0, 2.0, 3.0 }, "tensor([1., 2., 3.])")]
    [InlineData(new[] { 1.5, -2.25 }, "tensor([ 1.5000, -2.2500])")]
    [InlineData(new[] { 1e-6, 1.0 }, "tensor([1.0000e-06, 1.0000e+00])")]
    public void FloatVectors(double[] values, string expected)
    {
        using Tensor t = tensor(values, dtype: ScalarType.Float32);
        Assert.Equal(expected, t.ToString());
    }

    [Fact]
    public void MatricesIntsBoolsAndSuffixes()
    {
        using (Tensor t = tensor(new long[,] { { 1, 20 }, { 300, 4 } })) Assert.Equal("tensor([[  1,  20],\n        [300,   4]])", t.ToString());
        using (Tensor t = tensor(new[] { true, false })) Assert.Equal("tensor([ True, False])", t.ToString());
        using (Tensor t = tensor(new[] { 0.5 })) Assert.Equal("tensor([0.5000], dtype=torch.float64)", t.ToString());
        using (Tensor t = tensor(2.0f)) Assert.Equal("tensor(2.)", t.ToString());
        using (Tensor t = tensor(new[] { 1f }, requires_grad: true)) Assert.Equal("tensor([1.], requires_grad=True)", t.ToString());
        using (Tensor t = zeros(new long[] { 0 })) Assert.Equal("tensor([])", t.ToString());
    }

    [Fact]
    public void LargeTensorsAreSummarized()
    {
        using Tensor t = arange(2000);
        Assert.Equal("tensor([   0,    1,    2, ..., 1997, 1998, 1999])", t.ToString());
        using Tensor m = arange(3000).reshape(1000, 3);
        string text = m.ToString();
        Assert.StartsWith("tensor([[   0,    1,    2],\n        [   3,    4,    5],", text);
        Assert.Contains("...,\n", text);
        Assert.EndsWith("[2997, 2998, 2999]])", text);
    }
}
