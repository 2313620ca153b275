using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using HybridGen.Formats;

namespace HybridGen.Validation;

/// <summary>What one run of the validator process told (see <see cref="TwinValidatorProtocol"/>).</summary>
internal sealed class ValidatorRun
{
    /// <summary>TorchSharp's libtorch version, once the validator said "ready".</summary>
    public string? LibTorchVersion { get; set; }

    /// <summary>Twin index → null (it compiled) or the error message.</summary>
    public Dictionary<int, string?> Results { get; } = new();

    /// <summary>The twin being compiled when the process ended without answering (an abort or a crash).</summary>
    public int? Crashed { get; set; }

    /// <summary>Why it crashed: libtorch's "what():" text, or the end of standard error.</summary>
    public string? CrashMessage { get; set; }

    /// <summary>The twin being compiled when the time limit ran out; -1 if it ran out while starting.</summary>
    public int? TimedOut { get; set; }

    /// <summary>The validator's own "fatal" line (it could not load TorchSharp, say).</summary>
    public string? Fatal { get; set; }

    public int ExitCode { get; set; }

    public string StandardError { get; set; } = "";
}

/// <summary>
/// Runs the validator once, from one twin on, and reads its answers as they come, so that a process that libtorch
/// aborts still tells which twin it was compiling. Each answer (starting up, one twin) must come within the time
/// limit, or the process is killed.
/// </summary>
internal sealed class ValidatorProcess
{
    private readonly string _dotnet, _validator, _appDirectory, _twinsFile;
    private readonly TimeSpan _limit;
    private Process? _current;

    public ValidatorProcess(string dotnet, string validator, string appDirectory, string twinsFile, TimeSpan limit)
    {
        (_dotnet, _validator, _appDirectory, _twinsFile, _limit) = (dotnet, validator, appDirectory, twinsFile, limit);
    }

    /// <summary>Kills the running validator (the build was cancelled).</summary>
    public void Cancel()
    {
        try { _current?.Kill(entireProcessTree: true); }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException or AggregateException) { }
    }

    public ValidatorRun Run(int first)
    {
        var run = new ValidatorRun();
        var start = new ProcessStartInfo(_dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string argument in new[] { _validator, _appDirectory, _twinsFile, first.ToString(CultureInfo.InvariantCulture) })
            start.ArgumentList.Add(argument);
        // An abort is expected here: no crash dump or crash report for it.
        start.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        start.Environment["DOTNET_EnableCrashReport"] = "0";

        var error = new StringBuilder();
        var lines = new BlockingCollection<string?>();
        using var process = new Process { StartInfo = start };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (error) error.Append(e.Data).Append('\n'); };
        process.Start();
        _current = process;
        process.BeginErrorReadLine();
        var reader = new Thread(() =>
        {
            try
            {
                string? line;
                while ((line = process.StandardOutput.ReadLine()) is not null) lines.Add(line);
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                // The process was killed or disposed: the end of its output, as far as this run is concerned.
            }
            lines.Add(null);
        }) { IsBackground = true, Name = "HybridGen validator output" };
        reader.Start();

        int? compiling = null;
        while (true)
        {
            if (!lines.TryTake(out string? line, _limit))
            {
                run.TimedOut = compiling ?? -1;
                Cancel();
                break;
            }
            if (line is null) break;
            if (TwinValidatorProtocol.Parse(line) is not { } answer) continue; // not the protocol: ignored
            (string kind, int index, string text) = answer;
            switch (kind)
            {
                case "ready": run.LibTorchVersion = text; break;
                case "begin": compiling = index; break;
                case "ok": run.Results[index] = null; compiling = null; break;
                case "error": run.Results[index] = text; compiling = null; break;
                case "fatal": run.Fatal = text; break;
            }
        }
        // Its output has ended, so it is exiting. Once it has, the parameterless wait also lets standard error be
        // read to its end (libtorch's "what():" text comes last); a process that does not exit is killed.
        if (process.WaitForExit(10_000)) process.WaitForExit();
        else { Cancel(); process.WaitForExit(5_000); }
        reader.Join(5_000);
        _current = null;
        run.ExitCode = process.ExitCode;
        lock (error) run.StandardError = error.ToString();
        if (run.TimedOut is null && compiling is int crashed)
        {
            run.Crashed = crashed;
            run.CrashMessage = CrashMessage(run.StandardError, run.ExitCode);
        }
        return run;
    }

    /// <summary>libtorch's message for an exception that escaped to std::terminate ("terminate called after throwing
    /// an instance of 'torch::jit::ErrorReport'  what(): …"), or the end of standard error and the exit status.</summary>
    internal static string CrashMessage(string standardError, int exitCode)
    {
        int terminate = standardError.LastIndexOf("terminate called after throwing", StringComparison.Ordinal);
        if (terminate >= 0)
        {
            int what = standardError.IndexOf("what():", terminate, StringComparison.Ordinal);
            return (what >= 0 ? standardError.Substring(what + "what():".Length) : standardError.Substring(terminate)).Trim();
        }
        string status = exitCode > 128 ? $"killed by signal {exitCode - 128}" : $"exit code {exitCode}";
        string[] tail = standardError.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).TakeLast(5).ToArray();
        return $"the validator process ended ({status}) while compiling it" + (tail.Length > 0 ? ": " + string.Join(" ", tail) : "");
    }
}
