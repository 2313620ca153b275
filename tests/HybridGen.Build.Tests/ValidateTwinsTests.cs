using System;
using System.IO;
using System.Linq;
using HybridGen.Build.Tasks;
using HybridGen.Formats;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace HybridGen.Build.Tests;

/// <summary>
/// The ValidateTwins task's handling of its child process, with a shell script standing in for the validator: it
/// speaks the protocol and can abort, hang or fail to start on cue, in milliseconds and without libtorch.
/// </summary>
public sealed class ValidateTwinsTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly RecordingBuildEngine _engine = new();
    private readonly string _assembly;

    public ValidateTwinsTests()
    {
        Directory.CreateDirectory(_folder.File("app"));
        _assembly = _folder.File("app", "Twins.dll");
        TwinAssembly.Write(_assembly, TwinAssembly.Good, TwinAssembly.Bad, TwinAssembly.After);
        File.WriteAllText(_folder.File("app", "TorchSharp.dll"), ""); // only looked for, never loaded, by the task
        foreach (string source in new[] { "Good.cs", "Bad.cs", "After.cs" }) File.WriteAllText(_folder.File(source), "");
    }

    public void Dispose() => _folder.Dispose();

    private string Record => ValidatedTwinsFile.PathFor(_assembly);

    /// <summary>A validator that answers "ok" for every twin from its FIRST argument on, except as told.</summary>
    private string Validator(int crashAt = -1, int hangAt = -1, string? fatal = null)
    {
        string script = _folder.File("validator.sh");
        File.WriteAllText(script, fatal is not null ? $"echo 'fatal {fatal}'\nexit 3\n" : $$"""
            echo 'ready 9.9.9'
            k=$3
            while [ $k -lt 3 ]; do
              echo "begin $k"
              if [ $k = {{crashAt}} ]; then
                printf "terminate called after throwing an instance of 'torch::jit::ErrorReport'\n  what():  \nUnknown builtin op: aten::no_such_op.\n:\n  File \"<string>\", line 5\n    return torch.no_such_op(y)\n" >&2
                kill -ABRT $$
              fi
              if [ $k = {{hangAt}} ]; then sleep 60; fi
              echo "ok $k"
              k=$((k+1))
            done
            """);
        return script;
    }

    private bool Run(string validator, int timeoutSeconds = 60, bool failuresAreErrors = false)
    {
        var task = new ValidateTwins
        {
            BuildEngine = _engine,
            AssemblyPath = _assembly,
            ValidatorPath = validator,
            DotnetPath = "/bin/sh",
            TimeoutSeconds = timeoutSeconds,
            FailuresAreErrors = failuresAreErrors,
            SourceFiles = new[] { "Good.cs", "Bad.cs", "After.cs" }.Select(f => (ITaskItem)new TaskItem(_folder.File(f))).ToArray(),
        };
        return task.Execute();
    }

    private string[] RecordedHashes() => File.ReadAllLines(Record).Skip(2).Where(l => !l.StartsWith("! ", StringComparison.Ordinal)).ToArray();

    [Fact]
    public void AnAbortFailsOnlyTheTwinItHappenedInAsWarningHG0302AtItsCSharpLine()
    {
        Assert.True(Run(Validator(crashAt: 1)));                     // HybridGen's bug does not fail the user's build

        Assert.Empty(_engine.Errors);
        BuildWarningEventArgs warning = Assert.Single(_engine.Warnings);
        Assert.Equal("HG0302", warning.Code);
        Assert.Equal((_folder.File("Bad.cs"), 7), (warning.File, warning.LineNumber));
        Assert.StartsWith("The graph twin of 'N.Bad' does not compile with libtorch at 'return torch.no_such_op(y);': Unknown builtin op: aten::no_such_op. The method runs eager", warning.Message);
        // The validator was restarted after the abort: the twin after the bad one was compiled and recorded, and the
        // bad one is recorded as failed, with the reason the runtime will give.
        Assert.Equal("libtorch 9.9.9", File.ReadAllLines(Record)[1]);
        Assert.Equal(new[] { ValidatedTwinsFile.Hash(TwinAssembly.Good.Source), ValidatedTwinsFile.Hash(TwinAssembly.After.Source) }, RecordedHashes());
        var failures = ValidatedTwinsFile.Parse(File.ReadAllText(Record))!.Value.failures;
        Assert.Equal("The graph twin of 'N.Bad' does not compile with libtorch at 'return torch.no_such_op(y);': Unknown builtin op: aten::no_such_op.",
            failures[ValidatedTwinsFile.Hash(TwinAssembly.Bad.Source)]);
    }

    [Fact]
    public void AProjectThatAsksForItGetsErrorHG0302()
    {
        Assert.False(Run(Validator(crashAt: 1), failuresAreErrors: true));

        Assert.Empty(_engine.Warnings);
        BuildErrorEventArgs error = Assert.Single(_engine.Errors);
        Assert.Equal("HG0302", error.Code);
        Assert.Equal((_folder.File("Bad.cs"), 7), (error.File, error.LineNumber));
        Assert.Equal("The graph twin of 'N.Bad' does not compile with libtorch at 'return torch.no_such_op(y);': Unknown builtin op: aten::no_such_op.", error.Message);
    }

    [Fact]
    public void ATwinThatHangsIsHG9004AndTheOthersAreStillValidated()
    {
        // 5 s, not 1: the limit is also the restarted validator's time to say "ready", which a busy 2-core machine
        // can take longer than 1 s for (a second HG9004).
        Assert.True(Run(Validator(hangAt: 0), timeoutSeconds: 5));

        BuildWarningEventArgs warning = Assert.Single(_engine.Warnings);
        Assert.Equal("HG9004", warning.Code);
        Assert.Contains("'N.Good'", warning.Message);
        Assert.Contains("longer than 5 s", warning.Message);
        Assert.Equal((_folder.File("Good.cs"), 3), (warning.File, warning.LineNumber));
        Assert.Equal(new[] { ValidatedTwinsFile.Hash(TwinAssembly.Bad.Source), ValidatedTwinsFile.Hash(TwinAssembly.After.Source) }, RecordedHashes());
    }

    [Fact]
    public void AValidatorThatCannotLoadTorchSharpIsHG9004AndNoRecord()
    {
        File.WriteAllText(Record, "an old record");

        Assert.True(Run(Validator(fatal: "loading libLibTorchSharp.so failed: version GLIBCXX_3.4.32 not found")));

        BuildWarningEventArgs warning = Assert.Single(_engine.Warnings);
        Assert.Equal("HG9004", warning.Code);
        Assert.StartsWith("HybridGen could not validate 3 graph twins: loading libLibTorchSharp.so failed: version GLIBCXX_3.4.32 not found.", warning.Message);
        Assert.False(File.Exists(Record));
    }

    [Fact]
    public void WithoutTorchSharpInTheOutputItIsHG9004()
    {
        File.Delete(_folder.File("app", "TorchSharp.dll"));

        Assert.True(Run(Validator()));

        BuildWarningEventArgs warning = Assert.Single(_engine.Warnings);
        Assert.Equal("HG9004", warning.Code);
        Assert.Contains("could not validate 3 graph twins: TorchSharp.dll is not in", warning.Message);
        Assert.Contains("TorchSharp-cpu", warning.Message);
    }

    [Fact]
    public void TwinsAreReadFromTheAssemblysMetadata()
    {
        var twins = TwinRecords.Read(_assembly);
        Assert.Equal(new[] { "N.Good", "N.Bad", "N.After" }, twins.Select(t => t.Name));
        Assert.Equal(TwinAssembly.Bad.Source, twins[1].Source);
        Assert.Equal("Bad.cs(5)", twins[1].Location);
    }
}
