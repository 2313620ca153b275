using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using HybridGen.Formats;
using TorchSharp;

namespace HybridGen.Twins;

/// <summary>
/// Whether the build validated a twin for the libtorch this process runs (the <c>NAME.twins.validated</c> record
/// next to the assembly, written by the HybridGenValidateTwins build step). Read once per assembly.
/// </summary>
internal static class TwinValidation
{
    private static readonly ConcurrentDictionary<Assembly, Record> s_records = new();

    private sealed record Record(string? Libtorch, HashSet<string>? Hashes, Dictionary<string, string>? Failures, string? Problem);

    /// <summary>Null when the twin may be compiled here; else why not, for the report.</summary>
    public static string? WhyNotValidated(Assembly assembly, string source)
    {
        Record record = s_records.GetOrAdd(assembly, Load);
        if (record.Problem is not null) return record.Problem;
        string here = torch.__version__;
        if (!string.Equals(record.Libtorch, here, StringComparison.Ordinal))
            return $"its twin was validated for libtorch {record.Libtorch}, and this process runs libtorch {here}: rebuild the project";
        string hash = ValidatedTwinsFile.Hash(source);
        if (record.Hashes!.Contains(hash)) return null;
        return record.Failures!.TryGetValue(hash, out string? reason)
            ? $"its graph twin failed validation at build time (HG0302): {reason}"
            : "its twin is not in the build's validation record (the assembly changed after validation): rebuild the project";
    }

    private static Record Load(Assembly assembly)
    {
        string location = assembly.Location;
        if (string.IsNullOrEmpty(location))
            return new Record(null, null, null, "its assembly has no file, so the build's twin validation record cannot be found");
        string path = ValidatedTwinsFile.PathFor(location);
        if (!File.Exists(path))
            return new Record(null, null, null, $"the build did not validate its twin ({Path.GetFileName(path)} is missing; HybridGenValidateTwins must be on, and the project must reference TorchSharp-cpu or TorchSharp-cuda-linux)");
        var parsed = ValidatedTwinsFile.Parse(File.ReadAllText(path));
        return parsed is { } p ? new Record(p.libtorch, p.hashes, p.failures, null) : new Record(null, null, null, $"{Path.GetFileName(path)} is not a twin validation record");
    }
}
