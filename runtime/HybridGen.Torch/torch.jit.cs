using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using HybridGen.Torch.Native;

namespace HybridGen.Torch;

public static partial class torch
{
    /// <summary>TorchScript: compile source text with libtorch and call its functions.</summary>
    public static class jit
    {
        /// <summary>Compiles TorchScript source. A syntax or type error is a <see cref="TorchException"/> whose
        /// message is libtorch's (it names the line and marks the spot).</summary>
        public static CompilationUnit compile(string source)
        {
            ArgumentNullException.ThrowIfNull(source);
            NativeMethods.Check(NativeMethods.hg_script_compile(source, out nint unit));
            return new CompilationUnit(unit);
        }
    }
}

/// <summary>A compiled TorchScript unit; its functions live as long as it does.</summary>
public sealed class CompilationUnit : IDisposable
{
    private nint _handle;

    internal CompilationUnit(nint handle) => _handle = handle;

    ~CompilationUnit() => Free();

    internal nint Handle
    {
        get
        {
            nint handle = Volatile.Read(ref _handle);
            return handle != 0 ? handle : throw new ObjectDisposedException(nameof(CompilationUnit));
        }
    }

    /// <summary>The function named <paramref name="name"/>, or a <see cref="TorchException"/> when there is none.</summary>
    public ScriptFunction this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            NativeMethods.Check(NativeMethods.hg_script_function(Handle, name, out nint function));
            return function != 0
                ? new ScriptFunction(this, function, name)
                : throw new TorchException($"the TorchScript unit has no function named '{name}'");
        }
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        nint handle = Interlocked.Exchange(ref _handle, 0);
        if (handle != 0) NativeMethods.hg_script_free(handle);
    }
}

/// <summary>One function of a <see cref="CompilationUnit"/>.</summary>
public sealed unsafe class ScriptFunction
{
    private const int MaxResults = 64;
    private readonly CompilationUnit _unit;
    private readonly nint _function;

    internal ScriptFunction(CompilationUnit unit, nint function, string name)
    {
        _unit = unit;
        _function = function;
        Name = name;
    }

    public string Name { get; }

    /// <summary>Calls the function. Tuples and lists in the result are flattened, depth first, into
    /// <paramref name="results"/>; the return value is how many were written.</summary>
    public int Invoke(ReadOnlySpan<ScriptValue> args, Span<ScriptValue> results)
    {
        _ = _unit.Handle; // throws if the unit was disposed
        // Lists travel as pointers to arrays: pin every list argument for the call.
        var pins = new List<GCHandle>();
        Span<NativeValue> argv = args.Length <= 16 ? stackalloc NativeValue[args.Length] : new NativeValue[args.Length];
        NativeValue* outs = stackalloc NativeValue[MaxResults];
        int count;
        try
        {
            for (int k = 0; k < args.Length; k++) argv[k] = args[k].ToNative(pins);
            fixed (NativeValue* p = argv)
                NativeMethods.Check(NativeMethods.hg_script_call(_function, p, args.Length, outs, MaxResults, out count));
        }
        finally
        {
            foreach (GCHandle pin in pins) pin.Free();
        }
        GC.KeepAlive(_unit);
        for (int k = 0; k < args.Length; k++) args[k].KeepAlive();
        if (count > results.Length)
        {
            for (int k = 0; k < count; k++) ScriptValue.FromNative(outs[k]).Tensor?.Dispose();
            throw new ArgumentException($"{Name} returned {count} values; the results span holds {results.Length}", nameof(results));
        }
        for (int k = 0; k < count; k++) results[k] = ScriptValue.FromNative(outs[k]);
        return count;
    }

    /// <summary>
    /// Captures a call of this function as a CUDA graph for these arguments' shapes, dtypes and scalar values (after
    /// <paramref name="warmups"/> runs on a side stream). Tensor arguments must be on a CUDA device. Throws a
    /// TorchException where capture is not possible (no CUDA, a host synchronization inside).
    /// </summary>
    public CudaGraph CaptureCudaGraph(ReadOnlySpan<ScriptValue> args, int warmups = 3)
    {
        _ = _unit.Handle;
        var pins = new List<GCHandle>();
        Span<NativeValue> argv = args.Length <= 16 ? stackalloc NativeValue[args.Length] : new NativeValue[args.Length];
        nint graph;
        try
        {
            for (int k = 0; k < args.Length; k++) argv[k] = args[k].ToNative(pins);
            fixed (NativeValue* p = argv)
                NativeMethods.Check(NativeMethods.hg_cuda_graph_capture(_function, p, args.Length, warmups, out graph));
        }
        finally
        {
            foreach (GCHandle pin in pins) pin.Free();
        }
        for (int k = 0; k < args.Length; k++) args[k].KeepAlive();
        return new CudaGraph(_unit, graph, Name);
    }

    /// <summary>Calls a function that returns one tensor.</summary>
    public Tensor Invoke(params ScriptValue[] args)
    {
        var results = new ScriptValue[MaxResults];
        int count = Invoke(args, results);
        if (count == 1 && results[0].Tensor is { } tensor) return tensor;
        for (int k = 0; k < count; k++) results[k].Tensor?.Dispose();
        throw new TorchException($"{Name} returned {count} values, not one tensor");
    }
}

/// <summary>
/// A TorchScript call captured as a CUDA graph. <see cref="Replay"/> copies new tensor arguments into the graph's
/// static inputs, replays it and returns clones of its outputs (the caller owns them; the graph's own outputs are
/// overwritten by the next replay). One replay at a time: callers on several threads take turns.
/// </summary>
public sealed unsafe class CudaGraph : IDisposable
{
    private const int MaxResults = 64;
    private readonly object _gate = new();
    private readonly CompilationUnit _unit;
    private nint _graph;

    internal CudaGraph(CompilationUnit unit, nint graph, string name)
    {
        _unit = unit;
        _graph = graph;
        Name = name;
    }

    ~CudaGraph() => Free();

    public string Name { get; }

    /// <summary>Whether this HybridGen shim was built with CUDA-graph support (a CUDA libtorch).</summary>
    public static bool Supported => NativeMethods.hg_cuda_graphs_supported() != 0;

    public int Replay(ReadOnlySpan<ScriptValue> args, Span<ScriptValue> results)
    {
        Span<NativeValue> argv = args.Length <= 16 ? stackalloc NativeValue[args.Length] : new NativeValue[args.Length];
        for (int k = 0; k < args.Length; k++)
            argv[k] = args[k].Tensor is { } t ? NativeValue.FromTensor(t) : default;
        NativeValue* outs = stackalloc NativeValue[MaxResults];
        int count;
        lock (_gate)
        {
            nint graph = _graph != 0 ? _graph : throw new ObjectDisposedException(nameof(CudaGraph));
            fixed (NativeValue* p = argv)
                NativeMethods.Check(NativeMethods.hg_cuda_graph_replay(graph, p, args.Length, outs, MaxResults, out count));
        }
        for (int k = 0; k < args.Length; k++) args[k].KeepAlive();
        GC.KeepAlive(_unit);
        if (count > results.Length)
        {
            for (int k = 0; k < count; k++) ScriptValue.FromNative(outs[k]).Tensor?.Dispose();
            throw new ArgumentException($"{Name} returned {count} values; the results span holds {results.Length}", nameof(results));
        }
        for (int k = 0; k < count; k++) results[k] = ScriptValue.FromNative(outs[k]);
        return count;
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        nint graph = Interlocked.Exchange(ref _graph, 0);
        if (graph != 0) NativeMethods.hg_cuda_graph_free(graph);
    }
}

/// <summary>An argument to or result of a TorchScript function: a tensor, an int, a float, a bool, a list of
/// tensors, ints or floats, or None.</summary>
public readonly struct ScriptValue
{
    private readonly NativeKind _kind;
    private readonly long _int;
    private readonly double _double;
    private readonly object? _list;

    private ScriptValue(NativeKind kind, Tensor? tensor, long i, double d, object? list = null)
    {
        _kind = kind;
        Tensor = tensor;
        _int = i;
        _double = d;
        _list = list;
    }

    /// <summary>A List[Tensor] argument.</summary>
    public static ScriptValue FromTensors(IReadOnlyList<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var copy = new Tensor[tensors.Count];
        for (int k = 0; k < copy.Length; k++) copy[k] = tensors[k] ?? throw new ArgumentNullException(nameof(tensors), $"element {k} is null");
        return new ScriptValue(NativeKind.TensorList, null, 0, 0, copy);
    }

    /// <summary>A List[int] argument.</summary>
    public static ScriptValue FromInts(IReadOnlyList<long> values) =>
        new(NativeKind.IntList, null, 0, 0, (values ?? throw new ArgumentNullException(nameof(values))).ToArray());

    /// <summary>A List[int] argument.</summary>
    public static ScriptValue FromInts(IReadOnlyList<int> values) =>
        new(NativeKind.IntList, null, 0, 0, (values ?? throw new ArgumentNullException(nameof(values))).Select(v => (long)v).ToArray());

    /// <summary>A List[float] argument.</summary>
    public static ScriptValue FromDoubles(IReadOnlyList<double> values) =>
        new(NativeKind.DoubleList, null, 0, 0, (values ?? throw new ArgumentNullException(nameof(values))).ToArray());

    /// <summary>A List[float] argument.</summary>
    public static ScriptValue FromDoubles(IReadOnlyList<float> values) =>
        new(NativeKind.DoubleList, null, 0, 0, (values ?? throw new ArgumentNullException(nameof(values))).Select(v => (double)v).ToArray());

    /// <summary>A short description for reports: "float32[64,256] cpu grad", "int", "List[Tensor](3)".</summary>
    public string Describe() => _kind switch
    {
        NativeKind.Tensor when Tensor is { IsDisposed: false } t =>
            $"{t.dtype.ToString().ToLowerInvariant()}[{string.Join(",", t.shape)}] {t.device}{(t.requires_grad ? " grad" : "")}",
        NativeKind.Tensor => "tensor",
        NativeKind.Int => "int",
        NativeKind.Double => "float",
        NativeKind.Bool => "bool",
        NativeKind.TensorList => $"List[Tensor]({((Tensor[])_list!).Length})",
        NativeKind.IntList => $"List[int]({((Array)_list!).Length})",
        NativeKind.DoubleList => $"List[float]({((Array)_list!).Length})",
        _ => "None",
    };

    internal void KeepAlive()
    {
        GC.KeepAlive(Tensor);
        GC.KeepAlive(_list);
    }

    public Tensor? Tensor { get; }
    public bool IsNone => _kind == NativeKind.None;
    public long ToInt64() => _kind == NativeKind.Int ? _int : throw new InvalidCastException($"the value is {_kind}, not an int");
    public double ToDouble() => _kind == NativeKind.Double ? _double : throw new InvalidCastException($"the value is {_kind}, not a float");
    public bool ToBoolean() => _kind == NativeKind.Bool ? _int != 0 : throw new InvalidCastException($"the value is {_kind}, not a bool");

    public static implicit operator ScriptValue(Tensor tensor) =>
        new(NativeKind.Tensor, tensor ?? throw new ArgumentNullException(nameof(tensor)), 0, 0);
    public static implicit operator ScriptValue(long value) => new(NativeKind.Int, null, value, 0);
    public static implicit operator ScriptValue(double value) => new(NativeKind.Double, null, 0, value);
    public static implicit operator ScriptValue(bool value) => new(NativeKind.Bool, null, value ? 1 : 0, 0);

    /// <summary>The native form; list payloads are pinned (the handles added to <paramref name="pins"/>).</summary>
    internal NativeValue ToNative(List<GCHandle> pins)
    {
        switch (_kind)
        {
            case NativeKind.Tensor: return NativeValue.FromTensor(Tensor!);
            case NativeKind.Int: return NativeValue.FromInt(_int);
            case NativeKind.Double: return NativeValue.FromDouble(_double);
            case NativeKind.Bool: return NativeValue.FromBool(_int != 0);
            case NativeKind.IntList or NativeKind.DoubleList:
            {
                var array = (Array)_list!;
                GCHandle pin = GCHandle.Alloc(array, GCHandleType.Pinned);
                pins.Add(pin);
                return new NativeValue { Kind = _kind, Pointer = pin.AddrOfPinnedObject(), Int = array.Length };
            }
            case NativeKind.TensorList:
            {
                var tensors = (Tensor[])_list!;
                nint[] handles = tensors.Select(t => t.Handle).ToArray();
                GCHandle pin = GCHandle.Alloc(handles, GCHandleType.Pinned);
                pins.Add(pin);
                return new NativeValue { Kind = NativeKind.TensorList, Pointer = pin.AddrOfPinnedObject(), Int = handles.Length };
            }
            default: return default;
        }
    }

    internal static ScriptValue FromNative(in NativeValue value) => value.Kind switch
    {
        NativeKind.Tensor => new ScriptValue(NativeKind.Tensor, new Tensor(value.Pointer), 0, 0),
        NativeKind.Int => new ScriptValue(NativeKind.Int, null, value.Int, 0),
        NativeKind.Double => new ScriptValue(NativeKind.Double, null, 0, value.Double),
        NativeKind.Bool => new ScriptValue(NativeKind.Bool, null, value.Int, 0),
        _ => default,
    };
}
