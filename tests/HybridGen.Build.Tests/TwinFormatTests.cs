using HybridGen.Build.Tasks;
using HybridGen.Formats;
using HybridGen.Validation;

namespace HybridGen.Build.Tests;

/// <summary>The shared formats: twin origin comments, TorchScript line references, the validator's protocol.</summary>
public sealed class TwinFormatTests
{
    private const string Twin = "def bad(x: Tensor) -> Tensor:\n    # Bad.cs(6): var y = x * 2;\n    y = torch.mul(x, 2)\n    # Bad.cs(7): return torch.no_such_op(y);\n    return torch.no_such_op(y)\n\ndef other(x: Tensor) -> Tensor:\n    return x\n";

    [Fact]
    public void AnOriginCommentRoundTrips()
    {
        string comment = "    # " + TwinSourceFormat.Origin("Blocks.cs", 15, "y = x.matmul(w)");
        Assert.True(TwinSourceFormat.TryParseOriginComment(comment, out string file, out int line, out string code));
        Assert.Equal(("Blocks.cs", 15, "y = x.matmul(w)"), (file, line, code));
        Assert.False(TwinSourceFormat.TryParseOriginComment("    return x", out _, out _, out _));
        Assert.True(TwinSourceFormat.TryParseLocation(TwinSourceFormat.Location("My File.cs", 12), out file, out line));
        Assert.Equal(("My File.cs", 12), (file, line));
    }

    [Fact]
    public void AFailingLineIsGovernedByTheNearestCommentAboveItInTheSameFunction()
    {
        Assert.True(TwinSourceFormat.TryFindOrigin(Twin, 5, out string file, out int line, out string code));
        Assert.Equal(("Bad.cs", 7, "return torch.no_such_op(y);"), (file, line, code));
        Assert.True(TwinSourceFormat.TryFindOrigin(Twin, 3, out _, out line, out _));
        Assert.Equal(6, line);
        // The second function's lines have no comment: the first function's must not be taken.
        Assert.False(TwinSourceFormat.TryFindOrigin(Twin, 8, out _, out _, out _));
        Assert.False(TwinSourceFormat.TryFindOrigin(Twin, 1, out _, out _, out _));
    }

    [Fact]
    public void ScriptLinesAreListedInTheOrderTheMessageNamesThem()
    {
        string message = "undefined value q:\n  File \"<string>\", line 3\n...\n'helper' is being compiled since it was called from 'main'\n  File \"<string>\", line 7\n";
        Assert.Equal(new[] { 3, 7 }, TwinSourceFormat.ScriptLines(message));
        Assert.Empty(TwinSourceFormat.ScriptLines("no location"));
    }

    [Fact]
    public void ProtocolLinesRoundTripMessagesWithNewlinesAndBackslashes()
    {
        string message = "line one\n  File \"<string>\", line 2\r\nback\\slash \\n literal";
        var parsed = TwinValidatorProtocol.Parse(TwinValidatorProtocol.Error(12, message));
        Assert.Equal(("error", 12, message), parsed);
        Assert.Equal(("begin", 3, ""), TwinValidatorProtocol.Parse(TwinValidatorProtocol.Begin(3)));
        Assert.Equal(("ready", -1, "2.10.0.0"), TwinValidatorProtocol.Parse(TwinValidatorProtocol.Ready("2.10.0.0")));
        Assert.Equal(("fatal", -1, "no\nway"), TwinValidatorProtocol.Parse(TwinValidatorProtocol.Fatal("no\nway")));
        Assert.Null(TwinValidatorProtocol.Parse("Trying to load native component libtorch_cpu"));
        Assert.Null(TwinValidatorProtocol.Parse("ok x"));
    }

    [Fact]
    public void TheSummaryIsTheMessageBeforeTheSourceExcerpt()
    {
        string what = "\nUnknown builtin op: aten::no_such_op.\nCould not find any similar ops to aten::no_such_op.\n:\n  File \"<string>\", line 5\n    return torch.no_such_op(y)\n";
        Assert.Equal("Unknown builtin op: aten::no_such_op. Could not find any similar ops to aten::no_such_op.", ValidateTwins.Summary(what));
        Assert.Equal("undefined value q", ValidateTwins.Summary("undefined value q:\n  File \"<string>\", line 3\n"));
    }

    [Fact]
    public void ACrashMessageIsLibtorchsWhatTextOrTheEndOfStandardError()
    {
        string stderr = "warning: something\nterminate called after throwing an instance of 'torch::jit::ErrorReport'\n  what():  \nUnknown builtin op: aten::x.\n  File \"<string>\", line 5\n";
        Assert.StartsWith("Unknown builtin op: aten::x.\n  File \"<string>\", line 5", ValidatorProcess.CrashMessage(stderr, 134));
        Assert.Equal("the validator process ended (killed by signal 11) while compiling it: last words", ValidatorProcess.CrashMessage("\nlast words\n", 139));
    }
}
