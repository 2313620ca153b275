using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using HybridGen.Dispatch;
using HybridGen.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

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

    /// <summary>The specialization key: every tensor's dtype, device and shape, every number's value.</summary>
    public static ulong KeyOf(ReadOnlySpan<TwinValue> arguments)
    {
        ulong key = StableKey.Start;
        foreach (TwinValue a in arguments)
        {
            key = StableKey.Mix(key, (ulong)a.Kind);
            switch (a.Kind)
            {
                case TwinValueKind.Tensor:
                    key = MixTensor(key, a.Tensor!);
                    break;
                case TwinValueKind.TensorList:
                    key = StableKey.Mix(key, (ulong)a.Tensors.Length);
                    foreach (Tensor t in a.Tensors) key = MixTensor(key, t);
                    break;
                case TwinValueKind.Int: key = StableKey.Mix(key, (ulong)a.ToInt64()); break;
                case TwinValueKind.Float: key = StableKey.Mix(key, (ulong)BitConverter.DoubleToInt64Bits(a.ToDouble())); break;
                case TwinValueKind.Bool: key = StableKey.Mix(key, a.ToBoolean() ? 1UL : 0UL); break;
            }
        }
        return key;
    }

    private static ulong MixTensor(ulong key, Tensor tensor) =>
        StableKey.MixSizes(StableKey.Mix(StableKey.Mix(key, (ulong)Native.LibTorchSharp.DType(tensor.Handle)),
            (ulong)Native.LibTorchSharp.DeviceType(tensor.Handle)), tensor.Handle);
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

    private sealed class Specialization
    {
        public OnnxWeightedSession? Session;
        public OnnxInputSource[] Data = Array.Empty<OnnxInputSource>(), Weights = Array.Empty<OnnxInputSource>();
        public string? NoForm;
    }

    /// <summary>Builds (once) the model and session for this call's specialization; null when ready, else the reason
    /// there is no ONNX form for it. ONNX Runtime's own errors are <see cref="System.Runtime.InteropServices.ExternalException"/>s.</summary>
    public string? Prepare(ReadOnlySpan<TwinValue> arguments) => Get(arguments).NoForm;

    private Specialization Get(ReadOnlySpan<TwinValue> arguments)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ulong key;
        try
        {
            key = OnnxArgument.KeyOf(arguments);
        }
        catch (NoOnnxFormException unsupported)
        {
            return new Specialization { NoForm = unsupported.Message };
        }
        if (_specializations.TryGetValue(key, out Specialization? known)) return known;
        Specialization built = Build(arguments);
        if (_specializations.Count >= MaxSpecializations)
        {
            built.Session?.Dispose();
            return new Specialization { NoForm = $"more than {MaxSpecializations} signatures (shapes and number arguments) for its ONNX models" };
        }
        Specialization kept = _specializations.GetOrAdd(key, built);
        if (!ReferenceEquals(kept, built)) built.Session?.Dispose();
        return kept;
    }

    private Specialization Build(ReadOnlySpan<TwinValue> arguments)
    {
        try
        {
            OnnxArgument[] described = OnnxArgument.Of(arguments);
            byte[] model = OnnxEmitter.Emit(_program, described, _parameterCount, null, out OnnxInputSource[] data, out OnnxInputSource[] weights);
            GraphProgram program = _program;
            int parameterCount = _parameterCount;
            var session = new OnnxWeightedSession(
                frozen => frozen is null ? model : OnnxEmitter.Emit(program, described, parameterCount, frozen, out _, out _),
                get_num_threads());
            return new Specialization { Session = session, Data = data, Weights = weights };
        }
        catch (NoOnnxFormException unsupported)
        {
            return new Specialization { NoForm = unsupported.Message };
        }
    }

    /// <summary>Runs the call's ONNX model; results (tuples flattened) go to <paramref name="results"/>.</summary>
    public int Invoke(ReadOnlySpan<TwinValue> arguments, Span<TwinValue> results)
    {
        Specialization s = Get(arguments);
        if (s.Session is null) throw new NoOnnxFormException(s.NoForm!);
        var data = new Tensor[s.Data.Length];
        for (int k = 0; k < data.Length; k++) data[k] = TensorAt(arguments, s.Data[k]);
        var weights = new Tensor[s.Weights.Length];
        for (int k = 0; k < weights.Length; k++) weights[k] = TensorAt(arguments, s.Weights[k]);
        Tensor[] outputs = s.Session.Run(data, weights);
        int count = Math.Min(outputs.Length, results.Length);
        for (int k = 0; k < count; k++) results[k] = outputs[k];
        for (int k = count; k < outputs.Length; k++) outputs[k].Dispose();
        return outputs.Length;
    }

    private static Tensor TensorAt(ReadOnlySpan<TwinValue> arguments, OnnxInputSource source) =>
        source.Element < 0 ? arguments[source.Argument].Tensor! : arguments[source.Argument].Tensors[source.Element];

    /// <summary>Calls served with frozen weights and with weights as inputs, over all specializations (tests).</summary>
    public (long frozen, long inputs) Calls => (_specializations.Values.Sum(s => s.Session?.FrozenCalls ?? 0), _specializations.Values.Sum(s => s.Session?.InputCalls ?? 0));

    public void Dispose()
    {
        _disposed = true;
        foreach (Specialization s in _specializations.Values) s.Session?.Dispose();
        _specializations.Clear();
    }
}
