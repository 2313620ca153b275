using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using HybridGen.Formats;

namespace HybridGen.TwinValidator;

/// <summary>
/// <c>dotnet HybridGen.TwinValidator.dll APP_DIR TWINS_FILE [FIRST]</c>: compiles the twins of TWINS_FILE from index
/// FIRST (default 0) with the TorchSharp of the application output folder APP_DIR, and reports on standard output
/// (<see cref="TwinValidatorProtocol"/>).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        // The protocol owns standard output; anything else written to the console (TorchSharp prints its load trace
        // when loading fails) goes to standard error, where the build task only looks for abort messages.
        var protocol = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true, NewLine = "\n" };
        Console.SetOut(Console.Error);

        int first = 0;
        if (args.Length is < 2 or > 3 || (args.Length == 3 && !int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out first)))
            return Fail(protocol, TwinValidatorProtocol.ExitBadArguments, "usage: dotnet HybridGen.TwinValidator.dll APP_DIR TWINS_FILE [FIRST]");
        string appDirectory = Path.GetFullPath(args[0]);
        IReadOnlyList<TwinToValidate> twins;
        try
        {
            twins = TwinValidatorProtocol.ReadTwins(args[1]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return Fail(protocol, TwinValidatorProtocol.ExitBadArguments, $"cannot read the twins file {args[1]}: {ex.Message}");
        }
        if (TorchSharpLoader.Prepare(appDirectory) is string problem)
            return Fail(protocol, TwinValidatorProtocol.ExitCannotLoad, problem);
        return Validation.Run(twins, first, protocol);
    }

    /// <summary>Says why the validator cannot go on, once on each stream, and returns the exit code.</summary>
    public static int Fail(TextWriter protocol, int exitCode, string message)
    {
        protocol.WriteLine(TwinValidatorProtocol.Fatal(message));
        Console.Error.WriteLine("HybridGen.TwinValidator: " + message);
        return exitCode;
    }
}
