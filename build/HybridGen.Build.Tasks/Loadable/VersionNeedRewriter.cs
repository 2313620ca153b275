using System;
using System.Collections.Generic;
using System.IO;
using HybridGen.Build.Tasks.Elf;

namespace HybridGen.Build.Tasks.Loadable;

internal enum RewriteOutcome
{
    /// <summary>The system defines every version the file needs from the library (also: the file was rewritten before).</summary>
    AlreadyLoadable,
    /// <summary>The file was replaced by a copy whose missing needs name versions the system has.</summary>
    Rewritten,
    /// <summary>A missing version is needed by a real symbol (or cannot be stood in for): the file was left as it is.</summary>
    Refused,
}

internal sealed record RewriteResult(RewriteOutcome Outcome, IReadOnlyList<Retargeting> Retargetings, string? Refusal);

/// <summary>
/// Makes one copy of a shared library loadable with the system's version of a library it needs, by retargeting the
/// missing version needs that only markers use (<see cref="VersionNeedPlanner"/>). The file is never written in
/// place: the output folder's copy may be a hard link into the NuGet cache, which must never change.
/// </summary>
internal static class VersionNeedRewriter
{
    public static RewriteResult MakeLoadable(string path, string library, IReadOnlyCollection<string> provided)
    {
        byte[] bytes = File.ReadAllBytes(path);
        VersionNeedPlan plan = VersionNeedPlanner.Plan(ElfVersionNeeds.Read(bytes), library, provided);
        if (plan.Refusal is not null) return new RewriteResult(RewriteOutcome.Refused, plan.Retargetings, plan.Refusal);
        if (plan.NothingMissing) return new RewriteResult(RewriteOutcome.AlreadyLoadable, plan.Retargetings, null);
        foreach (Retargeting retargeting in plan.Retargetings)
            ElfVersionNeeds.Retarget(bytes, retargeting.Missing, retargeting.Replacement);
        // The rewritten image must parse and need nothing missing, or it is not written at all.
        if (!VersionNeedPlanner.Plan(ElfVersionNeeds.Read(bytes), library, provided).NothingMissing)
            throw new InvalidDataException("the rewritten file still needs a version the system lacks");
        Replace(path, bytes);
        return new RewriteResult(RewriteOutcome.Rewritten, plan.Retargetings, null);
    }

    /// <summary>
    /// Writes <paramref name="bytes"/> to a new file beside <paramref name="path"/> and renames it over the path: a
    /// hard link at <paramref name="path"/> is replaced, not written through, so the file it shares its contents
    /// with (in the NuGet cache) stays as it is; a reader never sees half a file. The mode is kept (the loader needs
    /// nothing more, but users expect what NuGet gave them), and so is the modification time, with the size
    /// unchanged: MSBuild's incremental copy compares those two with the package's file, and so leaves the
    /// rewritten copy in place on the next build instead of linking the original back.
    /// </summary>
    internal static void Replace(string path, byte[] bytes)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        string temporary = Path.Combine(folder, $".{Path.GetFileName(path)}.{Guid.NewGuid():N}.hybridgen.tmp");
        DateTime modified = File.GetLastWriteTimeUtc(path);
        try
        {
            File.WriteAllBytes(temporary, bytes);
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(temporary, File.GetUnixFileMode(path));
            File.SetLastWriteTimeUtc(temporary, modified);
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }
}
