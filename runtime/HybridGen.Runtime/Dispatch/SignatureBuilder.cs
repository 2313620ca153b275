using System;
using HybridGen.Native;
using HybridGen.Twins;
using static TorchSharp.torch;

namespace HybridGen;

/// <summary>
/// The two keys of a call, from its twin arguments in one pass (<see cref="AddArguments"/>), each tensor's fields
/// read once:
/// <list type="bullet">
/// <item>the <b>signature</b>, which groups calls for timing: the dtype, device, shape and requires_grad of each
/// argument, the dtype, device and requires_grad of each state tensor (a module's weights keep their sizes from call
/// to call, and a model passes dozens), scalar values where a backend specializes on them, and the grad mode;</item>
/// <item>the <b>specialization</b>, which picks an ONNX model: every tensor's dtype, device type and shape and every
/// number's value (the ONNX emitter decides host control flow with them), and TorchSharp's thread count.</item>
/// </list>
/// A model's state is read once a call for both keys and for the twin's arguments: the keys in two passes cost
/// 1.5-3 % of a batch-1 ONNX Runtime call of a composed ResNet (measured with perf). It lives on the stack, and each
/// value is mixed in as it is added.
/// </summary>
internal ref struct SignatureBuilder
{
    private ulong _key;
    private ulong _specialization;
    private bool _cuda;
    private bool _anyGrad;
    private readonly bool _specializeOnScalars;
    private readonly bool _signature;
    private readonly bool _specialize;

    /// <summary>An empty signature; scalars count where a backend specializes on them (a captured CUDA graph does;
    /// TorchScript does not). Without <paramref name="signature"/> only the specialization is kept; without
    /// <paramref name="specialize"/> (no ONNX Runtime route for the method) only the signature.</summary>
    internal SignatureBuilder(bool specializeOnScalars, bool signature = true, bool specialize = true)
    {
        _key = 0x51ed27;
        _specialization = 0x0a77e5;
        _specializeOnScalars = specializeOnScalars;
        _signature = signature;
        _specialize = specialize;
    }

    /// <summary>The specialization key of a call's twin arguments (an ONNX model's), alone.</summary>
    public static ulong SpecializationOf(ReadOnlySpan<TwinValue> values)
    {
        var builder = new SignatureBuilder(false, signature: false);
        builder.AddArguments(values, values.Length);
        return builder.Specialization;
    }

    /// <summary>A call's twin arguments: the first <paramref name="parameterCount"/> are the method's parameters
    /// (tensors keyed with their sizes), the rest the state it reads (fields, submodules' weights and settings:
    /// tensors keyed without their sizes in the signature).</summary>
    public void AddArguments(ReadOnlySpan<TwinValue> values, int parameterCount)
    {
        for (int k = 0; k < values.Length; k++)
        {
            TwinValue value = values[k];
            bool state = k >= parameterCount;
            _specialization = Mixed(_specialization, (ulong)value.Kind);
            switch (value.Kind)
            {
                case TwinValueKind.Tensor: MixTensor(value.Tensor!.Handle, state); break;
                case TwinValueKind.Int: AddScalar((ulong)value.ToInt64()); break;
                case TwinValueKind.Float: AddScalar((ulong)BitConverter.DoubleToInt64Bits(value.ToDouble())); break;
                case TwinValueKind.Bool: AddScalar(value.ToBoolean() ? 1UL : 2UL); break;
                case TwinValueKind.TensorList:
                    Tensor[] tensors = value.Tensors;
                    Mix((ulong)tensors.Length);
                    _specialization = Mixed(_specialization, (ulong)tensors.Length);
                    foreach (Tensor tensor in tensors) MixTensor(tensor.Handle, state);
                    break;
                default: Mix(NoneWord); break; // None: an absent optional tensor or number
            }
        }
    }

    private const ulong NoneWord = 0x9e3779b97f4a7c15UL;

    /// <summary>A number: always part of the specialization; part of the signature only where a backend specializes
    /// on it.</summary>
    private void AddScalar(ulong bits)
    {
        _specialization = Mixed(_specialization, bits);
        if (_specializeOnScalars) Mix(bits);
    }

    /// <summary>One tensor. A dense CPU tensor's fields are read in place (TensorFields); any other tensor through the
    /// getters. Both give the same values, so the keys do not depend on the way a tensor was read.</summary>
    private unsafe void MixTensor(nint handle, bool state)
    {
        if (TensorFields.Calibration.Ready && TensorFields.TryRead(handle, out sbyte dtype, out int deviceIndex, out bool requiresGrad, out int dimensions, out long* sizes))
        {
            ulong shape = Shape(dimensions);
            for (int d = 0; d < dimensions; d++) shape = WithSize(shape, sizes[d]);
            Mixed(dtype, 0, deviceIndex, requiresGrad, shape, state);
            return;
        }
        int deviceType = LibTorchSharp.DeviceType(handle);
        _cuda |= deviceType == 1; // c10::DeviceType::CUDA
        // Sizes through the getters are a native call a dimension: read where a key takes them, the signature an
        // argument's, the specialization a CPU tensor's (the ONNX Runtime route runs on the CPU).
        bool sized = (_signature && !state) || (_specialize && deviceType == 0);
        long rank = sized ? LibTorchSharp.Dimensions(handle) : 0;
        ulong read = Shape(rank);
        for (long d = 0; d < rank; d++) read = WithSize(read, LibTorchSharp.Size(handle, d));
        bool grad = _signature && LibTorchSharp.RequiresGrad(handle);
        Mixed(LibTorchSharp.DType(handle), deviceType, _signature ? LibTorchSharp.DeviceIndex(handle) : 0, grad, read, state);
    }

    /// <summary>Mixes one tensor's fields into both keys: the specialization takes its dtype, device type and shape;
    /// the signature its dtype, device, requires_grad and, for an argument, its shape.</summary>
    private void Mixed(sbyte dtype, int deviceType, int deviceIndex, bool requiresGrad, ulong shape, bool state)
    {
        // Off the CPU a tensor's sizes are not part of the specialization (no ONNX model is picked there): the same
        // key whichever way it is taken.
        if (_specialize) _specialization = Mixed(Mixed(_specialization, (ulong)(byte)dtype | (ulong)(uint)deviceType << 8), deviceType == 0 ? shape : 0);
        if (!_signature) return;
        _anyGrad |= requiresGrad;
        ulong header = (ulong)(byte)dtype | (ulong)(uint)deviceType << 8 | (ulong)(uint)(deviceIndex + 1) << 16
            | (requiresGrad ? 1UL << 40 : 0) | (state ? 1UL << 41 : 0);
        Mix(state ? header : header ^ shape);
    }

    /// <summary>The signature, whether any tensor is on a CUDA device, and whether the call needs gradients (grad
    /// mode on and a tensor that requires grad: only then does the forward record a graph).</summary>
    internal (ulong key, bool cuda, bool needsGrad) Finish()
    {
        ulong key = _key;
        // Grad mode decides what a call costs when a tensor requires grad (under no_grad the forward records no
        // graph): then it is part of the key. Where none does, nothing is recorded in either mode and the two
        // cost about the same (a 20-op chain of small ops: 0-3 % apart, once 11 %), so they share a signature
        // and the mode is not read (11 ns a call).
        bool needsGrad = _anyGrad && LibTorchSharp.IsGradEnabled();
        if (_anyGrad) key = Mixed(key, needsGrad ? 0x5bd1e995UL : 0x1b873593UL);
        return (key, _cuda, needsGrad);
    }

    /// <summary>The specialization key, with TorchSharp's intra-op thread count (an ONNX Runtime session keeps the
    /// count it was made with: after set_num_threads, calls get sessions of the new count). Read only by the ONNX
    /// Runtime route, so other calls do not ask libtorch for the count.</summary>
    public readonly ulong Specialization => WithThreads(_specialization);

    /// <summary>A specialization key (<see cref="RawSpecialization"/>) with the current thread count.</summary>
    public static ulong WithThreads(ulong raw) => Mixed(raw, (ulong)get_num_threads());

    /// <summary>The specialization key without the thread count (<see cref="WithThreads"/> adds it).</summary>
    public readonly ulong RawSpecialization => _specialization;

    // A tensor's sizes go into their own word first, and the word into the keys once: the per-tensor work does not
    // wait on the keys' chains of multiplies. The word starts from the dimension count, so [2,3] differs from [6].
    private static ulong Shape(long dimensions) => 0x2545f4914f6cdd1dUL + (ulong)dimensions;

    private static ulong WithSize(ulong word, long size) => (word ^ (ulong)size) * 0x9e3779b97f4a7c15UL + 0x632be59bd9b4e019UL;

    private void Mix(ulong value)
    {
        if (_signature) _key = Mixed(_key, value);
    }

    private static ulong Mixed(ulong key, ulong value)
    {
        key ^= value + 0x9e3779b97f4a7c15UL + (key << 6) + (key >> 2);
        return key * 1099511628211UL;
    }
}
