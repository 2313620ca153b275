using System;
using HybridGen.Native;
using HybridGen.Twins;
using static TorchSharp.torch;

namespace HybridGen;

/// <summary>
/// Collects what identifies a call's input signature: the dtype, device, shape and requires_grad of each tensor
/// argument and field the twin reads, plus scalar values where a backend specializes on them. The dispatcher fills it
/// from the call's twin arguments (<see cref="AddArguments"/>), read once for the key and the twin alike; it lives on
/// the stack, and each value is mixed into the key as it is added (no buffer, no second pass).
/// </summary>
internal ref struct SignatureBuilder
{
    private ulong _key;
    private bool _cuda;
    private bool _anyGrad;

    /// <summary>An empty signature; scalars count where a backend
    /// specializes on them (a captured CUDA graph does; TorchScript does not).</summary>
    internal SignatureBuilder(bool specializeOnScalars)
    {
        _key = 0x51ed27;
        _specializeOnScalars = specializeOnScalars;
    }

    private readonly bool _specializeOnScalars;

    /// <summary>A call's twin arguments: the first <paramref name="parameterCount"/> are the method's parameters
    /// (tensors keyed with their sizes), the rest the state it reads (fields, submodules' weights and settings:
    /// tensors keyed without their sizes, which such tensors keep from call to call).</summary>
    public void AddArguments(ReadOnlySpan<TwinValue> values, int parameterCount)
    {
        for (int k = 0; k < values.Length; k++)
        {
            TwinValue value = values[k];
            bool state = k >= parameterCount;
            switch (value.Kind)
            {
                case TwinValueKind.Tensor: MixTensor(value.Tensor!.Handle, state); break;
                case TwinValueKind.Int: Add(value.ToInt64()); break;
                case TwinValueKind.Float: Add(value.ToDouble()); break;
                case TwinValueKind.Bool: Add(value.ToBoolean()); break;
                case TwinValueKind.TensorList:
                    Tensor[] tensors = value.Tensors;
                    Mix((ulong)tensors.Length);
                    foreach (Tensor tensor in tensors) MixTensor(tensor.Handle, state);
                    break;
                default: Mix(NoneWord); break; // None: an absent optional tensor or number
            }
        }
    }

    private const ulong NoneWord = 0x9e3779b97f4a7c15UL;

    /// <summary>A tensor argument or input; null (an optional bias) counts as a kind of its own.</summary>
    public void Add(Tensor? tensor)
    {
        if (tensor is null) Mix(NoneWord);
        else MixTensor(tensor.Handle, state: false);
    }

    /// <summary>A tensor of a module's or field's state (a parameter, a running statistic): its dtype, device and
    /// requires_grad, not its sizes, which such tensors keep from call to call; a model passes dozens of them, and
    /// the key only groups calls for timing.</summary>
    public void AddState(Tensor? tensor)
    {
        if (tensor is null) Mix(NoneWord);
        else MixTensor(tensor.Handle, state: true);
    }

    /// <summary>Scalars count only where a backend specializes on them (a captured CUDA graph does; TorchScript does not).</summary>
    public void Add(long value)
    {
        if (_specializeOnScalars) Mix((ulong)value);
    }

    public void Add(double value)
    {
        if (_specializeOnScalars) Mix((ulong)BitConverter.DoubleToInt64Bits(value));
    }

    public void Add(bool value)
    {
        if (_specializeOnScalars) Mix(value ? 1UL : 2UL);
    }

    /// <summary>One tensor's dtype, device, requires_grad and (for arguments) sizes. A dense CPU tensor's fields are
    /// read in place (TensorFields); any other tensor through the getters. Both give the same values, so a tensor's
    /// key does not depend on the way it was read.</summary>
    private unsafe void MixTensor(nint handle, bool state)
    {
        if (TensorFields.Calibration.Ready && TensorFields.TryRead(handle, out sbyte dtype, out int deviceIndex, out bool requiresGrad, out int dimensions, out long* sizes))
        {
            _anyGrad |= requiresGrad;
            ulong word = Header(dtype, 0, deviceIndex, requiresGrad, dimensions, state);
            if (!state)
                for (int d = 0; d < dimensions; d++) word = WithSize(word, sizes[d]);
            Mix(word);
            return;
        }
        int deviceType = LibTorchSharp.DeviceType(handle);
        _cuda |= deviceType == 1; // c10::DeviceType::CUDA
        long rank = state ? 0 : LibTorchSharp.Dimensions(handle);
        bool grad = LibTorchSharp.RequiresGrad(handle);
        _anyGrad |= grad;
        ulong read = Header(LibTorchSharp.DType(handle), deviceType, LibTorchSharp.DeviceIndex(handle), grad, rank, state);
        for (long d = 0; d < rank; d++) read = WithSize(read, LibTorchSharp.Size(handle, d));
        Mix(read);
    }

    /// <summary>The key over everything added, whether any tensor is on a CUDA device, and whether the call needs
    /// gradients (grad mode on and a tensor that requires grad: only then does the forward record a graph).</summary>
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

    /// <summary>One tensor's dtype, device, requires_grad and dimension count in one word; a state tensor's sizes do
    /// not count, and its word says it is one.</summary>
    private static ulong Header(sbyte dtype, int deviceType, int deviceIndex, bool requiresGrad, long dimensions, bool state) =>
        (ulong)(byte)dtype | (ulong)(uint)deviceType << 8 | (ulong)(uint)(deviceIndex + 1) << 16
        | (requiresGrad ? 1UL << 40 : 0) | (state ? 1UL << 41 : (ulong)dimensions << 48);

    // A tensor's sizes go into its own word first, and the word into the key once: the per-tensor work does not
    // wait on the key's chain of multiplies.
    private static ulong WithSize(ulong word, long size) => (word ^ (ulong)size) * 0x9e3779b97f4a7c15UL + 0x632be59bd9b4e019UL;

    private void Mix(ulong value) => _key = Mixed(_key, value);

    private static ulong Mixed(ulong key, ulong value)
    {
        key ^= value + 0x9e3779b97f4a7c15UL + (key << 6) + (key >> 2);
        return key * 1099511628211UL;
    }
}
