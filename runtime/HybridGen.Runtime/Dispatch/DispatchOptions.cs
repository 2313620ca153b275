using System;

namespace HybridGen;

/// <summary>Settings of the dispatcher. <see cref="FromEnvironment"/> reads HYBRIDGEN_MODE.</summary>
public sealed record DispatchOptions
{
    public const string ModeVariable = "HYBRIDGEN_MODE";

    public DispatchMode Mode { get; init; } = DispatchMode.Auto;

    /// <summary>Untimed calls of each path before probing (the twin's first calls profile and optimize it).</summary>
    public int WarmupCalls { get; init; } = 2;

    /// <summary>Timed calls of each path before deciding.</summary>
    public int ProbeCalls { get; init; } = 5;

    /// <summary>The graph is kept only when its median is at least this fraction below eager's.</summary>
    public double Margin { get; init; } = 0.05;

    /// <summary>The defaults, with the mode from HYBRIDGEN_MODE (eager, graph or auto; case-insensitive).
    /// An unknown value is reported through <paramref name="warn"/> and auto is used.</summary>
    public static DispatchOptions FromEnvironment(Func<string, string?>? getVariable = null, Action<string>? warn = null)
    {
        string? value = (getVariable ?? Environment.GetEnvironmentVariable)(ModeVariable);
        if (string.IsNullOrWhiteSpace(value)) return new DispatchOptions();
        if (Enum.TryParse(value.Trim(), ignoreCase: true, out DispatchMode mode) && Enum.IsDefined(mode))
            return new DispatchOptions { Mode = mode };
        warn?.Invoke($"{ModeVariable}='{value}' is not one of eager, graph, auto; using auto");
        return new DispatchOptions();
    }
}
