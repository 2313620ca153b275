using System;
using System.Collections.Generic;
using HybridGen.Torch;
using HybridGen.Torch.Native;

namespace HybridGen;

/// <summary>
/// Collects what identifies a call's input signature: the dtype, device, shape and requires_grad of each tensor
/// argument and field the twin reads (hashed natively in one call), plus scalar values where a backend specializes
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

    public void Add(Tensor tensor) => Push(tensor?.Handle ?? 0);

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

    /// <summary>The key (one native call over all tensors) and whether any tensor is on a CUDA device.</summary>
    internal unsafe (ulong key, bool cuda) Finish()
    {
        fixed (nint* handles = _handles)
        {
            NativeMethods.Check(NativeMethods.hg_signature(handles, _count, _scalars, out ulong key, out int flags));
            return (key, (flags & 1) != 0);
        }
    }
}

/// <summary>Writes a call's signature (generated per hybridized method).</summary>
public delegate void SignatureWriter<TArgs>(in TArgs arguments, ref SignatureBuilder builder);
