using HybridGen.Torch;
using static HybridGen.Torch.torch;
using static HybridGen.Torch.Tests.Check;

namespace HybridGen.Torch.Tests;

public class LinalgTests
{
    private static Tensor A() => T(new long[] { 2, 3 }, 1, 2, 3, 4, 5, 6);
    private static Tensor B() => T(new long[] { 3, 2 }, 7, 8, 9, 10, 11, 12);

    [Fact]
    public void MatmulMmAndEinsumAgreeWithTheHandProduct()
    {
        double[] product = { 58, 64, 139, 154 };
        using Tensor a = A(), b = B();
        using (Tensor r = a.mm(b)) Close(product, r);
        using (Tensor r = mm(a, b)) Close(product, r);
        using (Tensor r = matmul(a, b)) Close(product, r);
        using (Tensor r = einsum("ij,jk->ik", a, b)) Close(product, r);
        using (Tensor r = einsum("ij->ji", a)) { Shape(r, 3, 2); Close(new double[] { 1, 4, 2, 5, 3, 6 }, r); }
    }

    [Fact]
    public void BatchedMatmul()
    {
        using Tensor a = stack(new[] { A(), A() * 2.0 });
        using Tensor b = stack(new[] { B(), B() });
        using Tensor r = a.bmm(b);
        Shape(r, 2, 2, 2);
        Close(new double[] { 58, 64, 139, 154, 116, 128, 278, 308 }, r);
        using Tensor v = T(1, 1, 1);
        using Tensor mv = A().matmul(v); // matrix-vector broadcasting
        Close(new double[] { 6, 15 }, mv);
    }

    [Fact]
    public void Outer()
    {
        using Tensor a = T(1, 2), b = T(3, 4, 5);
        using Tensor r = outer(a, b);
        Shape(r, 2, 3);
        Close(new double[] { 3, 4, 5, 6, 8, 10 }, r);
    }

    [Fact]
    public void ShapeMismatchIsATorchException()
    {
        using Tensor a = A();
        Assert.Throws<TorchException>(() => a.mm(a));
        Assert.Throws<TorchException>(() => einsum("ij,jk->ik", a, a));
        Assert.Throws<TorchException>(() => a.bmm(a));
    }
}
