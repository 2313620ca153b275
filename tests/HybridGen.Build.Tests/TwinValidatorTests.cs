using System.IO;
using System.Linq;
using System.Reflection;
using HybridGen.Formats;

namespace HybridGen.Build.Tests;

/// <summary>The validator program itself, where it cannot start: one clear line and an exit code, never a crash
/// (and never TorchSharp's fallback of copying the NuGet cache's natives into the application's folder).</summary>
public sealed class TwinValidatorTests : System.IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _twins;

    public TwinValidatorTests()
    {
        _twins = _folder.File("twins.json");
        TwinValidatorProtocol.WriteTwins(_twins, new[] { new TwinToValidate("N.Good", TwinAssembly.Good.Source) });
    }

    public void Dispose() => _folder.Dispose();

    private static string Validator =>
        typeof(TwinValidatorTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "HybridGenRoot").Value
        + "artifacts/validator/HybridGen.TwinValidator.dll";

    private (int exit, string output) Run(params string[] arguments) => ScratchBuild.Dotnet(_folder.Path, new[] { Validator }.Concat(arguments).ToArray());

    private string App()
    {
        string app = Directory.CreateDirectory(_folder.File("app")).FullName;
        string package = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(Files.TorchSharpNative))))!;
        File.Copy(Path.Combine(package, "lib", "net8.0", "TorchSharp.dll"), Path.Combine(app, "TorchSharp.dll"));
        return app;
    }

    [Fact]
    public void WithoutTorchSharpItSaysSoAndExits3()
    {
        (int exit, string output) = Run(_folder.Path, _twins);

        Assert.Equal(TwinValidatorProtocol.ExitCannotLoad, exit);
        Assert.Contains($"fatal TorchSharp.dll is not in {_folder.Path}", output);
        Assert.Contains($"HybridGen.TwinValidator: TorchSharp.dll is not in {_folder.Path}", output);
    }

    [Fact]
    public void WithoutTorchSharpsNativesItSaysSoAndExits3()
    {
        string app = App();

        (int exit, string output) = Run(app, _twins);

        Assert.Equal(TwinValidatorProtocol.ExitCannotLoad, exit);
        Assert.Contains("fatal TorchSharp's native library (libLibTorchSharp.so) is not in", output);
        Assert.False(Directory.Exists(Path.Combine(app, "cpu")));
    }

    [Fact]
    public void WithNativesThatDoNotLoadItGivesTheLoadersReasonAndExits3()
    {
        string app = App();
        string natives = Directory.CreateDirectory(Path.Combine(app, "runtimes", "linux-x64", "native")).FullName;
        File.Copy(Files.TorchSharpNative, Path.Combine(natives, "libLibTorchSharp.so")); // without libtorch beside it

        (int exit, string output) = Run(app, _twins);

        Assert.Equal(TwinValidatorProtocol.ExitCannotLoad, exit);
        Assert.Contains($"fatal loading {Path.Combine(natives, "libLibTorchSharp.so")} failed: ", output);
        Assert.DoesNotContain("ready", output);
        Assert.False(Directory.Exists(Path.Combine(app, "cpu")));
    }

    [Fact]
    public void BadArgumentsExit2WithTheUsage()
    {
        (int exit, string output) = Run("only-one");

        Assert.Equal(TwinValidatorProtocol.ExitBadArguments, exit);
        Assert.Contains("usage: dotnet HybridGen.TwinValidator.dll APP_DIR TWINS_FILE [FIRST]", output);
    }
}
