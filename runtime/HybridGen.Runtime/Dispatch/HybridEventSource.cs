using System;
using System.Diagnostics.Tracing;
using System.Threading;

namespace HybridGen.Dispatch;

/// <summary>
/// Counters under the event source "HybridGen", for <c>dotnet-counters monitor -n app --counters HybridGen</c>:
/// hybridized calls, the share of them that ran the graph twin, and graph fallbacks. Read from the dispatch state
/// when polled, so calls pay nothing for them.
/// </summary>
[EventSource(Name = "HybridGen")]
internal sealed class HybridEventSource : EventSource
{
    public static readonly HybridEventSource Log = new();
    private long _fallbacks;
    private IncrementingPollingCounter? _calls;
    private PollingCounter? _graphShare;
    private IncrementingPollingCounter? _fallbackCounter;

    private HybridEventSource() { }

    public long Fallbacks => Interlocked.Read(ref _fallbacks);

    [NonEvent]
    public void Fallback() => Interlocked.Increment(ref _fallbacks);

    /// <summary>A twin compiled (or failed to) on a thread-pool thread while its method ran eager.</summary>
    [Event(1, Level = EventLevel.Informational, Message = "{0}: twin compiled in the background: {1}")]
    public void TwinCompiledInBackground(string method, bool compiled)
    {
        if (IsEnabled()) WriteEvent(1, method, compiled);
    }

    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        if (command.Command != EventCommand.Enable) return;
        _calls ??= new IncrementingPollingCounter("calls", this, () => HybridRuntime.TotalCalls().total)
        {
            DisplayName = "Hybridized calls",
            DisplayRateTimeScale = TimeSpan.FromSeconds(1),
        };
        _graphShare ??= new PollingCounter("graph-share", this, () =>
        {
            (long total, long graph) = HybridRuntime.TotalCalls();
            return total == 0 ? 0 : 100.0 * graph / total;
        })
        {
            DisplayName = "Calls run by graph twins",
            DisplayUnits = "%",
        };
        _fallbackCounter ??= new IncrementingPollingCounter("fallbacks", this, () => Fallbacks)
        {
            DisplayName = "Graph fallbacks to eager",
            DisplayRateTimeScale = TimeSpan.FromSeconds(1),
        };
    }
}
