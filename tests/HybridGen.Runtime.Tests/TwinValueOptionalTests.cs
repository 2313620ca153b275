using HybridGen.Twins;
using static TorchSharp.torch;

namespace HybridGen.Runtime.Tests;

/// <summary>Null optional values reach the twin as None (a conditional with a bare default once turned a null
/// momentum into 0.0 and a null divisor_override into 0).</summary>
public class TwinValueOptionalTests
{
    [Fact]
    public void NullIsNoneAndAValueIsItsKind()
    {
        Assert.Equal(TwinValueKind.None, TwinValue.Optional((double?)null).Kind);
        Assert.Equal(TwinValueKind.None, TwinValue.Optional((long?)null).Kind);
        Assert.Equal(TwinValueKind.None, TwinValue.Optional((Tensor?)null).Kind);
        Assert.Equal(TwinValueKind.Float, TwinValue.Optional(0.5).Kind);
        Assert.Equal(0.5, TwinValue.Optional(0.5).ToDouble());
        Assert.Equal(TwinValueKind.Int, TwinValue.Optional(3L).Kind);
        using Tensor t = ones(2);
        Assert.Equal(TwinValueKind.Tensor, TwinValue.Optional(t).Kind);
    }
}
