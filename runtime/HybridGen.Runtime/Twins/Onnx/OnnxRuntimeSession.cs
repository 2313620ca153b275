using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

/// <summary>
/// One ONNX model on ONNX Runtime, called with TorchSharp tensors. Inputs are bound without copies over the memory of
/// contiguous CPU tensors; results are ordinary TorchSharp tensors, made in the caller's dispose scope. ONNX Runtime
/// writes into them directly once it has told, on the first call with those input shapes, what shapes they take.
/// Settings (../shared facts, measured): intra-op threads as many as TorchSharp's, one inter-op thread, sequential
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
    // The input shapes' key → each output's shape, learnt on the first call with those shapes.
    private readonly ConcurrentDictionary<ulong, long[][]> _outputShapes = new();

    public OnnxRuntimeSession(byte[] model, int? threads = null)
    {
        using SessionOptions options = Options(threads ?? get_num_threads());
        try
        {
            _session = new InferenceSession(model, options);
        }
        catch (OnnxRuntimeException error)
        {
            throw new ExternalException("ONNX Runtime rejected the model: " + error.Message, error);
        }
        _inputNames = _session.InputNames.ToArray();
        _outputNames = _session.OutputNames.ToArray();
        _outputTypes = _outputNames.Select(n => OnnxTypes.DType((int)_session.OutputMetadata[n].ElementDataType)).ToArray();
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
        };
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        return options;
    }

    /// <summary>Runs the model on <paramref name="inputs"/> (in the model's input order); the results in its output order.</summary>
    public Tensor[] Run(params Tensor[] inputs)
    {
        if (inputs.Length != _inputNames.Length)
            throw new ArgumentException($"the ONNX model takes {_inputNames.Length} inputs, not {inputs.Length}", nameof(inputs));
        // A non-contiguous input is copied once (ONNX Runtime reads dense row-major memory); the copy lives until the run ends.
        var owned = new Tensor?[inputs.Length];
        var values = new OrtValue[inputs.Length];
        Tensor[]? results = null;
        try
        {
            ulong key = 0xcbf29ce484222325UL;
            using OrtIoBinding binding = _session.CreateIoBinding();
            for (int k = 0; k < inputs.Length; k++)
            {
                Tensor input = inputs[k];
                if (input.device_type != DeviceType.CPU)
                    throw new ExternalException($"ONNX Runtime's CPU route was given a tensor on {input.device}");
                if (!input.is_contiguous()) input = owned[k] = input.contiguous();
                values[k] = Bind(input);
                binding.BindInput(_inputNames[k], values[k]);
                key = Mix(key, (ulong)input.dtype);
                foreach (long d in input.shape) key = Mix(key, (ulong)d);
                key = Mix(key, ulong.MaxValue);
            }
            if (_outputShapes.TryGetValue(key, out long[][]? shapes))
            {
                results = new Tensor[_outputNames.Length];
                var outputs = new OrtValue[results.Length];
                try
                {
                    for (int k = 0; k < results.Length; k++)
                    {
                        results[k] = empty(shapes[k], _outputTypes[k]);
                        outputs[k] = Bind(results[k]);
                        binding.BindOutput(_outputNames[k], outputs[k]);
                    }
                    _session.RunWithBinding(_run, binding);
                }
                finally
                {
                    foreach (OrtValue? output in outputs) output?.Dispose();
                }
                return results;
            }
            foreach (string name in _outputNames) binding.BindOutputToDevice(name, OrtMemoryInfo.DefaultInstance);
            _session.RunWithBinding(_run, binding);
            using IDisposableReadOnlyCollection<OrtValue> produced = binding.GetOutputValues();
            results = new Tensor[produced.Count];
            var learnt = new long[produced.Count][];
            for (int k = 0; k < produced.Count; k++)
            {
                learnt[k] = produced[k].GetTensorTypeAndShape().Shape;
                results[k] = empty(learnt[k], _outputTypes[k]);
                CopyInto(produced[k], results[k]);
            }
            _outputShapes.TryAdd(key, learnt);
            return results;
        }
        catch (OnnxRuntimeException error)
        {
            if (results is not null) foreach (Tensor? r in results) r?.Dispose();
            throw new ExternalException("ONNX Runtime: " + error.Message, error);
        }
        finally
        {
            foreach (OrtValue? value in values) value?.Dispose();
            foreach (Tensor? copy in owned) copy?.Dispose();
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _run.Dispose();
    }

    private static ulong Mix(ulong hash, ulong value) => (hash ^ value) * 0x100000001b3UL;

    /// <summary>An ONNX Runtime value over a contiguous CPU tensor's memory (no copy; valid while the tensor lives).</summary>
    private static OrtValue Bind(Tensor tensor) =>
        OrtValue.CreateTensorValueWithData(OrtMemoryInfo.DefaultInstance, (Microsoft.ML.OnnxRuntime.Tensors.TensorElementType)OnnxTypes.ElementType(tensor.dtype),
            tensor.shape, Native.LibTorchSharp.DataPointer(tensor.Handle), tensor.numel() * tensor.ElementSize);

    private static unsafe void CopyInto(OrtValue value, Tensor target)
    {
        Span<byte> source = value.GetTensorMutableRawData();
        if (source.Length == 0) return;
        source.CopyTo(new Span<byte>((void*)Native.LibTorchSharp.DataPointer(target.Handle), source.Length));
    }
}
