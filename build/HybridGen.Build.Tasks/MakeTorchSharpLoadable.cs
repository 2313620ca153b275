using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using HybridGen.Build.Tasks.Elf;
using HybridGen.Build.Tasks.Loadable;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace HybridGen.Build.Tasks;

/// <summary>
/// Makes the application's copy of TorchSharp's native wrapper (libLibTorchSharp.so) loadable with the system's
/// libstdc++ (docs/architecture.md, decision 9). TorchSharp 0.107 was built with GCC 13 and needs GLIBCXX_3.4.32 for a marker
/// symbol nothing uses; Debian 12 and Ubuntu 22.04 stop at 3.4.30, so TorchSharp fails to load there. The copy's
/// missing need is pointed at the newest version the system has; the NuGet cache is never touched. Where the
/// system's libstdc++ is new enough, or the copy was made loadable before, it does nothing.
/// </summary>
public sealed class MakeTorchSharpLoadable : Task
{
    public const string LibStdCxx = "libstdc++.so.6";

    /// <summary>Where the application's copy may be; those that do not exist are skipped.</summary>
    [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The libstdc++ to make the files loadable with; empty: the one the loader would take.</summary>
    public string? LibStdCxxPath { get; set; }

    [Output] public ITaskItem[] RewrittenFiles { get; set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            Log.LogMessage(MessageImportance.Low, "HybridGen: TorchSharp's natives are only made loadable on Linux x64; nothing to do here.");
            return true;
        }
        var rewritten = new List<ITaskItem>();
        var retargetings = new List<Retargeting>();
        foreach (string path in Files.Select(f => f.GetMetadata("FullPath")).Where(File.Exists).Distinct(StringComparer.Ordinal))
        {
            RewriteResult? result = MakeLoadable(path);
            if (result?.Outcome != RewriteOutcome.Rewritten) continue;
            rewritten.Add(new TaskItem(path));
            retargetings.AddRange(result.Retargetings);
        }
        RewrittenFiles = rewritten.ToArray();
        if (rewritten.Count > 0)
        {
            string changes = string.Join(", ", retargetings.Select(r => $"{r.Missing.Name} → {Number(r.Replacement.Name)}").Distinct(StringComparer.Ordinal));
            Log.LogMessage(MessageImportance.High,
                $"HybridGen: made libLibTorchSharp.so loadable with this system's libstdc++ ({changes}; see HybridGen's docs/build.md); set HybridGenPatchTorchSharp=false to turn this off");
        }
        return !Log.HasLoggedErrors;
    }

    private RewriteResult? MakeLoadable(string path)
    {
        try
        {
            string? libstdcxx = string.IsNullOrEmpty(LibStdCxxPath) ? SystemLibraries.Find(LibStdCxx, Path.GetDirectoryName(path)) : LibStdCxxPath;
            if (libstdcxx is null)
            {
                Log.LogMessage(MessageImportance.Low, $"HybridGen: no {LibStdCxx} in {string.Join(", ", SystemLibraries.DefaultFolders)}; left {path} as it is.");
                return null;
            }
            IReadOnlyCollection<string> provided = ElfVersionDefinitions.Read(File.ReadAllBytes(libstdcxx));
            RewriteResult result = VersionNeedRewriter.MakeLoadable(path, LibStdCxx, provided);
            switch (result.Outcome)
            {
                case RewriteOutcome.AlreadyLoadable:
                    Log.LogMessage(MessageImportance.Low, $"HybridGen: {path} needs no version that {libstdcxx} lacks; left as it is.");
                    break;
                case RewriteOutcome.Refused:
                    Warn($"HybridGen left {path} as it is, so TorchSharp may fail to load on this system: {result.Refusal}. Use a system with a newer libstdc++, or set HybridGenPatchTorchSharp=false to silence this.");
                    break;
                case RewriteOutcome.Rewritten:
                    Log.LogMessage(MessageImportance.Normal, $"HybridGen: rewrote the version needs of {path} for {libstdcxx}.");
                    break;
            }
            return result;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Warn($"HybridGen could not make {path} loadable with this system's libstdc++ (left as it is): {ex.Message}");
            return null;
        }
    }

    private void Warn(string message) => Log.LogWarning(null, "HG9010", null, null, 0, 0, 0, 0, message);

    /// <summary>"3.4.30" for "GLIBCXX_3.4.30".</summary>
    private static string Number(string version) => version.Substring(version.LastIndexOf('_') + 1);
}
