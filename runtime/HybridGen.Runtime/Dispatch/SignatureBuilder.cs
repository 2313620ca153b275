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

    /// <summary>The key over every tensor's dtype, device, requires_grad and sizes, and whether any tensor is on a
    /// CUDA device. A null tensor counts as its own kind.</summary>
    internal (ulong key, bool cuda) Finish()
    {
        // Grad mode decides what a call costs (a forward under no_grad records no graph): part of the key.
        ulong key = Mixed(_scalars, LibTorchSharp.IsGradEnabled() ? 0x5bd1e995UL : 0x1b873593UL);
        bool cuda = false;
        for (int k = 0; k < _count; k++)
        {
            nint handle = _handles[k];
            if (handle == 0)
            {
                key = Mixed(key, 0x9e3779b97f4a7c15UL);
                continue;
            }
            if ((handle & StateTag) != 0)
            {
                handle &= ~StateTag;
                int stateDevice = LibTorchSharp.DeviceType(handle);
                cuda |= stateDevice == 1;
                key = Mixed(key, (ulong)(byte)LibTorchSharp.DType(handle) | (ulong)(uint)stateDevice << 8 | (ulong)(uint)(LibTorchSharp.DeviceIndex(handle) + 1) << 16
                    | (LibTorchSharp.RequiresGrad(handle) ? 1UL << 40 : 0) | 1UL << 41);
                continue;
            }
            int deviceType = LibTorchSharp.DeviceType(handle);
            cuda |= deviceType == 1; // c10::DeviceType::CUDA
            long dimensions = LibTorchSharp.Dimensions(handle);
            key = Mixed(key, (ulong)(byte)LibTorchSharp.DType(handle) | (ulong)(uint)deviceType << 8 | (ulong)(uint)(LibTorchSharp.DeviceIndex(handle) + 1) << 16
                | (LibTorchSharp.RequiresGrad(handle) ? 1UL << 40 : 0) | (ulong)dimensions << 48);
            for (long d = 0; d < dimensions; d++) key = Mixed(key, (ulong)LibTorchSharp.Size(handle, d));
        }
        return (key, cuda);
    }

    private static ulong Mixed(ulong key, ulong value)
    {
        key ^= value + 0x9e3779b97f4a7c15UL + (key << 6) + (key >> 2);
        return key * 1099511628211UL;
    }
}

/// <summary>Writes a call's signature (generated per hybridized method).</summary>
public delegate void SignatureWriter<TArgs>(in TArgs arguments, ref SignatureBuilder builder);
