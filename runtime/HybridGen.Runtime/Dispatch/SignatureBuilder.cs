using System;
using System.Collections.Generic;
using HybridGen.Native;
using static TorchSharp.torch;

namespace HybridGen;

/// <summary>
/// Collects what identifies a call's input signature: the dtype, device, shape and requires_grad of each tensor
/// argument and field the twin reads (read with TorchSharp's plain metadata getters), plus scalar values where a backend specializes
/// on them. The generated code fills it; it lives on the stack.
/// </summary>
public ref struct SignatureBuilder
{
    private Span<nint> _handles;
    private nint[]? _overflow;
    private int _count;
    private ulong _scalars;

    internal SignatureBuilder(Span<nint> buffer)
    {
        _handles = buffer;
        _overflow = null;
        _count = 0;
        _scalars = 0x51ed27;
    }

    internal bool SpecializeOnScalars { get; set; }

    /// <summary>A tensor argument or input; null (an optional bias) counts as a kind of its own.</summary>
    public void Add(Tensor? tensor) => Push(tensor is null ? 0 : tensor.Handle);

    /// <summary>A tensor of a module's or field's state (a parameter, a running statistic): its dtype, device and
    /// requires_grad, not its sizes, which such tensors keep from call to call; a model passes dozens of them, and
    /// the key only groups calls for timing, so this reads 4 values a tensor instead of 5 plus one per dimension.</summary>
    public void AddState(Tensor? tensor) => Push(tensor is null ? 0 : tensor.Handle | StateTag);

    // Tensor handles are pointers to 8-byte-aligned C++ objects: the low bit is free to mark state tensors.
    private const nint StateTag = 1;

    public void Add(IReadOnlyList<Tensor> tensors)
    {
        Mix((ulong)(tensors?.Count ?? -1));
        if (tensors is null) return;
        for (int k = 0; k < tensors.Count; k++) Add(tensors[k]);
    }

    /// <summary>Scalars count only where a backend specializes on them (a captured CUDA graph does; TorchScript does not).</summary>
    public void Add(long value)
    {
        if (SpecializeOnScalars) Mix((ulong)value);
    }

    public void Add(double value)
    {
        if (SpecializeOnScalars) Mix((ulong)BitConverter.DoubleToInt64Bits(value));
    }

    public void Add(bool value)
    {
        if (SpecializeOnScalars) Mix(value ? 1UL : 2UL);
    }

    public void Add(IReadOnlyList<long> values) => Mix((ulong)(values?.Count ?? -1));

    public void Add(IReadOnlyList<int> values) => Mix((ulong)(values?.Count ?? -1));

    public void Add(IReadOnlyList<double> values) => Mix((ulong)(values?.Count ?? -1));

    public void Add(IReadOnlyList<float> values) => Mix((ulong)(values?.Count ?? -1));

    private void Mix(ulong value) => _scalars = (_scalars ^ value) * 1099511628211UL;

    private void Push(nint handle)
    {
        if (_count == _handles.Length)
        {
            var bigger = new nint[Math.Max(8, _handles.Length * 2)];
            _handles.CopyTo(bigger);
            _overflow = bigger;
            _handles = bigger;
        }
        _handles[_count++] = handle;
    }

    /// <summary>The key over every tensor's dtype, device, requires_grad and sizes, whether any tensor is on a
    /// CUDA device, and whether any requires grad. A null tensor counts as its own kind.</summary>
    internal unsafe (ulong key, bool cuda, bool anyGrad) Finish()
    {
        ulong key = _scalars;
        bool cuda = false, anyGrad = false;
        for (int k = 0; k < _count; k++)
        {
            nint handle = _handles[k];
            if (handle == 0)
            {
                key = Mixed(key, 0x9e3779b97f4a7c15UL);
                continue;
            }
            bool state = (handle & StateTag) != 0;
            handle &= ~StateTag;
            // A dense CPU tensor's fields are read in place (TensorFields); any other tensor through the getters.
            // Both give the same values, so a tensor's key does not depend on the way it was read.
            if (TensorFields.Calibration.Ready && TensorFields.TryRead(handle, out sbyte dtype, out int deviceIndex, out bool requiresGrad, out int dimensions, out long* sizes))
            {
                anyGrad |= requiresGrad;
                ulong word = Header(dtype, 0, deviceIndex, requiresGrad, dimensions, state);
                if (!state)
                    for (int d = 0; d < dimensions; d++) word = WithSize(word, sizes[d]);
                key = Mixed(key, word);
                continue;
            }
            int deviceType = LibTorchSharp.DeviceType(handle);
            cuda |= deviceType == 1; // c10::DeviceType::CUDA
            long rank = state ? 0 : LibTorchSharp.Dimensions(handle);
            bool grad = LibTorchSharp.RequiresGrad(handle);
            anyGrad |= grad;
            ulong read = Header(LibTorchSharp.DType(handle), deviceType, LibTorchSharp.DeviceIndex(handle), grad, rank, state);
            for (long d = 0; d < rank; d++) read = WithSize(read, LibTorchSharp.Size(handle, d));
            key = Mixed(key, read);
        }
        // Grad mode decides what a call costs when a tensor requires grad (under no_grad the forward records no
        // graph): then it is part of the key. Where none does, no graph is recorded either way, and it is not read.
        if (anyGrad) key = Mixed(key, LibTorchSharp.IsGradEnabled() ? 0x5bd1e995UL : 0x1b873593UL);
        return (key, cuda, anyGrad);
    }

    /// <summary>One tensor's dtype, device, requires_grad and dimension count in one word; a state tensor's sizes do
    /// not count, and its word says it is one.</summary>
    private static ulong Header(sbyte dtype, int deviceType, int deviceIndex, bool requiresGrad, long dimensions, bool state) =>
        (ulong)(byte)dtype | (ulong)(uint)deviceType << 8 | (ulong)(uint)(deviceIndex + 1) << 16
        | (requiresGrad ? 1UL << 40 : 0) | (state ? 1UL << 41 : (ulong)dimensions << 48);

    // A tensor's sizes go into its own word first, and the word into the key once: the per-tensor work does not
    // wait on the key's chain of multiplies, so the tensors' words are computed side by side.
    private static ulong WithSize(ulong word, long size) => (word ^ (ulong)size) * 0x9e3779b97f4a7c15UL + 0x632be59bd9b4e019UL;

    private static ulong Mixed(ulong key, ulong value)
    {
        key ^= value + 0x9e3779b97f4a7c15UL + (key << 6) + (key >> 2);
        return key * 1099511628211UL;
    }
}

/// <summary>Writes a call's signature (generated per hybridized method).</summary>
public delegate void SignatureWriter<TArgs>(in TArgs arguments, ref SignatureBuilder builder);
