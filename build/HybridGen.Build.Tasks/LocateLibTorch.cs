using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace HybridGen.Build.Tasks;

/// <summary>
/// Locates libtorch: the HybridGenLibTorchDir property, then the HYBRIDGEN_LIBTORCH_DIR environment variable, then a
/// Python torch install, then the system's libtorch. Fails with HG9001, listing what was tried and how to fix it.
/// </summary>
public sealed class LocateLibTorch : Task
{
    public const string EnvironmentVariable = "HYBRIDGEN_LIBTORCH_DIR";

    /// <summary>The HybridGenLibTorchDir property: a libtorch root or the folder holding TorchConfig.cmake.</summary>
    public string? LibTorchDir { get; set; }

    /// <summary>The Python interpreter asked for a torch install.</summary>
    public string Python { get; set; } = "python3";

    /// <summary>The folder holding TorchConfig.cmake (CMake's Torch_DIR).</summary>
    [Output] public string? TorchCMakeDir { get; set; }

    [Output] public string? FoundBy { get; set; }

    public override bool Execute()
    {
        var location = new LibTorchLocation();
        var found = location.Find(LibTorchDir, System.Environment.GetEnvironmentVariable(EnvironmentVariable), Python);
        if (found is { } f)
        {
            TorchCMakeDir = f.cmakeDir;
            FoundBy = f.source;
            Log.LogMessage(MessageImportance.Low, $"HybridGen: libtorch at {f.cmakeDir} (from {f.source})");
            return true;
        }
        Log.LogError(
            subcategory: null, errorCode: "HG9001", helpKeyword: null, file: null,
            lineNumber: 0, columnNumber: 0, endLineNumber: 0, endColumnNumber: 0,
            message: "HybridGen could not find libtorch. Tried, in order: " + string.Join("; ", location.Attempts) +
                     ". To fix: on Debian or Ubuntu run 'sudo apt-get install libtorch-dev libopenblas0-pthread'; " +
                     "or set the MSBuild property HybridGenLibTorchDir (or the environment variable " +
                     EnvironmentVariable + ") to a libtorch folder, the one holding share/cmake/Torch; " +
                     "or install PyTorch for python3.");
        return false;
    }
}
