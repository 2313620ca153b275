using System.Threading;
using Microsoft.ML.OnnxRuntime;

namespace HybridGen.Twins.Onnx;

/// <summary>
/// The prepacked weights of one ONNX twin, shared by the frozen sessions of all its signatures (issue 20, item 3).
/// A frozen session reads its weights in place, from the module's own tensors (ONNX Runtime's shared initializers),
/// and ONNX Runtime keeps the packed forms its kernels make of them (Gemm's, Conv's) in a container that every
/// session built with it reuses: a second batch size costs no second packed copy of the weights
/// (docs/benchmarks/onnx-runtime.md measures native memory per further signature). One container serves one set of
/// weight values. The twin offers the containers of the last <see cref="Kept"/> sets it met (several instances of a
/// model share its method, each with weights of its own); weights that change (an optimizer step between
/// evaluations) start a new one, and a container no longer offered is freed with the last session that uses it, so
/// packed copies of old values do not pile up.
/// </summary>
internal sealed class PrepackedWeights
{
    private readonly object _gate = new();
    private readonly System.Collections.Generic.List<Lease> _offered = new(); // the most recently used last
    private int _containers;

    /// <summary>Sets of weight values whose containers the twin keeps offering.</summary>
    public const int Kept = 4;
    private bool _disposed;

    /// <summary>Containers made so far (a new one for each new set of weight values; tests).</summary>
    public int Containers => Volatile.Read(ref _containers);

    /// <summary>The container for weights as <paramref name="snapshot"/> saw them, held until the lease is released.</summary>
    public Lease Take(WeightSnapshot snapshot)
    {
        lock (_gate)
        {
            // After the twin is disposed (a freeze that outlasted its wait): a container of the caller's alone.
            if (_disposed) return new Lease(snapshot);
            Lease? lease = _offered.Find(l => l.Snapshot.SameAs(snapshot));
            if (lease is null)
            {
                if (_offered.Count == Kept)
                {
                    _offered[0].Release(); // the twin's own hold; sessions built with it keep theirs
                    _offered.RemoveAt(0);
                }
                lease = new Lease(snapshot);
                _containers++;
            }
            else _offered.Remove(lease);
            _offered.Add(lease);
            lease.Hold();
            return lease;
        }
    }

    /// <summary>Gives up the twin's hold on the containers it offers (sessions still using them keep them).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            foreach (Lease lease in _offered) lease.Release();
            _offered.Clear();
        }
    }

    /// <summary>A container and the weight values it was made for, freed when its last holder releases it.</summary>
    internal sealed class Lease
    {
        private int _holders = 1; // its maker: the PrepackedWeights while it offers it (or the caller, after dispose)

        public Lease(WeightSnapshot snapshot) => Snapshot = snapshot;

        public WeightSnapshot Snapshot { get; }

        public PrePackedWeightsContainer Container { get; } = new();

        public void Hold() => Interlocked.Increment(ref _holders);

        public void Release()
        {
            if (Interlocked.Decrement(ref _holders) == 0) Container.Dispose();
        }
    }
}
