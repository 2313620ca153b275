using System.Linq;
using HybridGen.Generator.Lowering;

namespace HybridGen.Generator.Tests;

public class AtenDeclarationTests
{
    [Fact]
    public void BareSchemaHasNoArgumentList()
    {
        AtenCall? call = (AtenCall?)AtenDeclarationParser.Parse("aten::add.Tensor", out string? error);
        Assert.Null(error);
        Assert.Equal("aten::add.Tensor", call!.Schema);
        Assert.Null(call.Arguments);
        Assert.Equal("torch.add", call.ScriptName);
    }

    [Fact]
    public void CallFormNestsAndNamesKeywords()
    {
        AtenCall? call = (AtenCall?)AtenDeclarationParser.Parse("aten::mul.Scalar(aten::reciprocal(right), other=left)", out string? error);
        Assert.Null(error);
        Assert.Equal(2, call!.Arguments!.Count);
        Assert.Equal("torch.reciprocal", Assert.IsType<AtenCall>(call.Arguments[0].Value).ScriptName);
        Assert.Equal("other", call.Arguments[1].Keyword);
        Assert.Equal("left", Assert.IsType<AtenParameter>(call.Arguments[1].Value).Name);
    }

    [Fact]
    public void LiteralsAreKeptAsWritten()
    {
        AtenCall? call = (AtenCall?)AtenDeclarationParser.Parse("aten::batch_norm(input, -1, 0.5, True, None, \"tanh\")", out string? error);
        Assert.Null(error);
        Assert.Equal(new[] { "-1", "0.5", "True", "None", "\"tanh\"" },
            call!.Arguments!.Skip(1).Select(a => Assert.IsType<AtenLiteral>(a.Value).Text));
    }

    [Fact]
    public void ConditionalChoosesBetweenTwoSpellings()
    {
        var node = Assert.IsType<AtenConditional>(AtenDeclarationParser.Parse("if(inplace, aten::relu_(x), aten::relu(x))", out string? error));
        Assert.Null(error);
        Assert.Equal("inplace", Assert.IsType<AtenParameter>(node.Condition).Name);
        Assert.Equal("torch.relu_", Assert.IsType<AtenCall>(node.WhenTrue).ScriptName);
        Assert.Equal("torch.relu", Assert.IsType<AtenCall>(node.WhenFalse).ScriptName);
    }

    [Theory]
    [InlineData("if(inplace, aten::relu_(x))")]
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
