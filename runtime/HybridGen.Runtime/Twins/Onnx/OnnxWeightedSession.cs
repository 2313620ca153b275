using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

/// <summary>
/// One ONNX graph over data inputs and weights, run so that its result is never stale and fast while the weights
/// do not change (issue 20, item 5). Weights as graph inputs are read at every call, always current; weights as
/// initializers are ONNX Runtime's prepacked copies, faster (docs/benchmarks/onnx-runtime.md) but frozen. A call uses
/// the frozen session only while <see cref="WeightSnapshot.Matches"/> holds for the weights it reads now; else it
/// runs with the weights as inputs. Once the weights have stayed the same for <see cref="StableCalls"/> calls (not
/// during training, where every step changes them), a frozen session is built off the caller's thread from a snapshot
/// taken before the copy, so weights that change while it is built make it unusable, never stale.
/// </summary>
internal sealed class OnnxWeightedSession : IDisposable
{
    private readonly Func<IReadOnlyList<Tensor>?, byte[]> _model;
    private readonly OnnxRuntimeSession _asInputs;
    private readonly int _threads;
    private Frozen? _frozen;
    private WeightSnapshot? _lastSeen;
    private int _stable;
    private Task? _freezing;
    private long _frozenCalls, _inputCalls;
    private bool _disposed;

    /// <summary>Calls with unchanged weights before a frozen session is built.</summary>
    public const int StableCalls = 8;

    /// <param name="model">The graph's ONNX model: with null, the weights are graph inputs after the data inputs; with
    /// tensors, they are initializers copied from those tensors.</param>
    /// <param name="threads">ONNX Runtime's intra-op threads (TorchSharp's count, as the caller decides).</param>
    public OnnxWeightedSession(Func<IReadOnlyList<Tensor>?, byte[]> model, int threads)
    {
        _model = model;
        _threads = threads;
        _asInputs = new OnnxRuntimeSession(model(null), threads);
    }

    /// <summary>Calls served by the frozen (initializer) session.</summary>
    public long FrozenCalls => Interlocked.Read(ref _frozenCalls);

    /// <summary>Calls served with the weights as graph inputs.</summary>
    public long InputCalls => Interlocked.Read(ref _inputCalls);

    /// <summary>The build of a frozen session under way, if any (tests wait for it).</summary>
    public Task? Freezing => Volatile.Read(ref _freezing);

    public Tensor[] Run(Tensor[] data, IReadOnlyList<Tensor> weights)
    {
        Frozen? frozen = Volatile.Read(ref _frozen);
        if (frozen is not null && frozen.Snapshot.Matches(weights))
        {
            Interlocked.Increment(ref _frozenCalls);
            return frozen.Session.Run(data);
        }
        var all = new Tensor[data.Length + weights.Count];
        data.CopyTo(all, 0);
        for (int k = 0; k < weights.Count; k++) all[data.Length + k] = weights[k];
        Tensor[] results = _asInputs.Run(all);
        Interlocked.Increment(ref _inputCalls);
        NoteWeights(weights);
        return results;
    }

    /// <summary>Counts calls whose weights are those of the call before; at <see cref="StableCalls"/>, starts a frozen build.</summary>
    private void NoteWeights(IReadOnlyList<Tensor> weights)
    {
        lock (this)
        {
            if (_lastSeen is not null && _lastSeen.Matches(weights)) _stable++;
            else
            {
                _lastSeen = WeightSnapshot.Of(weights);
                _stable = 1;
            }
            if (_stable < StableCalls || _freezing is { IsCompleted: false } || _disposed) return;
            // The snapshot comes first: a weight that changes during the copy then fails the check, so the copy is unused.
            WeightSnapshot snapshot = WeightSnapshot.Of(weights);
            Tensor[] copies = new Tensor[weights.Count];
            // Views sharing the weights' storage, read when the model is written; out of the caller's dispose scope,
            // which may end before the build does.
            for (int k = 0; k < copies.Length; k++) copies[k] = weights[k].detach().DetachFromDisposeScope();
            _stable = 0;
            Volatile.Write(ref _freezing, Task.Run(() => Freeze(snapshot, copies)));
        }
    }

    private void Freeze(WeightSnapshot snapshot, Tensor[] weights)
    {
        try
        {
            var session = new OnnxRuntimeSession(_model(weights), _threads);
            Frozen? old;
            lock (this)
            {
                if (_disposed)
                {
                    session.Dispose();
                    return;
                }
                old = _frozen;
                Volatile.Write(ref _frozen, new Frozen(session, snapshot));
            }
            // A call may still be running on the old session, so it is kept until this object is disposed.
            if (old is not null) lock (_retired) _retired.Add(old.Session);
        }
        catch (System.Runtime.InteropServices.ExternalException)
        {
            // The weights-as-inputs session keeps serving (the same graph built with weights as inputs, so rare).
        }
        finally
        {
            foreach (Tensor weight in weights) weight.Dispose();
        }
    }

    private readonly List<OnnxRuntimeSession> _retired = new();

    public void Dispose()
    {
        lock (this)
        {
            _disposed = true;
            _frozen?.Session.Dispose();
            _frozen = null;
        }
        lock (_retired)
        {
            foreach (OnnxRuntimeSession session in _retired) session.Dispose();
            _retired.Clear();
        }
        _asInputs.Dispose();
    }

    private sealed record Frozen(OnnxRuntimeSession Session, WeightSnapshot Snapshot);
}
