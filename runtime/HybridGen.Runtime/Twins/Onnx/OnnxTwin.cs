using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HybridGen.Dispatch;
using HybridGen.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

/// <summary>Whether a call's ONNX model is ready to run.</summary>
internal enum OnnxReadiness { Ready, Building, NoForm }

/// <summary>What the ONNX emitter needs of one argument: its kind, a number's value, a tensor's (or a list's
/// tensors') dtype and shape. Holds no tensor, so a model can be rebuilt (with the weights frozen) after the call.</summary>
internal sealed record OnnxArgument(TwinValueKind Kind, object? Value, OnnxArgument.TensorType[] Tensors)
{
    internal sealed record TensorType(ScalarType DType, long[] Shape);

    public static OnnxArgument[] Of(ReadOnlySpan<TwinValue> arguments)
    {
        var described = new OnnxArgument[arguments.Length];
        for (int k = 0; k < arguments.Length; k++)
        {
            TwinValue a = arguments[k];
            described[k] = a.Kind switch
            {
                TwinValueKind.Tensor => new OnnxArgument(a.Kind, null, new[] { TypeOf(a.Tensor!) }),
                TwinValueKind.TensorList => new OnnxArgument(a.Kind, null, a.Tensors.Select(TypeOf).ToArray()),
                TwinValueKind.Int => new OnnxArgument(a.Kind, a.ToInt64(), Array.Empty<TensorType>()),
                TwinValueKind.Float => new OnnxArgument(a.Kind, a.ToDouble(), Array.Empty<TensorType>()),
                TwinValueKind.Bool => new OnnxArgument(a.Kind, a.ToBoolean(), Array.Empty<TensorType>()),
                _ => new OnnxArgument(a.Kind, null, Array.Empty<TensorType>()),
            };
        }
        return described;
    }

    private static TensorType TypeOf(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU) throw new NoOnnxFormException($"a tensor on {tensor.device} (the ONNX route runs on the CPU)");
        if (tensor.dtype is not (ScalarType.Float32 or ScalarType.Float64 or ScalarType.Int64 or ScalarType.Int32 or ScalarType.Int16
                or ScalarType.Int8 or ScalarType.Byte or ScalarType.Bool))
            throw new NoOnnxFormException($"a {tensor.dtype} tensor");
        return new TensorType(tensor.dtype, tensor.shape);
    }

    /// <summary>The specialization key (SignatureBuilder.SpecializationOf): every tensor's dtype, device and shape,
    /// every number's value, and TorchSharp's intra-op thread count (an ONNX Runtime session keeps the count it was
    /// made with: after set_num_threads, calls get sessions of the new count). The dispatcher takes it in the same
    /// pass as the call's signature.</summary>
    public static ulong KeyOf(ReadOnlySpan<TwinValue> arguments) => SignatureBuilder.SpecializationOf(arguments);
}

/// <summary>
/// The ONNX Runtime route of one hybridized method (issue 20): per specialization (shapes, dtypes, numbers: the
/// emitter decides host control flow with them) an ONNX model emitted from the twin's graph IR, run by an
/// <see cref="OnnxWeightedSession"/> (weights as inputs, always current; frozen as initializers while unchanged).
/// A specialization the IR has no ONNX form for is remembered with the reason. For calls that need no gradient only:
/// the results carry no autograd history.
/// </summary>
internal sealed class OnnxTwin : IDisposable
{
    private readonly GraphProgram _program;
    private readonly int _parameterCount;
    private readonly ConcurrentDictionary<ulong, Specialization> _specializations = new();
    private readonly PrepackedWeights _prepacked = new();
    private bool _disposed;

    /// <summary>Specializations kept per method; calls beyond take another route (a method whose number arguments
    /// change at every call would build a model each time).</summary>
    public const int MaxSpecializations = 32;

    public OnnxTwin(GraphProgram program, int parameterCount)
    {
        _program = program;
        _parameterCount = parameterCount;
    }

    /// <summary>The ONNX twin of a method whose generated code carries its graph IR, or null with the reason.</summary>
    public static OnnxTwin? For(HybridMethodInfo info, int parameterCount, out string? reason)
    {
        reason = null;
        if (info.TwinGraph is null)
        {
            reason = "its generated code carries no graph IR (rebuild with this HybridGen)";
            return null;
        }
        try
        {
            return new OnnxTwin(GraphText.Read(info.TwinGraph), parameterCount);
        }
        catch (FormatException error)
        {
            reason = error.Message;
            return null;
        }
    }

    /// <summary>One specialization's model and session (or the reason it has none).</summary>
    internal sealed class Specialization
    {
        public volatile OnnxWeightedSession? Session;
        /// <summary>Where the model's inputs come from: the data inputs, then the weights.</summary>
        public OnnxInputSource[] Inputs = Array.Empty<OnnxInputSource>();
        public int DataCount;
        public volatile string? NoForm;
        public Task Building = Task.CompletedTask;
        /// <summary>The background build (BackgroundCompiles.Run), or null: run here where this thread deferred it.</summary>
        public Task? Job;
        /// <summary>A call's input array, reused (a call takes it, or makes its own while another call holds it).</summary>
        public Tensor[]? Scratch;
    }

    /// <summary>Whether the model for this call's specialization is ready, giving the specialization to
    /// <see cref="Invoke"/>: built now (<paramref name="background"/> false), or started on a thread-pool thread and
    /// <see cref="OnnxReadiness.Building"/> until done (the caller runs another route meanwhile).
    /// <see cref="OnnxReadiness.NoForm"/> gives the reason. <paramref name="key"/> is the arguments' specialization
    /// key (<see cref="OnnxArgument.KeyOf"/>) where the caller has it (the dispatcher takes it with the signature),
    /// else null.</summary>
    public OnnxReadiness Ensure(ReadOnlySpan<TwinValue> arguments, bool background, out string? reason, out Specialization? ready, ulong? key = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ready = null;
        reason = null;
        Specialization? s;
        try
        {
            ulong k = key ?? OnnxArgument.KeyOf(arguments);
            // Described on the caller's thread (it reads the tensors), and only for a specialization not met yet.
            s = _specializations.TryGetValue(k, out Specialization? known) ? known : Start(k, OnnxArgument.Of(arguments), background, out reason);
        }
        catch (NoOnnxFormException unsupported)
        {
            reason = unsupported.Message;
            return OnnxReadiness.NoForm;
        }
        if (s is null) return OnnxReadiness.NoForm;
        if (!background) WaitBuilt(s);
        reason = s.NoForm;
        if (reason is not null) return OnnxReadiness.NoForm;
        if (s.Session is null) return OnnxReadiness.Building;
        ready = s;
        return OnnxReadiness.Ready;
    }

    /// <summary>Builds, on the calling (thread-pool) thread, the model of the specialization <paramref name="key"/>
    /// that <paramref name="described"/> describes, unless there is one; null when it has an ONNX form, else why not.
    /// The dispatcher starts it from a thread-pool thread after a call's result, so neither the build nor reading
    /// the graph text is on a call's path.</summary>
    public string? Prepare(ulong key, OnnxArgument[] described)
    {
        if (_disposed) return "disposed";
        string? reason = null;
        Specialization? s = _specializations.TryGetValue(key, out Specialization? known) ? known : Start(key, described, background: false, out reason);
        if (s is null) return reason;
        WaitBuilt(s);
        return s.NoForm;
    }

    /// <summary>Adds the specialization <paramref name="key"/> and builds its model, on this thread or a thread-pool
    /// thread; null (with the reason) past <see cref="MaxSpecializations"/>. A specialization is visible before its
    /// build ends: <see cref="Specialization.Building"/> ends with it, whichever thread builds.</summary>
    private Specialization? Start(ulong key, OnnxArgument[] described, bool background, out string? reason)
    {
        reason = null;
        if (_specializations.Count >= MaxSpecializations)
        {
            reason = $"more than {MaxSpecializations} signatures (shapes and number arguments) for its ONNX models";
            return null;
        }
        var built = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fresh = new Specialization { Building = built.Task };
        Specialization s = _specializations.GetOrAdd(key, fresh);
        if (!ReferenceEquals(s, fresh)) return s;                         // another thread added it first
        void BuildIt()
        {
            try { Build(fresh, described); }
            finally { built.SetResult(); }
        }
        if (background) fresh.Job = BackgroundCompiles.Run(BuildIt);
        else BuildIt();
        return fresh;
    }

    private void Build(Specialization s, OnnxArgument[] described)
    {
        try
        {
            byte[] model = OnnxEmitter.Emit(_program, described, _parameterCount, null, out OnnxInputSource[] data, out OnnxInputSource[] weights);
            GraphProgram program = _program;
            int parameterCount = _parameterCount;
            s.Inputs = data.Concat(weights).ToArray();
            s.DataCount = data.Length;
            s.Session = new OnnxWeightedSession(
                frozen => frozen is null ? model : OnnxEmitter.Emit(program, described, parameterCount, frozen, out _, out _),
                get_num_threads(), _prepacked);
            if (_disposed) s.Session.Dispose();
        }
        catch (NoOnnxFormException unsupported)
        {
            s.NoForm = unsupported.Message;
        }
        catch (Exception error) when (error is TypeInitializationException or DllNotFoundException)
        {
            // The application left ONNX Runtime's natives out (ExcludeAssets="native"), or they do not load here.
            s.NoForm = "ONNX Runtime's native library does not load in this application (" + (error.InnerException ?? error).Message + ")";
        }
        catch (Exception error)
        {
            // ONNX Runtime rejecting the model, or an emitter bug: never a crash, the route is not used.
            s.NoForm = "building its ONNX model failed: " + error.Message;
        }
    }

    /// <summary>Runs <paramref name="s"/>'s model on this call's arguments (which <see cref="Ensure"/> gave it for);
    /// results (tuples flattened) go to <paramref name="results"/>; returns their count.</summary>
    public int Invoke(Specialization s, ReadOnlySpan<TwinValue> arguments, Span<TwinValue> results)
    {
        OnnxWeightedSession session = s.Session ?? throw new InvalidOperationException("the ONNX model of this call's specialization is not ready");
        Tensor[] inputs = Interlocked.Exchange(ref s.Scratch, null) ?? new Tensor[s.Inputs.Length];
        Tensor[] outputs;
        try
        {
            TensorsAt(arguments, s.Inputs, inputs);
            outputs = session.Run(inputs, s.DataCount);
        }
        finally
        {
            Array.Clear(inputs); // holds no caller's tensor between calls
            Volatile.Write(ref s.Scratch, inputs);
        }
        int count = Math.Min(outputs.Length, results.Length);
        for (int k = 0; k < count; k++) results[k] = outputs[k];
        for (int k = count; k < outputs.Length; k++) outputs[k].Dispose();
        return outputs.Length;
    }

    /// <summary>The model of this call's specialization with the weights it reads as initializers (OnnxExport).</summary>
    public byte[] Export(ReadOnlySpan<TwinValue> arguments)
    {
        OnnxArgument[] described = OnnxArgument.Of(arguments);
        // The first emission says which tensors are the weights, in the model's order; the second copies them in.
        OnnxEmitter.Emit(_program, described, _parameterCount, null, out _, out OnnxInputSource[] weights);
        var values = new Tensor[weights.Length];
        TensorsAt(arguments, weights, values);
        return OnnxEmitter.Emit(_program, described, _parameterCount, values, out _, out _);
    }

    private static void TensorsAt(ReadOnlySpan<TwinValue> arguments, OnnxInputSource[] sources, Tensor[] tensors)
    {
        for (int k = 0; k < sources.Length; k++)
            tensors[k] = sources[k].Element < 0 ? arguments[sources[k].Argument].Tensor! : arguments[sources[k].Argument].Tensors[sources[k].Element];
    }

    /// <summary>Prepacked-weight containers made so far (tests: signatures of unchanged weights share one).</summary>
    public int PrepackedContainers => _prepacked.Containers;

    /// <summary>Calls served with frozen weights and with weights as inputs, over all specializations (tests).</summary>
    public (long frozen, long inputs) Calls => (_specializations.Values.Sum(s => s.Session?.FrozenCalls ?? 0), _specializations.Values.Sum(s => s.Session?.InputCalls ?? 0));

    /// <summary>Waits until the specialization's model is built, building it here first where this thread's eager
    /// body deferred the build (else the wait would wait for itself).</summary>
    private static void WaitBuilt(Specialization s)
    {
        BackgroundCompiles.RunIfDeferredHere(s.Job);
        s.Building.Wait();
    }

    /// <summary>Waits for the frozen-weight builds under way (tests).</summary>
    public void WaitForFrozen()
    {
        foreach (Specialization s in _specializations.Values)
        {
            BackgroundCompiles.RunIfDeferredHere(s.Session?.Freezing);
            s.Session?.Freezing?.Wait();
        }
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (Specialization s in _specializations.Values) s.Session?.Dispose();
        _specializations.Clear();
        _prepacked.Dispose();
    }
}
