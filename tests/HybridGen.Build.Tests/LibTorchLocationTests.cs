using System;
using System.IO;
using HybridGen.Build.Tasks;

namespace HybridGen.Build.Tests;

public sealed class LibTorchLocationTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "hg-libtorch-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    private string FakeLibTorch()
    {
        string cmake = Path.Combine(_root, "share", "cmake", "Torch");
        Directory.CreateDirectory(cmake);
        File.WriteAllText(Path.Combine(cmake, "TorchConfig.cmake"), "# fake");
        return cmake;
    }

    [Fact]
    public void PropertyComesFirstAndMayNameTheLibtorchRoot()
    {
        string cmake = FakeLibTorch();
        var location = new LibTorchLocation();
        var found = location.Find(_root, "/elsewhere", "python3");
        Assert.Equal((Path.GetFullPath(cmake), "HybridGenLibTorchDir"), found);
    }

    [Fact]
    public void EnvironmentVariableIsSecond()
    {
        string cmake = FakeLibTorch();
        var found = new LibTorchLocation().Find(null, _root, "python3");
        Assert.Equal((Path.GetFullPath(cmake), LocateLibTorch.EnvironmentVariable), found);
    }

    [Fact]
    public void EveryAttemptThatMissedIsRecordedWithItsReason()
    {
        var location = new LibTorchLocation();
        location.Find(null, null, "no-such-python-hybridgen");
        Assert.Contains(location.Attempts, a => a == "the MSBuild property HybridGenLibTorchDir: not set");
        Assert.Contains(location.Attempts, a => a.StartsWith($"the environment variable {LocateLibTorch.EnvironmentVariable}: not set"));
        Assert.Contains(location.Attempts, a => a.StartsWith("no-such-python-hybridgen: not runnable"));
    }

    [Fact]
    public void AnExplicitPlaceWithoutLibtorchEndsTheSearch()
    {
        var location = new LibTorchLocation();
        Assert.Null(location.Find(Path.Combine(_root, "missing"), null, "python3"));
        string attempt = Assert.Single(location.Attempts);
        Assert.StartsWith("the MSBuild property HybridGenLibTorchDir = ", attempt);
        Assert.Contains("no TorchConfig.cmake", attempt);
        Assert.Null(new LibTorchLocation().Find(null, Path.Combine(_root, "missing"), "python3"));
    }

    [Fact]
    public void CMakeDirUnderAcceptsTheConfigFolderItself()
    {
        string cmake = FakeLibTorch();
        Assert.Equal(Path.GetFullPath(cmake), LibTorchLocation.CMakeDirUnder(cmake));
        Assert.Null(LibTorchLocation.CMakeDirUnder(Path.Combine(_root, "share")));
    }
}
