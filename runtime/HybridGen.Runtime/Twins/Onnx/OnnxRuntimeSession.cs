using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using HybridGen.Dispatch;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

/// <summary>
/// One ONNX model on ONNX Runtime, called with TorchSharp tensors. Inputs are bound without copies over the memory of
/// contiguous CPU tensors; results are ordinary TorchSharp tensors, made in the caller's dispose scope. ONNX Runtime
/// writes into them directly once it has told, on the first call with those input shapes, what shapes they take.
/// Settings (measured, docs/benchmarks/onnx-runtime.md): intra-op threads as many as TorchSharp's, one inter-op thread, sequential
/// execution, all graph optimizations, and no spinning (ONNX Runtime's spinning pool slows the libtorch ops that
/// follow a run many times over). Errors are <see cref="ExternalException"/>s, as libtorch's are through TorchSharp,
/// so a failed call falls back to eager like a failed TorchScript call.
/// </summary>
internal sealed class OnnxRuntimeSession : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly string[] _inputNames, _outputNames;
    private readonly ScalarType[] _outputTypes;
    private readonly OrtValue[] _shared; // the shared initializers' values, which must outlive the session
    // The input shapes' key → what calls with those shapes reuse (their outputs' shapes, learnt on the first call).
    private readonly ConcurrentDictionary<ulong, Signature> _signatures = new();

    public OnnxRuntimeSession(byte[] model, int? threads = null)
        : this(model, threads, Array.Empty<string>(), Array.Empty<Tensor>(), null)
    {
    }

    /// <summary>A session whose initializers <paramref name="sharedNames"/> (declared in the model, their data unused)
    /// read <paramref name="sharedWeights"/>' memory in place: contiguous CPU tensors the caller keeps alive and
    /// unchanged as long as the session lives. With a <paramref name="prepacked"/> container, packed forms of them are
    /// shared with the other sessions built with it.</summary>
    public OnnxRuntimeSession(byte[] model, int? threads, IReadOnlyList<string> sharedNames, IReadOnlyList<Tensor> sharedWeights,
        PrePackedWeightsContainer? prepacked)
    {
        using SessionOptions options = Options(threads ?? get_num_threads());
        _shared = new OrtValue[sharedWeights.Count];
        try
        {
            for (int k = 0; k < _shared.Length; k++)
            {
                _shared[k] = Bind(sharedWeights[k]);
                options.AddInitializer(sharedNames[k], _shared[k]);
            }
            _session = prepacked is null ? new InferenceSession(model, options) : new InferenceSession(model, options, prepacked);
        }
        catch (Exception error)
        {
            _run.Dispose();
            foreach (OrtValue? value in _shared) value?.Dispose();
            if (error is OnnxRuntimeException or NotSupportedException)
                throw new ExternalException("ONNX Runtime rejected the model: " + error.Message, error);
            throw;
        }
        _inputNames = _session.InputNames.ToArray();
        _outputNames = _session.OutputNames.ToArray();
        try
        {
            _outputTypes = _outputNames.Select(n => OnnxTypes.DType((int)_session.OutputMetadata[n].ElementDataType)).ToArray();
        }
        catch (NotSupportedException unsupported) // an output TorchSharp has no dtype for (strings, maps)
        {
            Dispose();
            throw new ExternalException("ONNX Runtime: " + unsupported.Message, unsupported);
        }
    }

    public int InputCount => _inputNames.Length;

    public int OutputCount => _outputNames.Length;

    public static SessionOptions Options(int threads)
    {
        var options = new SessionOptions
        {
            IntraOpNumThreads = Math.Max(1, threads),
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            // Its warnings (an unused initializer: a module state the eval graph does not read) are not the user's to act on.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /// <summary>Runs the model on <paramref name="inputs"/> (in the model's input order); the results in its output order.</summary>
    public Tensor[] Run(params Tensor[] inputs) => Run(inputs.AsSpan());

    /// <summary>Runs the model on <paramref name="inputs"/> (in the model's input order); the results in its output order.
    /// Contiguous inputs of a known signature allocate nothing managed but the results and their bindings.</summary>
    public Tensor[] Run(ReadOnlySpan<Tensor> inputs)
    {
        if (inputs.Length != _inputNames.Length)
            throw new ArgumentException($"the ONNX model takes {_inputNames.Length} inputs, not {inputs.Length}", nameof(inputs));
        // A non-contiguous input is copied once (ONNX Runtime reads dense row-major memory); the copy lives until the run ends.
        Tensor[]? copies = null;
        try
        {
            ulong key = StableKey.Start;
            for (int k = 0; k < inputs.Length; k++)
            {
                Tensor input = inputs[k];
                if (input.device_type != DeviceType.CPU)
                    throw new ExternalException($"ONNX Runtime's CPU route was given a tensor on {input.device}");
                if (!input.is_contiguous())
                {
                    copies ??= inputs.ToArray();
                    copies[k] = input.contiguous();
                }
                key = StableKey.MixSizes(StableKey.Mix(key, (ulong)input.dtype), input.Handle);
            }
            ReadOnlySpan<Tensor> dense = copies ?? inputs;
            if (!_signatures.TryGetValue(key, out Signature? signature)) return FirstRun(key, dense);
            // Outputs whose shapes depend on input values (NonZero, a Slice or Reshape fed by an input): ONNX Runtime
            // allocates them at every call, as on the first.
            if (signature.ValueDependent) return Allocating(dense, out _);
            if (!signature.TryEnter()) return OneOff(signature.Shapes, dense); // another thread holds its binding
            try
            {
                return signature.Run(this, dense);
            }
            catch (OnnxRuntimeException error) when (error.Message.Contains("output shape") || error.Message.Contains("re-use buffer"))
            {
                // The shapes learnt on the first call no longer fit ("the computed output shape for this run is ...";
                // older ONNX Runtimes: "Shape mismatch attempting to re-use buffer").
                signature.ValueDependent = true;
                return Allocating(dense, out _);
            }
            finally
            {
                signature.Exit();
            }
        }
        catch (OnnxRuntimeException error)
        {
            throw new ExternalException("ONNX Runtime: " + error.Message, error);
        }
        catch (NotSupportedException unsupported) // an input dtype ONNX has no element type for
        {
            throw new ExternalException("ONNX Runtime: " + unsupported.Message, unsupported);
        }
        finally
        {
            if (copies is not null)
                for (int k = 0; k < copies.Length; k++)
                    if (!ReferenceEquals(copies[k], inputs[k])) copies[k].Dispose();
        }
    }

    /// <summary>The first call with these input shapes: ONNX Runtime allocates the outputs, which tells their shapes;
    /// the signature is kept for the calls that follow.</summary>
    private Tensor[] FirstRun(ulong key, ReadOnlySpan<Tensor> inputs)
    {
        Tensor[] results = Allocating(inputs, out long[][] shapes);
        var signature = new Signature(_session.CreateIoBinding(), inputs, shapes);
        if (!_signatures.TryAdd(key, signature)) signature.Dispose();
        return results;
    }

    /// <summary>A call whose outputs ONNX Runtime allocates (their shapes are known only after the run); the results
    /// are copied into TorchSharp tensors, and their shapes given back.</summary>
    private Tensor[] Allocating(ReadOnlySpan<Tensor> inputs, out long[][] shapes)
    {
        var values = new OrtValue[inputs.Length];
        try
        {
            using OrtIoBinding binding = _session.CreateIoBinding();
            for (int k = 0; k < inputs.Length; k++) binding.BindInput(_inputNames[k], values[k] = Bind(inputs[k]));
            foreach (string name in _outputNames) binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
            _session.RunWithBinding(_run, binding);
            using IDisposableReadOnlyCollection<OrtValue> produced = binding.GetOutputValues();
            var results = new Tensor[produced.Count];
            shapes = new long[produced.Count][];
            try
            {
                for (int k = 0; k < produced.Count; k++)
                {
                    shapes[k] = produced[k].GetTensorTypeAndShape().Shape;
                    results[k] = empty(shapes[k], _outputTypes[k]);
                    CopyInto(produced[k], results[k]);
                }
            }
            catch
            {
                foreach (Tensor? r in results) r?.Dispose();
                throw;
            }
            return results;
        }
        finally
        {
            foreach (OrtValue? value in values) value?.Dispose();
        }
    }

    /// <summary>A call with a binding of its own (the signature's is in use on another thread).</summary>
    private Tensor[] OneOff(long[][] shapes, ReadOnlySpan<Tensor> inputs)
    {
        var values = new OrtValue[inputs.Length];
        try
        {
            using OrtIoBinding binding = _session.CreateIoBinding();
            for (int k = 0; k < inputs.Length; k++) binding.BindInput(_inputNames[k], values[k] = Bind(inputs[k]));
            return RunInto(binding, shapes);
        }
        finally
        {
            foreach (OrtValue? value in values) value?.Dispose();
        }
    }

    /// <summary>Binds new result tensors of <paramref name="shapes"/> as the outputs, runs, and returns them (freed
    /// if the run fails). <paramref name="outputs"/> holds their bindings' values for the run (a signature's, reused).</summary>
    private Tensor[] RunInto(OrtIoBinding binding, long[][] shapes, OrtValue?[]? outputs = null)
    {
        var results = new Tensor[shapes.Length];
        outputs ??= new OrtValue?[shapes.Length];
        try
        {
            for (int k = 0; k < shapes.Length; k++)
                binding.BindOutput(_outputNames[k], outputs[k] = Bind(results[k] = empty(shapes[k], _outputTypes[k]), shapes[k]));
            _session.RunWithBinding(_run, binding);
            return results;
        }
        catch
        {
            foreach (Tensor? r in results) r?.Dispose();
            throw;
        }
        finally
        {
            for (int k = 0; k < outputs.Length; k++)
            {
                outputs[k]?.Dispose();
                outputs[k] = null;
            }
        }
    }

    /// <summary>
    /// What the calls with one set of input shapes reuse: the binding, and each input's bound value, rebound only
    /// where the tensor's data address changed (weights read at every call keep theirs, so a call binds the data
    /// inputs and its fresh results only). One call at a time uses it.
    /// </summary>
    private sealed class Signature : IDisposable
    {
        private readonly OrtIoBinding _binding;
        private readonly nint[] _data;
        private readonly long[][] _inputShapes;
        private readonly OrtValue?[] _values, _outputs;
        private int _busy;

        public Signature(OrtIoBinding binding, ReadOnlySpan<Tensor> inputs, long[][] shapes)
        {
            _binding = binding;
            _data = new nint[inputs.Length];
            _values = new OrtValue?[inputs.Length];
            _inputShapes = new long[inputs.Length][];
            for (int k = 0; k < inputs.Length; k++) _inputShapes[k] = inputs[k].shape; // the key fixes them
            _outputs = new OrtValue?[shapes.Length];
            Shapes = shapes;
        }

        public long[][] Shapes { get; }

        /// <summary>Set once a call's outputs did not fit the shapes learnt on the first call.</summary>
        public volatile bool ValueDependent;

        public bool TryEnter() => Interlocked.CompareExchange(ref _busy, 1, 0) == 0;

        public void Exit() => Volatile.Write(ref _busy, 0);

        public Tensor[] Run(OnnxRuntimeSession session, ReadOnlySpan<Tensor> inputs)
        {
            for (int k = 0; k < inputs.Length; k++)
            {
                nint data = Native.LibTorchSharp.DataPointer(inputs[k].Handle);
                if (_values[k] is not null && data == _data[k]) continue; // same memory, same shape and dtype (the key)
                // Bound first, then recorded: a failed bind leaves the old value and address recorded together.
                OrtValue value = Bind(inputs[k], _inputShapes[k]);
                try
                {
                    _binding.BindInput(session._inputNames[k], value);
                }
                catch
                {
                    value.Dispose();
                    throw;
                }
                _values[k]?.Dispose();
                _values[k] = value;
                _data[k] = data;
            }
            return session.RunInto(_binding, Shapes, _outputs);
        }

        public void Dispose()
        {
            _binding.Dispose();
            foreach (OrtValue? value in _values) value?.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (Signature signature in _signatures.Values) signature.Dispose();
        _session.Dispose();
        _run.Dispose();
        foreach (OrtValue value in _shared) value.Dispose();
    }

    /// <summary>The name of the model's input <paramref name="index"/>.</summary>
    public string InputName(int index) => _inputNames[index];

    /// <summary>An ONNX Runtime value over a contiguous CPU tensor's memory (no copy; valid while the tensor lives).</summary>
    private static OrtValue Bind(Tensor tensor) => Bind(tensor, tensor.shape);

    /// <summary><see cref="Bind(Tensor)"/> where the shape is known (a signature's: no shape array read per call).</summary>
    private static OrtValue Bind(Tensor tensor, long[] shape)
    {
        long elements = 1;
        foreach (long d in shape) elements *= d;
        ScalarType dtype = tensor.dtype; // a native call: read once
        return OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, (Microsoft.ML.OnnxRuntime.Tensors.TensorElementType)OnnxTypes.ElementType(dtype),
            shape, Native.LibTorchSharp.DataPointer(tensor.Handle), elements * OnnxTypes.ElementSize(dtype));
    }

    private static unsafe void CopyInto(OrtValue value, Tensor target)
    {
        Span<byte> source = value.GetTensorMutableRawData();
        if (source.Length == 0) return;
        source.CopyTo(new Span<byte>((void*)Native.LibTorchSharp.DataPointer(target.Handle), source.Length));
    }
}
