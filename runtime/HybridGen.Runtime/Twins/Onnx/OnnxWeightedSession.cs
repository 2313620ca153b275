using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

/// <summary>
/// One ONNX graph over data inputs and weights, run so that its result is never stale and fast while the weights
/// do not change (issue 20, item 5). Weights as graph inputs are read at every call, always current; weights as
/// initializers are faster (docs/benchmarks/onnx-runtime.md: ONNX Runtime plans around them and prepacks them) but
/// frozen. The frozen session's kernels read them in place from the weights' own memory (shared initializers) and
/// keep their prepacked forms in the twin's <see cref="PrepackedWeights"/>, shared by all its signatures. The model
/// still holds their values: ONNX Runtime's graph optimizations read a model's initializers before the shared ones
/// replace them (its NCHWc layout transform of convolution weights, on AVX-512 hosts, read zeros from placeholders:
/// measured, wrong results), so it must be built from the values the snapshot saw. A call uses
/// the frozen session only while <see cref="WeightSnapshot.Matches"/> holds for the weights it reads now; the first
/// call that finds them changed retires it (version counters only grow, so it would never match again) and runs with
/// the weights as inputs. Once the weights have stayed the same for <see cref="StableCalls"/> calls (never during
/// training, where every step changes them), a frozen session is built off the caller's thread from a snapshot taken
/// before the copy, so weights that change while it is built make it unusable, never stale. A retired session is
/// disposed when its last call returns.
/// </summary>
internal sealed class OnnxWeightedSession : IDisposable
{
    private readonly Func<IReadOnlyList<Tensor>?, byte[]> _model;
    private readonly OnnxRuntimeSession _asInputs;
    private readonly int _threads;
    private readonly PrepackedWeights? _prepacked;
    private readonly object _gate = new();
    private Frozen? _frozen;
    private WeightSnapshot? _lastSeen;
    private int _stable;
    private Task? _freezing;
    private string? _freezeFailure;
    private long _frozenCalls, _inputCalls;
    private bool _disposed;
    private volatile bool _settled;

    /// <summary>Calls with unchanged weights before a frozen session is built.</summary>
    public const int StableCalls = 8;

    /// <param name="model">The graph's ONNX model: with null, the weights are graph inputs after the data inputs; with
    /// tensors, they are initializers of the same names holding those tensors' values.</param>
    /// <param name="threads">ONNX Runtime's intra-op threads (TorchSharp's count, as the caller decides).</param>
    /// <param name="prepacked">Where frozen sessions keep their prepacked weights (one per twin, shared by its
    /// signatures); null: each frozen session keeps its own.</param>
    public OnnxWeightedSession(Func<IReadOnlyList<Tensor>?, byte[]> model, int threads, PrepackedWeights? prepacked = null)
    {
        _model = model;
        _threads = threads;
        _prepacked = prepacked;
        _asInputs = new OnnxRuntimeSession(model(null), threads);
    }

    /// <summary>Calls served by the frozen (initializer) session.</summary>
    public long FrozenCalls => Interlocked.Read(ref _frozenCalls);

    /// <summary>Calls served with the weights as graph inputs.</summary>
    public long InputCalls => Interlocked.Read(ref _inputCalls);

    /// <summary>The build of a frozen session under way or last finished, if any (tests wait for it).</summary>
    public Task? Freezing => Volatile.Read(ref _freezing);

    /// <summary>Why building a frozen session failed (then none is built again; calls keep the weights as inputs).</summary>
    public string? FreezeFailure => Volatile.Read(ref _freezeFailure);

    /// <summary>Whether calls run in their lasting form: with a frozen session, or with the weights as inputs where
    /// none will be built (no weights, a failed build, weights that changed since the first call). Before, a call's
    /// time says little about later ones (measured: ResNet18-shaped at batch 32 took twice as long with its weights
    /// as inputs), so the dispatcher does not time ONNX Runtime until then.</summary>
    public bool Settled => _settled;

    /// <summary>Runs the graph on <paramref name="inputs"/>: the <paramref name="dataCount"/> data inputs, then the weights.</summary>
    public Tensor[] Run(ReadOnlySpan<Tensor> inputs, int dataCount)
    {
        ReadOnlySpan<Tensor> weights = inputs.Slice(dataCount);
        if (Volatile.Read(ref _frozen) is { } frozen && frozen.TryUse())
        {
            try
            {
                if (frozen.Snapshot.Matches(weights))
                {
                    Interlocked.Increment(ref _frozenCalls);
                    return frozen.Session.Run(inputs.Slice(0, dataCount));
                }
            }
            finally
            {
                frozen.Release();
            }
            Retire(frozen);
        }
        Tensor[] results = _asInputs.Run(inputs);
        Interlocked.Increment(ref _inputCalls);
        NoteWeights(weights);
        return results;
    }

    /// <summary>Counts calls whose weights are those of the call before; at <see cref="StableCalls"/>, starts a frozen build.</summary>
    private void NoteWeights(ReadOnlySpan<Tensor> weights)
    {
        if (weights.Length == 0)
        {
            _settled = true; // no weights: a frozen session would be the same model again
            return;
        }
        lock (_gate)
        {
            if (_lastSeen is not null && _lastSeen.Matches(weights)) _stable++;
            else
            {
                if (_lastSeen is not null) _settled = true; // changing weights (training): they stay inputs
                _lastSeen = WeightSnapshot.Of(weights);
                _stable = 1;
            }
            if (_stable < StableCalls || _freezing is { IsCompleted: false } || _freezeFailure is not null || _disposed) return;
            // The snapshot comes before the copy (the one just matched: the weights are unchanged since it was taken), so
            // a weight that changes during the copy fails the check, and the copy is unused.
            WeightSnapshot snapshot = _lastSeen;
            // Views of the weights, out of the caller's dispose scope (which may end before the build does): the frozen
            // session reads them in place and keeps them, so their memory stays theirs. A non-contiguous weight (a
            // transposed view) is copied once: ONNX Runtime reads dense memory.
            var views = new Tensor[weights.Length];
            for (int k = 0; k < views.Length; k++)
            {
                Tensor view = weights[k].detach();
                if (!view.is_contiguous())
                {
                    Tensor dense = view.contiguous();
                    view.Dispose();
                    view = dense;
                }
                views[k] = view.DetachFromDisposeScope();
            }
            _stable = 0;
            // A background build like a twin's compile: WaitForTwins waits for it, and process exit does not tear libtorch
            // down under it.
            Volatile.Write(ref _freezing, BackgroundCompiles.Run(() => Freeze(snapshot, views)));
        }
    }

    private void Freeze(WeightSnapshot snapshot, Tensor[] views)
    {
        Frozen? built = null;
        PrepackedWeights.Lease? lease = null;
        try
        {
            lease = _prepacked?.Take(snapshot);
            int data = _asInputs.InputCount - views.Length;
            var names = new string[views.Length];
            for (int k = 0; k < names.Length; k++) names[k] = _asInputs.InputName(data + k);
            built = new Frozen(new OnnxRuntimeSession(_model(views), _threads, names, views, lease?.Container), snapshot, views, lease);
            lease = null; // the frozen session holds it now
            Frozen? old;
            lock (_gate)
            {
                if (_disposed) return; // the finally retires what was built
                old = _frozen;
                Volatile.Write(ref _frozen, built);
                built = null; // published: it owns the views now
                _settled = true;
            }
            old?.Retire();
        }
        catch (Exception error)
        {
            // Any failure (a model ONNX Runtime rejects, weights too large for one protobuf message): calls keep the
            // weights as inputs, and no build is tried again.
            Volatile.Write(ref _freezeFailure, error.Message);
            _settled = true;
            if (built is null) foreach (Tensor view in views) view.Dispose();
            lease?.Release();
        }
        finally
        {
            built?.Retire(); // built but not published: disposes its session and views
        }
    }

    private void Retire(Frozen frozen)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_frozen, frozen)) return;
            Volatile.Write(ref _frozen, null);
        }
        frozen.Retire();
    }

    public void Dispose()
    {
        Frozen? frozen;
        lock (_gate)
        {
            _disposed = true;
            frozen = _frozen;
            _frozen = null;
        }
        frozen?.Retire();
        BackgroundCompiles.RunIfDeferredHere(_freezing); // deferred by this thread's eager body: it sees _disposed and drops its session
        _freezing?.Wait(TimeSpan.FromSeconds(30)); // a build under way sees _disposed and drops its session
        _asInputs.Dispose();
    }

    /// <summary>A frozen session, its snapshot, the views it reads and its prepacked weights' container, disposed once
    /// retired and unused.</summary>
    private sealed class Frozen
    {
        private readonly PrepackedWeights.Lease? _prepacked;
        private int _users;
        private bool _retired, _disposed;

        public Frozen(OnnxRuntimeSession session, WeightSnapshot snapshot, Tensor[] views, PrepackedWeights.Lease? prepacked)
        {
            Session = session;
            Snapshot = snapshot;
            Views = views;
            _prepacked = prepacked;
        }

        public OnnxRuntimeSession Session { get; }
        public WeightSnapshot Snapshot { get; }
        public Tensor[] Views { get; }

        public bool TryUse()
        {
            lock (this)
            {
                if (_retired) return false;
                _users++;
                return true;
            }
        }

        public void Release()
        {
            lock (this)
            {
                _users--;
                DisposeIfDone();
            }
        }

        public void Retire()
        {
            lock (this)
            {
                _retired = true;
                DisposeIfDone();
            }
        }

        private void DisposeIfDone()
        {
            if (!_retired || _users > 0 || _disposed) return;
            _disposed = true;
            Session.Dispose(); // before the container and the memory it reads
            _prepacked?.Release();
            foreach (Tensor view in Views) view.Dispose();
        }
    }
}
