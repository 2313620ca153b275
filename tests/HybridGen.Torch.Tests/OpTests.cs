using System;
using HybridGen.Torch;
using static HybridGen.Torch.torch;

namespace HybridGen.Torch.Tests;

/// <summary>The skeleton's ops against values computed by hand.</summary>
public class OpTests
{
    private static float[] Values(Tensor t) => t.data<float>().ToArray();

    [Fact]
    public void TensorRoundTripsValuesShapeAndDtype()
    {
        using Tensor t = tensor(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, new long[] { 2, 3 });
        Assert.Equal(new long[] { 2, 3 }, t.shape);
        Assert.Equal(ScalarType.Float32, t.dtype);
        Assert.Equal(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, Values(t));
    }

    [Fact]
    public void ArithmeticWithTensorsAndScalarsInBothOrders()
    {
        using Tensor a = tensor(new[] { 1f, 2f, 4f }, new long[] { 3 });
        using Tensor b = tensor(new[] { 3f, 5f, 8f }, new long[] { 3 });
        using (Tensor r = a + b) Assert.Equal(new[] { 4f, 7f, 12f }, Values(r));
        using (Tensor r = a - b) Assert.Equal(new[] { -2f, -3f, -4f }, Values(r));
        using (Tensor r = a * b) Assert.Equal(new[] { 3f, 10f, 32f }, Values(r));
        using (Tensor r = b / a) Assert.Equal(new[] { 3f, 2.5f, 2f }, Values(r));
        using (Tensor r = a + 1.5) Assert.Equal(new[] { 2.5f, 3.5f, 5.5f }, Values(r));
        using (Tensor r = 10.0 - a) Assert.Equal(new[] { 9f, 8f, 6f }, Values(r));
        using (Tensor r = a - 1) Assert.Equal(new[] { 0f, 1f, 3f }, Values(r));
        using (Tensor r = 2 * a) Assert.Equal(new[] { 2f, 4f, 8f }, Values(r));
        using (Tensor r = a / 2.0) Assert.Equal(new[] { 0.5f, 1f, 2f }, Values(r));
        using (Tensor r = 8.0 / a) Assert.Equal(new[] { 8f, 4f, 2f }, Values(r));
        using (Tensor r = -a) Assert.Equal(new[] { -1f, -2f, -4f }, Values(r));
    }

    [Fact]
    public void IntegerScalarsKeepIntegerTensorsIntegral()
    {
        using Tensor a = tensor(new long[] { 1, 2, 3 }, new long[] { 3 });
        using Tensor r = a * 2 + 1;
        Assert.Equal(ScalarType.Int64, r.dtype);
        Assert.Equal(new long[] { 3, 5, 7 }, r.data<long>().ToArray());
    }

    [Fact]
    public void BroadcastingFollowsPyTorch()
    {
        using Tensor m = tensor(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, new long[] { 2, 3 });
        using Tensor row = tensor(new[] { 10f, 20f, 30f }, new long[] { 3 });
        using Tensor r = m + row;
        Assert.Equal(new long[] { 2, 3 }, r.shape);
        Assert.Equal(new[] { 11f, 22f, 33f, 14f, 25f, 36f }, Values(r));
    }

    [Fact]
    public void MatmulMatchesTheHandProduct()
    {
        using Tensor a = tensor(new[] { 1f, 2f, 3f, 4f, 5f, 6f }, new long[] { 2, 3 });
        using Tensor b = tensor(new[] { 7f, 8f, 9f, 10f, 11f, 12f }, new long[] { 3, 2 });
        using Tensor r = a.matmul(b);
        Assert.Equal(new long[] { 2, 2 }, r.shape);
        Assert.Equal(new[] { 58f, 64f, 139f, 154f }, Values(r));
        using Tensor s = matmul(a, b);
        Assert.Equal(Values(r), Values(s));
    }

    [Fact]
    public void ActivationsAndSumMatchTheirFormulas()
    {
        float[] input = { -2f, -0.5f, 0f, 0.5f, 3f };
        using Tensor x = tensor(input);
        using (Tensor r = nn.functional.relu(x)) Assert.Equal(new[] { 0f, 0f, 0f, 0.5f, 3f }, Values(r));
        using (Tensor r = x.tanh())
            for (int i = 0; i < input.Length; i++) Assert.Equal(MathF.Tanh(input[i]), Values(r)[i], 5);
        using (Tensor r = sigmoid(x))
            for (int i = 0; i < input.Length; i++) Assert.Equal(1 / (1 + MathF.Exp(-input[i])), Values(r)[i], 5);
        using (Tensor r = x.sum())
        {
            Assert.Empty(r.shape);
            Assert.Equal(1f, r.item<float>(), 5);
        }
    }

    [Fact]
    public void CreationOps()
    {
        using Tensor z = zeros(2, 3);
        using Tensor o = ones(new long[] { 4 }, ScalarType.Float64);
        Assert.Equal(new float[6], Values(z));
        Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0 }, o.data<double>().ToArray());
    }

    [Fact]
    public void RandnIsReproducibleWithASeed()
    {
        manual_seed(42);
        using Tensor a = randn(3, 4);
        manual_seed(42);
        using Tensor b = randn(3, 4);
        using Tensor c = randn(3, 4);
        Assert.Equal(Values(a), Values(b));
        Assert.NotEqual(Values(a), Values(c));
        Assert.Equal(new long[] { 3, 4 }, a.shape);
    }
}
