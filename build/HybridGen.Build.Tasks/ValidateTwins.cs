using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using HybridGen.Formats;
using HybridGen.Validation;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace HybridGen.Build.Tasks;

/// <summary>
/// Compiles every graph twin recorded in the built assembly with the application's own TorchSharp and libtorch, and
/// reports a twin that does not compile as HG0302 at the C# line of the failing statement, so no user meets a
/// TorchScript compile error at run time. Such a twin is HybridGen's bug, not the user's: HG0302 is a warning and
/// the method runs eager, unless the project asks for an error (<see cref="FailuresAreErrors"/>; HybridGen's own
/// tests do). libtorch aborts the process on most compile errors (docs/architecture.md, decision 3), so the
/// compiling happens in a child process (build/HybridGen.TwinValidator), restarted after the twin that killed it.
/// The twins that compiled are recorded next to the assembly (<see cref="ValidatedTwinsFile"/>), with the ones that
/// failed and why: the runtime compiles only the first, and reports the reason for the others.
/// </summary>
public sealed class ValidateTwins : Task, ICancelableTask
{
    /// <summary>The assembly in the output folder: its twins are read from it, TorchSharp is loaded from its
    /// folder, and the validation record is written beside it.</summary>
    [Required] public string AssemblyPath { get; set; } = "";

    /// <summary>HybridGen.TwinValidator.dll.</summary>
    public string ValidatorPath { get; set; } = "";

    /// <summary>The project's C# files, to turn a file name in a twin comment into a path.</summary>
    public ITaskItem[] SourceFiles { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Compile the twins (false: only write them, when <see cref="TwinDirectory"/> is set).</summary>
    public bool Validate { get; set; } = true;

    /// <summary>Where to write each twin's TorchScript as NAME.py for inspection; empty writes none.</summary>
    public string? TwinDirectory { get; set; }

    /// <summary>The program that runs the validator: empty for the <c>dotnet</c> of this build (DOTNET_HOST_PATH), else
    /// the first on PATH.</summary>
    public string? DotnetPath { get; set; }

    /// <summary>Report a twin that does not compile as error HG0302 (MSBuild property HybridGenTwinFailuresAreErrors)
    /// rather than as a warning.</summary>
    public bool FailuresAreErrors { get; set; }

    /// <summary>How long the validator may take to start, and to compile one twin.</summary>
    public int TimeoutSeconds { get; set; } = 120;

    [Output] public int TwinCount { get; set; }

    /// <summary>The validation record written (empty when none was).</summary>
    [Output] public string RecordPath { get; set; } = "";

    private ValidatorProcess? _validator;
    private volatile bool _cancelled;

    public void Cancel()
    {
        _cancelled = true;
        _validator?.Cancel();
    }

    public override bool Execute()
    {
        List<TwinRecord> twins = TwinRecords.Read(AssemblyPath);
        TwinCount = twins.Count;
        if (twins.Count == 0) return true;
        if (!string.IsNullOrEmpty(TwinDirectory)) WriteTwinFiles(twins);
        if (!Validate) return true;

        string record = ValidatedTwinsFile.PathFor(AssemblyPath);
        if (File.Exists(record)) File.Delete(record); // whatever happens below, an old record must not vouch for these twins
        string appDirectory = Path.GetDirectoryName(Path.GetFullPath(AssemblyPath))!;
        if (WhyNotValidatable(appDirectory) is string problem)
        {
            CouldNotValidate(twins.Count, problem);
            return true;
        }

        string twinsFile = Path.Combine(Path.GetTempPath(), $"hybridgen-twins-{Guid.NewGuid():N}.json");
        try
        {
            TwinValidatorProtocol.WriteTwins(twinsFile, twins.Select(t => new TwinToValidate(t.Name, t.Source)).ToList());
            _validator = new ValidatorProcess(Dotnet()!, Path.GetFullPath(ValidatorPath), appDirectory, twinsFile, TimeSpan.FromSeconds(Math.Max(1, TimeoutSeconds)));
            (string? version, Dictionary<int, string?> results) = CompileAll(twins);
            Report(twins, results, version, record);
        }
        finally
        {
            File.Delete(twinsFile);
        }
        return !Log.HasLoggedErrors;
    }

    /// <summary>Runs the validator until every twin has an answer or it cannot go on; restarts it after a twin
    /// that ended the process.</summary>
    private (string? version, Dictionary<int, string?> results) CompileAll(List<TwinRecord> twins)
    {
        var results = new Dictionary<int, string?>();
        string? version = null;
        int first = 0, runs = 0;
        while (first < twins.Count && !_cancelled)
        {
            ValidatorRun run;
            try
            {
                run = _validator!.Run(first);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException)
            {
                CouldNotValidate(twins.Count - results.Count, $"the twin validator could not be started ({Dotnet()} {ValidatorPath}): {ex.Message}");
                break;
            }
            runs++;
            version ??= run.LibTorchVersion;
            foreach (KeyValuePair<int, string?> result in run.Results) results[result.Key] = result.Value;
            if (run.Crashed is int crashed)
            {
                results[crashed] = run.CrashMessage;
                first = crashed + 1;
                continue;
            }
            if (run.TimedOut is int hung)
            {
                if (hung < 0)
                {
                    CouldNotValidate(twins.Count - results.Count, $"the validator did not start within {TimeoutSeconds} s");
                    break;
                }
                (string file, int line) = Declaration(twins[hung]);
                Log.LogWarning(null, "HG9004", null, file, line, 0, 0, 0,
                    $"HybridGen could not validate the graph twin of '{twins[hung].Name}': compiling it took longer than {TimeoutSeconds} s, so the validator was stopped (the twin is not used at run time).");
                first = hung + 1;
                continue;
            }
            if (run.Fatal is not null)
            {
                CouldNotValidate(twins.Count - results.Count, run.Fatal);
                break;
            }
            while (results.ContainsKey(first)) first++;
            if (first < twins.Count)
            {
                CouldNotValidate(twins.Count - results.Count, ValidatorProcess.CrashMessage(run.StandardError, run.ExitCode).Replace(" while compiling it", " before compiling twin " + first));
                break;
            }
        }
        Log.LogMessage(MessageImportance.Low, $"HybridGen: the twin validator ran {runs} time(s).");
        return (version, results);
    }

    private void Report(List<TwinRecord> twins, Dictionary<int, string?> results, string? version, string record)
    {
        var failures = new List<(string source, string reason)>();
        for (int k = 0; k < twins.Count; k++)
        {
            if (!results.TryGetValue(k, out string? message) || message is null) continue;
            (string file, int line, string code) = Origin(twins[k], message);
            string reason = $"The graph twin of '{twins[k].Name}' does not compile with libtorch{(code.Length > 0 ? $" at '{code}'" : "")}: {Summary(message)}";
            failures.Add((twins[k].Source, reason));
            if (FailuresAreErrors)
                Log.LogError(null, "HG0302", null, file, line, 0, 0, 0, reason);
            else
                Log.LogWarning(null, "HG0302", null, file, line, 0, 0, 0, reason + " The method runs eager; this is HybridGen's bug, please report it.");
        }
        int compiled = results.Count(r => r.Value is null);
        if (version is null) return;
        Log.LogMessage(MessageImportance.Normal, $"HybridGen: compiled {results.Count} of {twins.Count} graph twins with libtorch {version}: {compiled} compiled, {failures.Count} failed.");
        File.WriteAllText(record, ValidatedTwinsFile.Format(version, Enumerable.Range(0, twins.Count).Where(k => results.TryGetValue(k, out string? m) && m is null).Select(k => twins[k].Source), failures));
        RecordPath = record;
    }

    /// <summary>Null when the validator can be run for this application; else why not.</summary>
    private string? WhyNotValidatable(string appDirectory)
    {
        if (!File.Exists(Path.Combine(appDirectory, "TorchSharp.dll")))
            return $"TorchSharp.dll is not in {appDirectory} (the project must reference TorchSharp-cpu or TorchSharp-cuda-linux)";
        if (string.IsNullOrEmpty(ValidatorPath) || !File.Exists(ValidatorPath))
            return $"the twin validator {ValidatorPath} is missing";
        if (Dotnet() is null)
            return "no 'dotnet' to run the twin validator with (neither DOTNET_HOST_PATH nor PATH names one)";
        return null;
    }

    private string? Dotnet() => string.IsNullOrEmpty(DotnetPath) ? DotnetHost.Find() : DotnetPath;

    private void CouldNotValidate(int count, string why) =>
        Log.LogWarning(null, "HG9004", null, null, 0, 0, 0, 0,
            $"HybridGen could not validate {count} graph twin{(count == 1 ? "" : "s")}: {why}. Twins that were not validated are not used at run time (their methods run eager); set HybridGenValidateTwins=false to skip validation.");

    private void WriteTwinFiles(List<TwinRecord> twins)
    {
        Directory.CreateDirectory(TwinDirectory!);
        foreach (TwinRecord twin in twins)
            File.WriteAllText(Path.Combine(TwinDirectory!, twin.Name + ".py"), $"# The graph twin of {twin.Name} ({twin.Location}), as HybridGen emitted it.\n{twin.Source}");
        Log.LogMessage(MessageImportance.Normal, $"HybridGen: wrote {twins.Count} graph twins to {Path.GetFullPath(TwinDirectory!)}");
    }

    /// <summary>The C# file, line and code of the failing TorchScript line (from the comment that governs it), or the
    /// hybridized method's declaration. A compile error names the failing twin line first.</summary>
    private (string file, int line, string code) Origin(TwinRecord twin, string message)
    {
        IReadOnlyList<int> lines = TwinSourceFormat.ScriptLines(message);
        if (lines.Count > 0 && TwinSourceFormat.TryFindOrigin(twin.Source, lines[0], out string file, out int line, out string code))
            return (PathOf(file), line, code);
        (string declaredIn, int declaredAt) = Declaration(twin);
        return (declaredIn, declaredAt, "");
    }

    /// <summary>Where the hybridized method is declared (the twin record's location).</summary>
    private (string file, int line) Declaration(TwinRecord twin) =>
        TwinSourceFormat.TryParseLocation(twin.Location, out string file, out int line) ? (PathOf(file), line) : ("", 0);

    private string PathOf(string fileName) =>
        SourceFiles.Select(s => s.GetMetadata("FullPath")).FirstOrDefault(p => string.Equals(Path.GetFileName(p), fileName, StringComparison.Ordinal)) ?? fileName;

    /// <summary>The message part of a TorchScript error, before the source excerpt it quotes, on one line.</summary>
    internal static string Summary(string message)
    {
        string[] lines = message.Replace("\r", "").Split('\n').Select(l => l.Trim()).ToArray();
        int excerpt = Array.FindIndex(lines, l => l.StartsWith("File \"<string>\"", StringComparison.Ordinal));
        string[] text = (excerpt < 0 ? lines.Take(3) : lines.Take(excerpt)).Where(l => l.Length > 0 && l != ":").ToArray();
        string summary = string.Join(" ", text.Length > 0 ? text : lines.Where(l => l.Length > 0).Take(1)).TrimEnd(':', ' ');
        return summary.Length <= 500 ? summary : summary.Substring(0, 500) + "…";
    }
}
