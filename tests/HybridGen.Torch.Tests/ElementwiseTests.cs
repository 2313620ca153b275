using System;
using System.Linq;
using HybridGen.Torch;
using static HybridGen.Torch.torch;
using static HybridGen.Torch.Tests.Check;

namespace HybridGen.Torch.Tests;

public class ElementwiseTests
{
    private static readonly double[] Inputs = { -2.5, -0.75, 0.3, 1.2, 3.6 };
    private static readonly double[] Positive = { 0.1, 0.75, 1.0, 2.5, 9.0 };

    public static TheoryData<string, Func<Tensor, Tensor>, Func<double, double>, bool> Unary() => new()
    {
        { "abs", x => x.abs(), Math.Abs, false },
        { "neg", x => x.neg(), v => -v, false },
        { "exp", x => x.exp(), Math.Exp, false },
        { "sin", x => x.sin(), Math.Sin, false },
        { "cos", x => torch.cos(x), Math.Cos, false },
        { "tanh", x => x.tanh(), Math.Tanh, false },
        { "sigmoid", x => torch.sigmoid(x), v => 1 / (1 + Math.Exp(-v)), false },
        { "relu", x => x.relu(), v => Math.Max(v, 0), false },
        { "floor", x => x.floor(), Math.Floor, false },
        { "ceil", x => torch.ceil(x), Math.Ceiling, false },
        { "round", x => x.round(), v => Math.Round(v, MidpointRounding.ToEven), false },
        { "reciprocal", x => x.reciprocal(), v => 1 / v, false },
        { "sqrt", x => x.sqrt(), Math.Sqrt, true },
        { "rsqrt", x => torch.rsqrt(x), v => 1 / Math.Sqrt(v), true },
        { "log", x => x.log(), Math.Log, true },
        { "log1p", x => x.log1p(), v => Math.Log(1 + v), true },
    };

    [Theory]
    [MemberData(nameof(Unary))]
    public void UnaryOpsMatchTheirFormula(string name, Func<Tensor, Tensor> op, Func<double, double> formula, bool positiveOnly)
    {
        double[] inputs = positiveOnly ? Positive : Inputs;
        using Tensor x = T(inputs);
        using Tensor y = op(x);
        Assert.Equal(ScalarType.Float32, y.dtype);
        Close(Map(inputs, formula), y, 1e-6);
        Assert.NotNull(name);
    }

    [Fact]
    public void UnaryOpsKeepFloat64()
    {
        using Tensor x = tensor(new[] { 0.1, 0.2 });
        using Tensor y = x.exp();
        Assert.Equal(ScalarType.Float64, y.dtype);
        Assert.Equal(Math.Exp(0.1), Values(y)[0], 12);
    }

    [Fact]
    public void PowInAllForms()
    {
        using Tensor x = T(1, 2, 3);
        using (Tensor y = x.pow(2)) Close(new double[] { 1, 4, 9 }, y);
        using (Tensor y = x.pow(x)) Close(new double[] { 1, 4, 27 }, y);
        using (Tensor y = pow(2.0, x)) Close(new double[] { 2, 4, 8 }, y);
        using (Tensor y = pow(x, 0.5)) Close(Map(new double[] { 1, 2, 3 }, Math.Sqrt), y);
    }

    [Fact]
    public void ClampMinimumMaximumWhere()
    {
        using Tensor x = T(-2, -0.5, 0.5, 2);
        using Tensor other = T(0, 0, 0, 0);
        using (Tensor y = x.clamp(-1, 1)) Close(new[] { -1, -0.5, 0.5, 1 }, y);
        using (Tensor y = x.clamp(min: 0)) Close(new[] { 0, 0, 0.5, 2 }, y);
        using (Tensor y = clamp(x, max: 0)) Close(new[] { -2, -0.5, 0, 0 }, y);
        using (Tensor y = x.minimum(other)) Close(new[] { -2, -0.5, 0, 0 }, y);
        using (Tensor y = maximum(x, other)) Close(new[] { 0, 0, 0.5, 2 }, y);
        using Tensor condition = x > 0.0;
        using (Tensor y = where(condition, x, other)) Close(new[] { 0, 0, 0.5, 2 }, y);
        using (Tensor y = x.where(condition, other)) Close(new[] { 0, 0, 0.5, 2 }, y);
    }

    [Fact]
    public void RemainderTakesTheDivisorsSignAsInPyTorch()
    {
        using Tensor x = T(-3, -1, 1, 3, 5.5);
        using (Tensor y = x.remainder(2)) Close(new[] { 1, 1, 1, 1, 1.5 }, y);
        using (Tensor y = x % -2.0) Close(new[] { -1, -1, -1, -1, -0.5 }, y);
        using Tensor d = T(2, 2, 2, 2, 2);
        using (Tensor y = remainder(x, d)) Close(new[] { 1, 1, 1, 1, 1.5 }, y);
    }

    [Fact]
    public void ComparisonsGiveBoolTensors()
    {
        using Tensor a = T(1, 2, 3);
        using Tensor b = T(3, 2, 1);
        (Func<Tensor>, bool[])[] cases =
        {
            (() => a.eq(b), new[] { false, true, false }),
            (() => a.ne(b), new[] { true, false, true }),
            (() => a.lt(b), new[] { true, false, false }),
            (() => a.le(b), new[] { true, true, false }),
            (() => a.gt(b), new[] { false, false, true }),
            (() => a.ge(b), new[] { false, true, true }),
            (() => a < b, new[] { true, false, false }),
            (() => a >= b, new[] { false, true, true }),
            (() => a.eq(2), new[] { false, true, false }),
            (() => a > 1.5, new[] { false, true, true }),
            (() => eq(a, b), new[] { false, true, false }),
        };
        foreach ((Func<Tensor> op, bool[] expected) in cases)
        {
            using Tensor result = op();
            Assert.Equal(ScalarType.Bool, result.dtype);
            Assert.Equal(expected, result.data<bool>().ToArray());
        }
    }

    [Fact]
    public void LogicalOps()
    {
        using Tensor p = tensor(new[] { true, true, false, false });
        using Tensor q = tensor(new[] { true, false, true, false });
        using (Tensor r = p.logical_and(q)) Assert.Equal(new[] { true, false, false, false }, r.data<bool>().ToArray());
        using (Tensor r = logical_or(p, q)) Assert.Equal(new[] { true, true, true, false }, r.data<bool>().ToArray());
        using (Tensor r = q.logical_not()) Assert.Equal(new[] { false, true, false, true }, r.data<bool>().ToArray());
    }

    [Fact]
    public void MethodFormsWithAlpha()
    {
        using Tensor a = T(1, 2);
        using Tensor b = T(10, 20);
        using (Tensor r = a.add(b, alpha: 0.5)) Close(new double[] { 6, 12 }, r);
        using (Tensor r = add(a, b, 2)) Close(new double[] { 21, 42 }, r);
        using (Tensor r = a.sub(b, alpha: 0.1)) Close(new double[] { 0, 0 }, r);
        using (Tensor r = a.mul(3).div(2)) Close(new[] { 1.5, 3 }, r);
        using (Tensor r = b.div(a)) Close(new double[] { 10, 10 }, r);
    }

    [Fact]
    public void TypePromotionFollowsPyTorch()
    {
        using Tensor i = tensor(new long[] { 1, 2 });
        using Tensor f = tensor(new[] { 0.5f, 0.5f });
        using (Tensor r = i + f) Assert.Equal(ScalarType.Float32, r.dtype);
        using (Tensor r = i * 2.5) { Assert.Equal(ScalarType.Float32, r.dtype); Close(new[] { 2.5, 5 }, r); }
        using (Tensor r = i / 2) { Assert.Equal(ScalarType.Float32, r.dtype); Close(new[] { 0.5, 1 }, r); }
        using (Tensor r = 1.0 / i) Close(new[] { 1, 0.5 }, r);
    }

    [Fact]
    public void BroadcastingAcrossRanks()
    {
        using Tensor col = T(new long[] { 3, 1 }, 1, 2, 3);
        using Tensor row = T(new long[] { 1, 2 }, 10, 20);
        using Tensor r = col * row;
        Shape(r, 3, 2);
        Close(new double[] { 10, 20, 20, 40, 30, 60 }, r);
    }
}
