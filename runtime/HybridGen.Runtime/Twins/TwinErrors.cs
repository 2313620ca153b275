using System;
using System.Collections.Generic;
using HybridGen.Formats;
using System.Runtime.InteropServices;

namespace HybridGen.Twins;

/// <summary>
/// Points a failure inside a twin at C#: TorchScript's traceback names the line of the twin's source that failed,
/// and every statement of a twin is preceded by a comment naming the C# line it came from.
/// </summary>
internal static class TwinErrors
{
    /// <summary>The same failure, as eager's exception type, its message starting with the C# file and line (the
    /// failing statement's, else the hybridized method's declaration).</summary>
    public static ExternalException Map(ExternalException error, HybridMethodInfo info)
    {
        IReadOnlyList<int> frames = TwinSourceFormat.ScriptLines(error.Message);
        if (frames.Count > 0 && TwinSourceFormat.TryFindOrigin(info.TwinSource, frames[frames.Count - 1], out string file, out int line, out string code))
            return new ExternalException($"{TwinSourceFormat.Location(file, line)}: {info.Name} failed in its graph twin at '{code}'\n{error.Message}", error);
        return new ExternalException($"{info.Location}: {info.Name} failed in its graph twin\n{error.Message}", error);
    }
}
