using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace HybridGen.Dispatch;

/// <summary>
/// A hybridized method's signatures and their states. Lookup is lock-free: the last signature seen is kept in one
/// volatile field (a loop calling with the same shapes never touches the dictionary), others come from a
/// concurrent dictionary. Past the signature cap, new signatures share one eager-only state, and that is said once.
/// </summary>
internal sealed class MethodDispatch
{
    private readonly ConcurrentDictionary<ulong, SignatureState> _states = new();
    private readonly HybridMethodInfo _info;
    private SignatureState? _last;
    private SignatureState? _overflow;
    private int _capWarned;

    public MethodDispatch(HybridMethodInfo info, DispatchOptions options)
    {
        _info = info;
        Options = options;
    }

    public DispatchOptions Options { get; }

    public IReadOnlyCollection<SignatureState> States => _states.Values.Concat(_overflow is null ? Array.Empty<SignatureState>() : new[] { _overflow }).ToList();

    public bool TryGet(ulong key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SignatureState? state)
    {
        state = Volatile.Read(ref _last);
        if (state is not null && state.Key == key) return true;
        if (!_states.TryGetValue(key, out state)) return false;
        Volatile.Write(ref _last, state);
        return true;
    }

    public SignatureState Get(ulong key, bool cuda, Func<string> describe, bool captureAllowed = false, string? onnxBlocked = "the ONNX Runtime route is not offered",
        bool needsGrad = false)
    {
        SignatureState? last = Volatile.Read(ref _last);
        if (last is not null && last.Key == key) return last;
        if (!_states.TryGetValue(key, out SignatureState? state)) state = Add(key, cuda, describe, captureAllowed, onnxBlocked, needsGrad);
        Volatile.Write(ref _last, state);
        return state;
    }

    private SignatureState Add(ulong key, bool cuda, Func<string> describe, bool captureAllowed, string? onnxBlocked, bool needsGrad)
    {
        lock (_states)
        {
            if (_states.TryGetValue(key, out SignatureState? existing)) return existing;
            if (_states.Count >= Options.SignatureCap)
            {
                if (Interlocked.Exchange(ref _capWarned, 1) == 0)
                    HybridRuntime.Warn($"{_info.Name} ({_info.Location}) has seen {Options.SignatureCap} input signatures, its cap: calls with new ones run eager (raise signatureCap in hybridgen.json to dispatch more)", isWarning: true);
                return _overflow ??= new SignatureState(0, "(signatures past the cap)", Options with { Mode = DispatchMode.Eager }, cuda);
            }
            var state = new SignatureState(key, describe(), Options, cuda, captureAllowed, onnxBlocked, needsGrad);
            if (HybridRuntime.Profile?.Lookup(_info, key, cuda) is { } remembered)
                state.Restore(remembered.Route, remembered.EagerMedian, remembered.GraphMedian);
            _states[key] = state;
            return state;
        }
    }
}
