using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace HybridGen.Build.Tasks;

/// <summary>
/// Compiles every graph twin recorded in the built assembly with libtorch, through the native shim the build made,
/// and reports a twin that does not compile as error HG0302 at the C# line of the failing statement. So no user
/// meets a TorchScript compile error at run time.
/// </summary>
public sealed class ValidateTwins : Task
{
    private static readonly Regex s_line = new(@"File ""<string>"", line (\d+)", RegexOptions.Compiled);
    private static readonly Regex s_origin = new(@"^\s*# (.+?)\((\d+)\): (.*)$", RegexOptions.Compiled);

    [Required] public string AssemblyPath { get; set; } = "";

    [Required] public string ShimPath { get; set; } = "";

    /// <summary>The project's C# files, to turn a file name in a twin comment into a path.</summary>
    public ITaskItem[] SourceFiles { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>Compile the twins (false: only write them, when <see cref="TwinDirectory"/> is set).</summary>
    public bool Validate { get; set; } = true;

    /// <summary>Where to write each twin's TorchScript as NAME.py for inspection; empty writes none.</summary>
    public string? TwinDirectory { get; set; }

    [Output] public int TwinCount { get; set; }

    private delegate int Compile(string source, out IntPtr unit);
    private delegate int Free(IntPtr unit);
    private delegate IntPtr LastError();

    public override bool Execute()
    {
        List<TwinRecord> twins = TwinRecords.Read(AssemblyPath);
        TwinCount = twins.Count;
        if (twins.Count == 0) return true;
        if (!string.IsNullOrEmpty(TwinDirectory))
        {
            Directory.CreateDirectory(TwinDirectory!);
            foreach (TwinRecord twin in twins)
                File.WriteAllText(Path.Combine(TwinDirectory!, twin.Name + ".py"), $"# The graph twin of {twin.Name} ({twin.Location}), as HybridGen emitted it.\n{twin.Source}");
            Log.LogMessage(MessageImportance.Normal, $"HybridGen: wrote {twins.Count} graph twins to {Path.GetFullPath(TwinDirectory!)}");
        }
        if (!Validate) return true;
        if (!File.Exists(ShimPath))
        {
            Log.LogWarning(null, "HG9004", null, null, 0, 0, 0, 0, $"HybridGen could not validate {twins.Count} graph twins: the native shim {ShimPath} is missing.");
            return true;
        }
        IntPtr library;
        try
        {
            library = NativeLibrary.Load(ShimPath);
        }
        catch (Exception ex) when (ex is DllNotFoundException or BadImageFormatException)
        {
            Log.LogWarning(null, "HG9004", null, null, 0, 0, 0, 0, $"HybridGen could not validate its graph twins: loading {ShimPath} failed: {ex.Message}");
            return true;
        }
        var compile = Marshal.GetDelegateForFunctionPointer<Compile>(NativeLibrary.GetExport(library, "hg_script_compile"));
        var free = Marshal.GetDelegateForFunctionPointer<Free>(NativeLibrary.GetExport(library, "hg_script_free"));
        var lastError = Marshal.GetDelegateForFunctionPointer<LastError>(NativeLibrary.GetExport(library, "hg_last_error"));
        int failures = 0;
        foreach (TwinRecord twin in twins)
        {
            if (compile(twin.Source, out IntPtr unit) == 0)
            {
                free(unit);
                continue;
            }
            failures++;
            string message = Marshal.PtrToStringUTF8(lastError()) ?? "unknown error";
            (string file, int line, string code) = Origin(twin, message);
            Log.LogError(null, "HG0302", null, file, line, 0, 0, 0,
                $"The graph twin of '{twin.Name}' does not compile with libtorch{(code.Length > 0 ? $" at '{code}'" : "")}: {FirstLines(message)}");
        }
        Log.LogMessage(MessageImportance.Normal, $"HybridGen: compiled {twins.Count} graph twins with libtorch, {failures} failed");
        return failures == 0;
    }

    /// <summary>The C# file, line and code of the failing TorchScript line (from the comment above it), or the
    /// hybridized method's declaration.</summary>
    private (string file, int line, string code) Origin(TwinRecord twin, string message)
    {
        Match frame = s_line.Match(message);
        if (frame.Success)
        {
            int scriptLine = int.Parse(frame.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            string[] lines = twin.Source.Split('\n');
            for (int k = Math.Min(scriptLine, lines.Length) - 1; k >= 0; k--)
            {
                Match origin = s_origin.Match(lines[k]);
                if (origin.Success) return (PathOf(origin.Groups[1].Value), int.Parse(origin.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), origin.Groups[3].Value);
            }
        }
        Match declared = Regex.Match(twin.Location, @"^(.+)\((\d+)\)$");
        return declared.Success ? (PathOf(declared.Groups[1].Value), int.Parse(declared.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), "") : ("", 0, "");
    }

    private string PathOf(string fileName) =>
        SourceFiles.Select(s => s.GetMetadata("FullPath")).FirstOrDefault(p => string.Equals(Path.GetFileName(p), fileName, StringComparison.Ordinal)) ?? fileName;

    private static string FirstLines(string message)
    {
        string[] lines = message.Split('\n').Where(l => l.Trim().Length > 0).ToArray();
        return string.Join(" ", lines.Take(3).Select(l => l.Trim()));
    }
}
