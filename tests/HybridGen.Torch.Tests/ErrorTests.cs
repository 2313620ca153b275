using System;
using HybridGen.Torch;
using static HybridGen.Torch.torch;

namespace HybridGen.Torch.Tests;

/// <summary>A libtorch failure is a TorchException with libtorch's message; nothing aborts the process.</summary>
public class ErrorTests
{
    [Fact]
    public void MismatchedMatmulIsATorchExceptionWithLibtorchsMessage()
    {
        using Tensor a = randn(2, 3);
        using Tensor b = randn(4, 5);
        var e = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Contains("cannot be multiplied", e.Message);
        Assert.DoesNotContain("frame #", e.Message); // no C++ backtrace
        using Tensor ok = a.matmul(randn(3, 1)); // the process and the binding still work
        Assert.Equal(new long[] { 2, 1 }, ok.shape);
    }

    [Fact]
    public void BadDimensionsAndDtypesAreTorchExceptions()
    {
        using Tensor a = ones(2, 3);
        var dim = Assert.Throws<TorchException>(() => a.sum(5));
        Assert.Contains("Dimension out of range", dim.Message);
        Assert.Throws<TorchException>(() => a.size(2));
        using Tensor ints = tensor(new long[] { 1, 2, 3 });
        var dtype = Assert.Throws<TorchException>(() => a.matmul(ints));
        Assert.Contains("expected scalar type Float but found Long", dtype.Message);
        Assert.Throws<TorchException>(() => a.reshape(4, 4));
        Assert.Throws<TorchException>(() => nn.functional.softmax(a, 3));
    }

    [Fact]
    public void UsingADisposedTensorIsObjectDisposed()
    {
        Tensor a = ones(2);
        a.Dispose();
        a.Dispose(); // twice is fine
        Assert.Throws<ObjectDisposedException>(() => a.relu());
        Assert.Throws<ObjectDisposedException>(() => a.shape);
    }

    [Fact]
    public void NullArgumentsAreArgumentNull()
    {
        using Tensor a = ones(2);
        Assert.Throws<ArgumentNullException>(() => a + (Tensor)null!);
        Assert.Throws<ArgumentNullException>(() => tensor((float[])null!, new long[] { 2 }));
    }

    [Fact]
    public void ShapeAndDataDisagreeingIsAnArgumentError()
    {
        var e = Assert.Throws<ArgumentException>(() => tensor(new[] { 1f, 2f, 3f }, new long[] { 2, 2 }));
        Assert.Contains("holds 4 values but 3 were given", e.Message);
    }

    [Fact]
    public void ReadingWithTheWrongElementTypeSaysWhichDtype()
    {
        using Tensor a = ones(2);
        var e = Assert.Throws<TorchException>(() => a.data<double>());
        Assert.Contains("Float32", e.Message);
    }

    [Fact]
    public void TorchScriptCompileErrorsCarryTheLine()
    {
        var e = Assert.Throws<TorchException>(() => jit.compile("def f(x: Tensor) -> Tensor:\n    return torch.nosuchop(x)\n"));
        Assert.Contains("nosuchop", e.Message);
    }

    [Fact]
    public void TorchScriptRoundTrip()
    {
        using CompilationUnit unit = jit.compile("def f(x: Tensor, s: float) -> Tensor:\n    return torch.mul(x, s)\n");
        using Tensor x = tensor(new[] { 1f, 2f }, new long[] { 2 });
        using Tensor r = unit["f"].Invoke(x, 3.0);
        Assert.Equal(new[] { 3f, 6f }, r.data<float>().ToArray());
        Assert.Throws<TorchException>(() => unit["missing"]);
        Assert.Throws<TorchException>(() => unit["f"].Invoke(x, 3L)); // an int for a float parameter
    }
}
