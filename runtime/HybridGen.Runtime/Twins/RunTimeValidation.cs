using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Text;
using HybridGen.Formats;
using HybridGen.Validation;
using TorchSharp;

namespace HybridGen.Twins;

/// <summary>
/// Proves TorchScript that no build saw (a module tree composed at run time, docs/modules.md) before this process
/// compiles it: libtorch aborts the process on a compile error (docs/architecture.md, decision 3), so the text is
/// first compiled by the build's own twin validator in a child process, with this application's TorchSharp. The
/// validator is copied next to the app by the build (<c>hybridgen/HybridGen.TwinValidator.dll</c>; HYBRIDGEN_VALIDATOR
/// names another). Each answer is
/// kept for the process and on disk, per libtorch version and source hash (<see cref="CacheFolder"/>), so a tree is
/// validated once per machine; an answer that says nothing about the text (no validator, a timeout) is kept for the
/// process only.
/// </summary>
internal static class RunTimeValidation
{
    /// <summary>How long the validator may take to start, and then to compile the text.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);

    private const string Passed = "ok", FailedPrefix = "failed ";

    // Source hash → null (it compiled) or why it may not be compiled here; one validation per text at a time.
    private static readonly ConcurrentDictionary<string, Lazy<string?>> s_answers = new(StringComparer.Ordinal);

    /// <summary>Where answers are kept: $HYBRIDGEN_CACHE (a relative path is taken from the current directory), else
    /// the user's local application data (~/.local/share/hybridgen on Linux); then <c>validated/LIBTORCH/HASH</c>.
    /// Null where the user has no such folder: answers are then kept for the process only (a shared temporary
    /// folder would let another user plant an answer).</summary>
    internal static string? CacheFolder
    {
        get
        {
            string? configured = Environment.GetEnvironmentVariable("HYBRIDGEN_CACHE");
            if (!string.IsNullOrWhiteSpace(configured)) return Path.GetFullPath(configured);
            string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            return string.IsNullOrEmpty(local) ? null : Path.Combine(local, "hybridgen");
        }
    }

    /// <summary>The validator: $HYBRIDGEN_VALIDATOR, else the one the build copied next to the app.</summary>
    internal static string ValidatorPath =>
        Environment.GetEnvironmentVariable("HYBRIDGEN_VALIDATOR") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(AppContext.BaseDirectory, "hybridgen", "HybridGen.TwinValidator.dll");

    /// <summary>Null when <paramref name="source"/> may be compiled in this process; else why not.
    /// <paramref name="name"/> names it in progress messages. Blocks while the validator runs (about a second, the
    /// first time on a machine; at most twice <see cref="Limit"/>): the dispatcher calls it from the twin's compile,
    /// off the caller's thread in auto mode with background compiles, on it in forced modes. Never throws.</summary>
    public static string? WhyNotValid(string source, string name)
    {
        string hash = ValidatedTwinsFile.Hash(source);
        return s_answers.GetOrAdd(hash, h => new Lazy<string?>(() =>
        {
            try
            {
                return Answer(source, h, name);
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                return "its composed TorchScript could not be validated: " + error.Message; // a bad path setting, say
            }
        })).Value;
    }

    /// <summary>Forgets the answers of this process (tests: the disk cache is then read again).</summary>
    internal static void ForgetInProcess() => s_answers.Clear();

    private static string? Answer(string source, string hash, string name)
    {
        string? record = CacheFolder is { } folder ? Path.Combine(folder, "validated", FileNameOf(torch.__version__), hash) : null;
        if (record is not null && Read(record) is { } known) return known.Length == 0 ? null : $"{known} (kept in {record})";
        (string? why, bool lasting) = Validate(source, name);
        if (lasting && record is not null) Write(record, why);
        return why;
    }

    /// <summary>"" for a text that compiled, the reason for one that did not, null for none recorded.</summary>
    private static string? Read(string record)
    {
        try
        {
            if (!File.Exists(record)) return null;
            string text = File.ReadAllText(record);
            if (text == Passed) return "";
            return text.StartsWith(FailedPrefix, StringComparison.Ordinal) ? text.Substring(FailedPrefix.Length) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // unreadable: validated again
        }
    }

    private static void Write(string record, string? why)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(record)!);
            // Written whole, then moved into place: another process never reads half an answer.
            string temporary = $"{record}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temporary, why is null ? Passed : FailedPrefix + why, new UTF8Encoding(false));
            File.Move(temporary, record, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            HybridRuntime.Warn($"the answer of the TorchScript validation could not be kept in {record} ({ex.Message}): it is validated again in the next process", isWarning: true);
        }
    }

    /// <summary>Runs the validator on the text. <c>lasting</c>: the answer is about the text (it compiled, or
    /// libtorch refused it), not about this run (no validator, a timeout).</summary>
    private static (string? why, bool lasting) Validate(string source, string name)
    {
        string validator = ValidatorPath;
        if (!File.Exists(validator))
            return ($"the twin validator is not next to the app ({validator}; the build copies it there unless HybridGenRunTimeValidation is false), so TorchScript composed at run time cannot be proven to compile", false);
        if (DotnetHost.Find() is not { } dotnet)
            return ("no dotnet host was found to run the twin validator with (set DOTNET_ROOT)", false);
        string appDirectory = Path.GetDirectoryName(typeof(torch).Assembly.Location) is { Length: > 0 } folder ? folder : AppContext.BaseDirectory;
        string twinsFile = Path.Combine(Path.GetTempPath(), $"hybridgen-twin-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        HybridRuntime.Warn($"{name}: validating its composed TorchScript in a child process (once per tree and libtorch on this machine)", isWarning: false);
        long start = Stopwatch.GetTimestamp();
        try
        {
            TwinValidatorProtocol.WriteTwins(twinsFile, new[] { new TwinToValidate(name, source) });
            var process = new ValidatorProcess(dotnet, validator, appDirectory, twinsFile, Limit);
            ValidatorRun run;
            lock (s_running) s_running.Add(process);
            try
            {
                run = process.Run(0);
            }
            finally
            {
                lock (s_running) s_running.Remove(process);
            }
            HybridRuntime.Warn($"{name}: validation took {Stopwatch.GetElapsedTime(start).TotalSeconds:F1} s", isWarning: false);
            if (run.Fatal is { } fatal) return ("the twin validator could not run: " + fatal, false);
            if (run.TimedOut is not null) return ($"the twin validator gave no answer within {Limit.TotalSeconds:F0} s", false);
            if (run.LibTorchVersion is { } version && version != torch.__version__)
                return ($"the twin validator loaded libtorch {version}, and this process runs {torch.__version__}", false);
            if (run.Results.TryGetValue(0, out string? error))
                return (error is null ? null : "its composed TorchScript did not compile: " + OneLine(error), true);
            // libtorch aborts on a compile error: the usual way a bad text ends, with its message on standard error.
            // Any other end (a signal, the OOM killer) says nothing lasting about the text.
            if (run.Crashed is not null)
                return run.StandardError.Contains("terminate called after throwing", StringComparison.Ordinal)
                    ? ("its composed TorchScript did not compile (libtorch ended the validator process): " + OneLine(run.CrashMessage ?? ""), true)
                    : ("the twin validator ended while compiling it: " + OneLine(run.CrashMessage ?? ""), false);
            return ($"the twin validator ended without an answer (exit code {run.ExitCode}): {OneLine(Tail(run.StandardError))}", false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return ("the twin validator could not be started: " + ex.Message, false);
        }
        finally
        {
            try { File.Delete(twinsFile); } catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        }
    }

    private static readonly System.Collections.Generic.List<ValidatorProcess> s_running = new();

    static RunTimeValidation() =>
        // A process that exits while a validator runs stops it, rather than waiting for it (BackgroundCompiles waits
        // for the compile that started it) or leaving it behind.
        BackgroundCompiles.BeforeExit(() =>
        {
            lock (s_running) foreach (ValidatorProcess process in s_running) process.Cancel();
        });

    private static string FileNameOf(string version)
    {
        var text = new StringBuilder(version.Length);
        foreach (char c in version) text.Append(char.IsLetterOrDigit(c) || c is '.' or '+' or '-' ? c : '_');
        return text.ToString();
    }

    private static string OneLine(string text) => TwinValidatorProtocol.OneLine(text).Trim();

    private static string Tail(string text) => text.Length <= 400 ? text : text.Substring(text.Length - 400);
}
