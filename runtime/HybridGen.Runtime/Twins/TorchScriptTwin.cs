using System;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using HybridGen.Native;
using static TorchSharp.torch;
using Cell = HybridGen.Native.LibTorchSharp.TensorOrScalar;

namespace HybridGen.Twins;

/// <summary>
/// The TorchScript backend: the generator's source, compiled on first use in the libtorch TorchSharp loaded, and
/// called through TorchSharp's invoke export directly (one native transition; arguments in a stack array, results
/// in reused per-thread arrays). libtorch aborts the process on a TorchScript compile error and crashes on an
/// unknown function name, so this compiles only text the build validated for this libtorch (see
/// <see cref="TwinValidation"/>) or, for text composed at run time, text the validator compiled in a child process
/// (<see cref="RunTimeValidation"/>), and calls only the function the source defines.
/// </summary>
public sealed unsafe class TorchScriptTwin : IGraphTwin
{
    private readonly object _gate = new();
    private readonly string _source;
    private readonly byte[] _function; // UTF-8, NUL-terminated
    private readonly Func<string?> _whyNotTrusted;
    private volatile bool _ready;
    private nint _unit; // a shared_ptr<CompilationUnit>*, kept for the process's life (TorchSharp offers no free)
    private string? _failure;

    /// <summary>A twin of the generated code: usable where the build validated <paramref name="source"/> for this
    /// libtorch (the record next to <paramref name="assembly"/>).</summary>
    public TorchScriptTwin(string source, string function, Assembly assembly)
        : this(source, function, () => TwinValidation.WhyNotValidated(assembly, source)) { }

    private TorchScriptTwin(string source, string function, Func<string?> whyNotTrusted)
    {
        _source = source ?? throw new ArgumentNullException(nameof(source));
        if (string.IsNullOrEmpty(function)) throw new ArgumentNullException(nameof(function));
        _function = Encoding.UTF8.GetBytes(function + "\0");
        _whyNotTrusted = whyNotTrusted;
        if (!Defines(source, function))
            _failure = $"its twin source defines no function '{function}'";
    }

    /// <summary>A twin of TorchScript no build saw (a module tree composed at run time): usable once the validator
    /// compiled it in a child process (<see cref="RunTimeValidation"/>; <see cref="Prepare"/> waits for that).</summary>
    internal static TorchScriptTwin ValidatedAtRunTime(string source, string function, string name) =>
        new(source, function, () => RunTimeValidation.WhyNotValid(source, name));

    /// <summary>A twin whose source the caller vouches for (it was compiled successfully before, in this libtorch).
    /// For tests and tools; a wrong source aborts the process.</summary>
    public static TorchScriptTwin Trusted(string source, string function) => new(source, function, static () => null);

    public void Prepare()
    {
        if (_ready) return;
        lock (_gate)
        {
            if (_ready) return;
            if (_failure is not null) throw new TwinUnavailableException(_failure);
            string? why = _whyNotTrusted();
            if (why is not null)
            {
                _failure = why;
                throw new TwinUnavailableException(why);
            }
            byte[] text = Encoding.UTF8.GetBytes(_source + "\0");
            fixed (byte* p = text) _unit = LibTorchSharp.Compile(p);
            nint error = LibTorchSharp.TakeLastError();
            if (_unit == 0 || error != 0)
            {
                _failure = $"its graph twin did not compile: {(error != 0 ? Marshal.PtrToStringAnsi(error) : "no unit")}";
                throw new TwinUnavailableException(_failure);
            }
            _ready = true;
        }
    }

    private const int StackCells = 128;

    public int Invoke(ReadOnlySpan<TwinValue> arguments, Span<TwinValue> results)
    {
        Prepare();
        int lists = 0;
        for (int k = 0; k < arguments.Length; k++)
            if (arguments[k].Kind == TwinValueKind.TensorList) lists += arguments[k].Tensors.Length;
        // A model's twin takes every submodule's state (100 arguments and more): cells on the stack up to
        // StackCells, past that in per-thread arrays, so no call allocates.
        Span<Cell> cells = arguments.Length <= StackCells ? stackalloc Cell[arguments.Length] : CallBuffers.Cells(arguments.Length);
        Span<Cell> listCells = lists <= StackCells ? stackalloc Cell[lists] : CallBuffers.ListCells(lists);
        Span<nint> scalars = arguments.Length <= StackCells ? stackalloc nint[arguments.Length] : CallBuffers.Scalars(arguments.Length);
        int scalarCount = 0;
        try
        {
            fixed (Cell* listBase = listCells)
            {
                int listUsed = 0;
                for (int k = 0; k < arguments.Length; k++)
                    cells[k] = ToCell(arguments[k], listBase, ref listUsed, scalars, ref scalarCount);
                sbyte typeCode = 0;
                fixed (Cell* argv = cells)
                fixed (byte* function = _function)
                    LibTorchSharp.Invoke(_unit, function, argv, arguments.Length, TwinResults.Allocator, &typeCode, 0);
                LibTorchSharp.ThrowIfFailed();
                return TwinResults.Read(typeCode, results);
            }
        }
        finally
        {
            for (int k = 0; k < scalarCount; k++) LibTorchSharp.DisposeScalar(scalars[k]);
            for (int k = 0; k < arguments.Length; k++) GC.KeepAlive(arguments[k].Tensor ?? (object?)(arguments[k].Kind == TwinValueKind.TensorList ? arguments[k].Tensors : null));
        }
    }

    public CapturedGraph Capture(ReadOnlySpan<TwinValue> arguments)
    {
        Prepare();
        return new CapturedGraph(CudaGraphBackend.Capture(_unit, _function, arguments));
    }

    private static Cell ToCell(in TwinValue value, Cell* listBase, ref int listUsed, Span<nint> scalars, ref int scalarCount)
    {
        switch (value.Kind)
        {
            case TwinValueKind.Tensor:
                return new Cell { TypeCode = LibTorchSharp.ArgTensor, Handle = value.Tensor!.Handle };
            case TwinValueKind.Bool:
                return new Cell { TypeCode = LibTorchSharp.ArgBool, Handle = value.ToBoolean() ? 1 : 0 };
            case TwinValueKind.Int when value.ToInt64() is >= int.MinValue and <= int.MaxValue:
                return new Cell { TypeCode = LibTorchSharp.ArgInt32, Handle = (nint)value.ToInt64() };
            case TwinValueKind.Int:
                return ScalarCell(LibTorchSharp.ScalarFromInt64(value.ToInt64()), scalars, ref scalarCount);
            case TwinValueKind.Float when ScalarCache.Double(value.ToDouble()) is var cached and not 0:
                return new Cell { TypeCode = LibTorchSharp.ArgScalar, Handle = cached };
            case TwinValueKind.Float:
                return ScalarCell(LibTorchSharp.ScalarFromDouble(value.ToDouble()), scalars, ref scalarCount);
            case TwinValueKind.TensorList:
            {
                Tensor[] tensors = value.Tensors;
                Cell* first = listBase + listUsed;
                for (int k = 0; k < tensors.Length; k++) first[k] = new Cell { TypeCode = LibTorchSharp.ArgTensor, Handle = tensors[k].Handle };
                listUsed += tensors.Length;
                return new Cell { TypeCode = LibTorchSharp.ArgTensorList, ArrayIndex = tensors.Length, Handle = (nint)first };
            }
            default:
                return new Cell { TypeCode = LibTorchSharp.ArgNone };
        }
    }

    private static Cell ScalarCell(nint scalar, Span<nint> scalars, ref int scalarCount)
    {
        scalars[scalarCount++] = scalar;
        return new Cell { TypeCode = LibTorchSharp.ArgScalar, Handle = scalar };
    }

    /// <summary>Whether the source has a top-level <c>def function(</c>: the only name this twin ever calls.</summary>
    private static bool Defines(string source, string function) =>
        source.StartsWith($"def {function}(", StringComparison.Ordinal) || source.Contains($"\ndef {function}(", StringComparison.Ordinal);
}
