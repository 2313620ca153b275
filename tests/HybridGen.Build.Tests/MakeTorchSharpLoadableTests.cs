using System;
using System.IO;
using System.Linq;
using HybridGen.Build.Tasks;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace HybridGen.Build.Tests;

/// <summary>The task as the build runs it, against a crafted system libstdc++ of either age.</summary>
public sealed class MakeTorchSharpLoadableTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _native;
    private readonly RecordingBuildEngine _engine = new();

    public MakeTorchSharpLoadableTests()
    {
        _native = _folder.File("runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Directory.CreateDirectory(Path.GetDirectoryName(_native)!);
        File.Copy(Files.TorchSharpNative, _native);
    }

    public void Dispose() => _folder.Dispose();

    private bool Run(string[] systemVersions, params string[] files)
    {
        string libstdcxx = _folder.File("libstdc++.so.6");
        FakeElf.WriteVersionDefinitions(libstdcxx, "libstdc++.so.6", systemVersions);
        var task = new MakeTorchSharpLoadable
        {
            BuildEngine = _engine,
            LibStdCxxPath = libstdcxx,
            Files = files.Select(f => (ITaskItem)new TaskItem(f)).ToArray(),
        };
        return task.Execute();
    }

    [Fact]
    public void OnDebian12ItSaysOnceWhatItDidAndHowToTurnItOff()
    {
        Assert.True(Run(Files.Debian12LibStdCxx.ToArray(), _native, _folder.File("libLibTorchSharp.so")));

        string message = Assert.Single(_engine.MessagesAbove(MessageImportance.High));
        Assert.Contains("made libLibTorchSharp.so loadable with this system's libstdc++ (GLIBCXX_3.4.32 → 3.4.30", message);
        Assert.Contains("HybridGenPatchTorchSharp=false", message);
        Assert.Empty(_engine.Warnings);
        Assert.NotEqual(Files.Sha256(Files.TorchSharpNative), Files.Sha256(_native));
    }

    [Fact]
    public void ASecondRunSaysNothing()
    {
        Run(Files.Debian12LibStdCxx.ToArray(), _native);
        _engine.Messages.Clear();

        Assert.True(Run(Files.Debian12LibStdCxx.ToArray(), _native));

        Assert.Empty(_engine.MessagesAbove(MessageImportance.Normal));
        Assert.Empty(_engine.Warnings);
    }

    [Fact]
    public void WithANewEnoughLibStdCxxItSaysNothingAndChangesNothing()
    {
        Assert.True(Run(Files.Debian13LibStdCxx.ToArray(), _native));

        Assert.Empty(_engine.MessagesAbove(MessageImportance.Normal));
        Assert.Empty(_engine.Warnings);
        Assert.Equal(Files.Sha256(Files.TorchSharpNative), Files.Sha256(_native));
    }

    [Fact]
    public void AFileItCannotReadIsWarningHG9010AndNotAFailure()
    {
        File.WriteAllText(_native, "not a library");

        Assert.True(Run(Files.Debian12LibStdCxx.ToArray(), _native));

        BuildWarningEventArgs warning = Assert.Single(_engine.Warnings);
        Assert.Equal("HG9010", warning.Code);
        Assert.Contains(_native, warning.Message);
        Assert.Equal("not a library", File.ReadAllText(_native));
    }
}
