using System.Linq;
using HybridGen.Generator.Lowering;

namespace HybridGen.Generator.Tests;

public class AtenDeclarationTests
{
    [Fact]
    public void BareSchemaHasNoArgumentList()
    {
        AtenCall? call = AtenDeclarationParser.Parse("aten::add.Tensor", out string? error);
        Assert.Null(error);
        Assert.Equal("aten::add.Tensor", call!.Schema);
        Assert.Null(call.Arguments);
        Assert.Equal("torch.add", call.ScriptName);
    }

    [Fact]
    public void CallFormNestsAndNamesKeywords()
    {
        AtenCall? call = AtenDeclarationParser.Parse("aten::mul.Scalar(aten::reciprocal(right), other=left)", out string? error);
        Assert.Null(error);
        Assert.Equal(2, call!.Arguments!.Count);
        Assert.Equal("torch.reciprocal", Assert.IsType<AtenCall>(call.Arguments[0].Value).ScriptName);
        Assert.Equal("other", call.Arguments[1].Keyword);
        Assert.Equal("left", Assert.IsType<AtenParameter>(call.Arguments[1].Value).Name);
    }

    [Fact]
    public void LiteralsAreKeptAsWritten()
    {
        AtenCall? call = AtenDeclarationParser.Parse("aten::batch_norm(input, -1, 0.5, True, None, \"tanh\")", out string? error);
        Assert.Null(error);
        Assert.Equal(new[] { "-1", "0.5", "True", "None", "\"tanh\"" },
            call!.Arguments!.Skip(1).Select(a => Assert.IsType<AtenLiteral>(a.Value).Text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("prim::add")]
    [InlineData("aten::add(")]
    [InlineData("aten::add(x) trailing")]
    [InlineData("left")]
    public void MalformedDeclarationsAreErrors(string text)
    {
        Assert.Null(AtenDeclarationParser.Parse(text, out string? error));
        Assert.NotNull(error);
    }
}
