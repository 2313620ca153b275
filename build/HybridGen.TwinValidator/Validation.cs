using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using HybridGen.Formats;
using TorchSharp;

namespace HybridGen.TwinValidator;

/// <summary>Compiles twins with TorchSharp's <c>torch.jit.compile</c>, saying before and after each what happens
/// (<see cref="TwinValidatorProtocol"/>). Kept apart from <see cref="Program"/> so that no TorchSharp type is
/// needed before <see cref="TorchSharpLoader"/> has made the application's TorchSharp resolvable.</summary>
internal static class Validation
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Run(IReadOnlyList<TwinToValidate> twins, int first, TextWriter protocol)
    {
        string version;
        try
        {
            version = torch.__version__;
            torch.set_num_threads(1); // compiling needs no parallelism; the build may run several validators
        }
        catch (Exception ex) when (ex is TypeInitializationException or NotSupportedException or DllNotFoundException or ExternalException)
        {
            return Program.Fail(protocol, TwinValidatorProtocol.ExitCannotLoad, $"TorchSharp did not initialize: {TorchSharpLoader.OneLine((ex.InnerException ?? ex).Message)}");
        }
        protocol.WriteLine(TwinValidatorProtocol.Ready(version));
        for (int k = first; k < twins.Count; k++)
        {
            protocol.WriteLine(TwinValidatorProtocol.Begin(k));
            try
            {
                // The compilation unit is not freed by Dispose (TorchSharp leaks it); the process is short-lived.
                torch.jit.compile(twins[k].Source).Dispose();
                protocol.WriteLine(TwinValidatorProtocol.Ok(k));
            }
            catch (Exception ex) when (ex is ExternalException or ArgumentException)
            {
                protocol.WriteLine(TwinValidatorProtocol.Error(k, ex.Message));
            }
        }
        return 0;
    }
}
