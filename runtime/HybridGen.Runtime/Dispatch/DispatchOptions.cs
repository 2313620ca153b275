using System;

namespace HybridGen;

/// <summary>
/// How a hybridized method dispatches. Resolved per method from, lowest to highest precedence: these defaults,
/// the [Hybridize] attribute's options, hybridgen.json's global section, its section for the method, and the
/// HYBRIDGEN_MODE environment variable (mode only). See docs/dispatch.md.
/// </summary>
public sealed record DispatchOptions
{
    public const string ModeVariable = "HYBRIDGEN_MODE";

    public DispatchMode Mode { get; init; } = DispatchMode.Auto;

    /// <summary>Untimed calls of each path before probing (the twin's first calls compile, profile and optimize it).</summary>
    public int WarmupCalls { get; init; } = 2;

    /// <summary>Timed calls of each path before deciding.</summary>
    public int ProbeCalls { get; init; } = 5;

    /// <summary>The graph is kept only when its median is at least this fraction below eager's.</summary>
    public double Margin { get; init; } = 0.05;

    /// <summary>Steady calls before the first re-probe of a signature (doubling after each); 0 never re-probes.</summary>
    public long ReprobeInterval { get; init; } = 10_000;

    /// <summary>Where a signature's calls need gradients, time each probing call with a backward through its own
    /// graph (<c>torch.autograd.grad</c> of its results, graph kept, nothing accumulated into <c>.grad</c>): a route's
    /// cost in training is its forward and its backward, and the two can rank routes differently. False times the
    /// forward alone (for a body whose backward has side effects, such as a custom autograd function's).</summary>
    public bool TimeBackward { get; init; } = true;

    /// <summary>Distinct input signatures a method dispatches separately; calls with new signatures past it run eager.</summary>
    public int SignatureCap { get; init; } = 64;

    /// <summary>In auto mode, compile the twin on a thread-pool thread while the first calls run eager, so no call
    /// waits for TorchScript's compile; probing starts once it is ready. False compiles on the first call's thread.
    /// Forced graph mode always compiles on the caller's thread (it must run the twin).</summary>
    public bool BackgroundCompile { get; init; } = true;

    /// <summary>Checks the values; a <see cref="FormatException"/> names the one that is out of range.</summary>
    public DispatchOptions Validated()
    {
        if (!Enum.IsDefined(Mode)) throw new FormatException($"mode must be auto, eager, graph or onnx, not {Mode}");
        if (WarmupCalls < 0) throw new FormatException($"warmupCalls must be 0 or more, not {WarmupCalls}");
        if (ProbeCalls < 1) throw new FormatException($"probeCalls must be 1 or more, not {ProbeCalls}");
        if (Margin is < 0 or >= 1 || double.IsNaN(Margin)) throw new FormatException($"margin must be in [0, 1), not {Margin}");
        if (ReprobeInterval < 0) throw new FormatException($"reprobeInterval must be 0 or more, not {ReprobeInterval}");
        if (SignatureCap < 1) throw new FormatException($"signatureCap must be 1 or more, not {SignatureCap}");
        return this;
    }

    /// <summary>The mode from HYBRIDGEN_MODE (eager, graph or auto; case-insensitive), or null when it is not set.
    /// An unknown value is reported through <paramref name="warn"/> and ignored.</summary>
    public static DispatchMode? ModeFromEnvironment(Func<string, string?>? getVariable = null, Action<string>? warn = null)
    {
        string? value = (getVariable ?? Environment.GetEnvironmentVariable)(ModeVariable);
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (Enum.TryParse(value.Trim(), ignoreCase: true, out DispatchMode mode) && Enum.IsDefined(mode) && !int.TryParse(value, out _))
            return mode;
        warn?.Invoke($"{ModeVariable}='{value}' is not one of eager, graph, onnx, auto; it is ignored");
        return null;
    }

    /// <summary>The default mode the app was built with (the MSBuild property HybridGenMode, which lands in the app's
    /// runtimeconfig.json as "HybridGen.Mode"), or null.</summary>
    public static DispatchMode? ModeFromAppContext() =>
        AppContext.GetData("HybridGen.Mode") is string text && Enum.TryParse(text, ignoreCase: true, out DispatchMode mode) && Enum.IsDefined(mode)
            ? mode : null;
}

/// <summary>Options a [Hybridize] attribute sets (the generator passes the ones written); null keeps the default.</summary>
public sealed record DispatchOverrides
{
    public DispatchMode? Mode { get; init; }
    public int? WarmupCalls { get; init; }
    public int? ProbeCalls { get; init; }
    public double? Margin { get; init; }
    public long? ReprobeInterval { get; init; }
    public int? SignatureCap { get; init; }
    public bool? BackgroundCompile { get; init; }
    public bool? TimeBackward { get; init; }

    public DispatchOptions ApplyTo(DispatchOptions options) => options with
    {
        Mode = Mode ?? options.Mode,
        WarmupCalls = WarmupCalls ?? options.WarmupCalls,
        ProbeCalls = ProbeCalls ?? options.ProbeCalls,
        Margin = Margin ?? options.Margin,
        ReprobeInterval = ReprobeInterval ?? options.ReprobeInterval,
        SignatureCap = SignatureCap ?? options.SignatureCap,
        BackgroundCompile = BackgroundCompile ?? options.BackgroundCompile,
        TimeBackward = TimeBackward ?? options.TimeBackward,
    };
}
