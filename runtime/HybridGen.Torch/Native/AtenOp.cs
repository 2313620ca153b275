using System;
using System.Collections.Generic;
using System.Text;
using System.Threading;

namespace HybridGen.Torch.Native;

/// <summary>
/// One ATen operator, resolved once by its schema name and called boxed through the shim: one P/Invoke a call,
/// no allocation but the result's handle. Binding methods hold one in a static field (<see cref="AtenOps"/>) and
/// carry the same schema name in their <see cref="AtenOpAttribute"/>; a test checks that the two agree.
/// </summary>
internal sealed unsafe class AtenOp
{
    private const int StackScratch = 256;
    private readonly string _name;
    private readonly string _overload;
    private nint _handle;
    private Signature _signature;

    /// <summary>The unboxed routes of the shim (hg_signature): the op's C++ signature, when it is one of these.</summary>
    private enum Signature
    {
        Boxed = 0,
        Tensor = 1,
        TensorTensor = 2,
        TensorTensorScalar = 3,
        TensorScalar = 4,
        TensorScalarScalar = 5,
    }

    /// <summary>Test hook: when set on a thread, every op called there appends its schema name. (Checked behind
    /// a plain static flag, so the hot path reads no thread-local storage for it.)</summary>
    internal static List<string>? Recorder
    {
        get => s_recording ? t_recorder : null;
        set
        {
            t_recorder = value;
            if (value is not null) s_recording = true;
        }
    }

    [ThreadStatic] private static List<string>? t_recorder;
    private static volatile bool s_recording;

    public AtenOp(string schema)
    {
        Schema = schema;
        int dot = schema.IndexOf('.');
        _name = dot < 0 ? schema : schema[..dot];
        _overload = dot < 0 ? "" : schema[(dot + 1)..];
    }

    public string Schema { get; }

    internal nint Handle
    {
        get
        {
            nint handle = Volatile.Read(ref _handle);
            if (handle != 0) return handle;
            NativeMethods.Check(NativeMethods.hg_op_find(_name, _overload, out handle, out int signature));
            // Two threads may resolve at once; both handles are the same operator, so either may win.
            _signature = (Signature)signature;
            Interlocked.CompareExchange(ref _handle, handle, 0);
            return Volatile.Read(ref _handle);
        }
    }

    /// <summary>The schema libtorch has for this operator, as text.</summary>
    public string SchemaText()
    {
        NativeMethods.Check(NativeMethods.hg_op_schema(Handle, out nint text));
        return System.Runtime.InteropServices.Marshal.PtrToStringUTF8(text) ?? "";
    }

    /// <summary>Calls an operator that returns one tensor.</summary>
    public Tensor Call(params ReadOnlySpan<Arg> args)
    {
        nint handle = Handle;
        if (_signature != Signature.Boxed && TryCallUnboxed(handle, args, out Tensor? fast)) return fast;
        NativeValue result;
        int count = Invoke(args, &result, 1);
        if (count != 1 || result.Kind != NativeKind.Tensor)
        {
            if (count == 1 && result.Kind == NativeKind.Tensor) NativeMethods.hg_tensor_free(result.Pointer);
            throw new TorchException($"{Schema} returned {count} values, not one tensor");
        }
        return new Tensor(result.Pointer);
    }

    // Overloads for the commonest calls: they skip building Arg structs when the op has an unboxed route.
    public Tensor Call(Tensor a) =>
        _signature == Signature.Tensor && Volatile.Read(ref _handle) != 0 ? CallUnboxed(a, null, default, 0) : Call([a]);

    public Tensor Call(Tensor a, Tensor b) =>
        _signature is Signature.TensorTensor or Signature.TensorTensorScalar && Volatile.Read(ref _handle) != 0
            ? CallUnboxed(a, b ?? throw new ArgumentNullException(nameof(b)), default, 0)
            : Call([a, b]);

    public Tensor Call(Tensor a, double b) =>
        _signature is Signature.TensorScalar or Signature.TensorScalarScalar && Volatile.Read(ref _handle) != 0
            ? CallUnboxed(a, null, NativeValue.FromDouble(b), 1)
            : Call([a, b]);

    public Tensor Call(Tensor a, long b) =>
        _signature is Signature.TensorScalar or Signature.TensorScalarScalar && Volatile.Read(ref _handle) != 0
            ? CallUnboxed(a, null, NativeValue.FromInt(b), 1)
            : Call([a, b]);

    private Tensor CallUnboxed(Tensor a, Tensor? b, NativeValue scalar, int scalars)
    {
        ArgumentNullException.ThrowIfNull(a);
        Recorder?.Add(Schema);
        nint output;
        NativeMethods.Check(NativeMethods.hg_op_call_fast(_handle, a.Handle, b?.Handle ?? 0, &scalar, scalars, &output));
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        return new Tensor(output);
    }

    /// <summary>
    /// The unboxed route, for ops whose C++ signature is one of the shim's few common shapes (add, mul, relu, ...)
    /// and calls that pass tensors and scalars in that shape: a typed call into the kernel, no IValue stack.
    /// </summary>
    private bool TryCallUnboxed(nint handle, ReadOnlySpan<Arg> args, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Tensor? result)
    {
        result = null;
        int tensors = _signature switch
        {
            Signature.Tensor or Signature.TensorScalar or Signature.TensorScalarScalar => 1,
            _ => 2,
        };
        int maxScalars = _signature switch
        {
            Signature.TensorScalar or Signature.TensorTensorScalar => 1,
            Signature.TensorScalarScalar => 2,
            _ => 0,
        };
        if (args.Length < tensors || args.Length > tensors + maxScalars) return false;
        for (int k = 0; k < args.Length; k++)
        {
            NativeKind kind = args[k].Kind;
            if (k < tensors ? kind != NativeKind.Tensor : kind is not (NativeKind.Int or NativeKind.Double or NativeKind.Bool)) return false;
        }
        Recorder?.Add(Schema);
        NativeValue* scalars = stackalloc NativeValue[2];
        for (int k = tensors; k < args.Length; k++)
            scalars[k - tensors] = new NativeValue { Kind = args[k].Kind, Int = args[k].Int, Double = args[k].Double };
        Tensor a = (Tensor)args[0].Ref!;
        Tensor? b = tensors == 2 ? (Tensor)args[1].Ref! : null;
        nint output;
        NativeMethods.Check(NativeMethods.hg_op_call_fast(handle, a.Handle, b?.Handle ?? 0, scalars, args.Length - tensors, &output));
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        result = new Tensor(output);
        return true;
    }

    /// <summary>Calls an operator that returns two tensors (values and indices, say).</summary>
    public (Tensor, Tensor) Call2(params ReadOnlySpan<Arg> args)
    {
        NativeValue* results = stackalloc NativeValue[2];
        int count = Invoke(args, results, 2);
        if (count != 2) throw new TorchException($"{Schema} returned {count} values, not two tensors");
        return (new Tensor(results[0].Pointer), new Tensor(results[1].Pointer));
    }

    /// <summary>Calls an operator that returns a list of tensors.</summary>
    public Tensor[] CallList(params ReadOnlySpan<Arg> args)
    {
        const int capacity = 4096;
        var results = new NativeValue[capacity];
        fixed (NativeValue* outs = results)
        {
            int count = Invoke(args, outs, capacity);
            var tensors = new Tensor[count];
            for (int k = 0; k < count; k++) tensors[k] = new Tensor(outs[k].Pointer);
            return tensors;
        }
    }

    /// <summary>Calls an operator that returns nothing (backward), or whose result the caller does not need.</summary>
    public void CallVoid(params ReadOnlySpan<Arg> args)
    {
        NativeValue* results = stackalloc NativeValue[4];
        int count = Invoke(args, results, 4);
        for (int k = 0; k < count; k++)
            if (results[k].Kind == NativeKind.Tensor) NativeMethods.hg_tensor_free(results[k].Pointer);
    }

    private int Invoke(ReadOnlySpan<Arg> args, NativeValue* outs, int capacity)
    {
        Recorder?.Add(Schema);
        int longs = 0, handles = 0, bytes = 0;
        bool simple = true;
        foreach (ref readonly Arg arg in args)
        {
            if (arg.Kind is NativeKind.IntList or NativeKind.TensorList or NativeKind.String)
            {
                simple = false;
                (int l, int h, int b) = arg.ScratchSize();
                longs += l;
                handles += h;
                bytes += b;
            }
        }
        int count;
        if (simple)
        {
            // The common case (tensors and scalars only) needs no scratch buffers.
            NativeValue* argv = stackalloc NativeValue[args.Length];
            for (int k = 0; k < args.Length; k++) argv[k] = LowerScalarOrTensor(in args[k]);
            NativeMethods.Check(NativeMethods.hg_op_call(Handle, argv, args.Length, outs, capacity, &count));
        }
        else
        {
            Span<NativeValue> values = args.Length <= 16 ? stackalloc NativeValue[args.Length] : new NativeValue[args.Length];
            Span<long> longBuffer = longs <= StackScratch ? stackalloc long[longs] : new long[longs];
            Span<nint> handleBuffer = handles <= StackScratch ? stackalloc nint[handles] : new nint[handles];
            Span<byte> byteBuffer = bytes <= StackScratch ? stackalloc byte[bytes] : new byte[bytes];
            fixed (NativeValue* argv = values)
            fixed (long* longBase = longBuffer)
            fixed (nint* handleBase = handleBuffer)
            fixed (byte* byteBase = byteBuffer)
            {
                long* nextLong = longBase;
                nint* nextHandle = handleBase;
                byte* nextByte = byteBase;
                for (int k = 0; k < args.Length; k++)
                    argv[k] = Lower(in args[k], ref nextLong, ref nextHandle, ref nextByte);
                NativeMethods.Check(NativeMethods.hg_op_call(Handle, argv, args.Length, outs, capacity, &count));
            }
        }
        foreach (ref readonly Arg arg in args) GC.KeepAlive(arg.Ref);
        return count;
    }

    private static NativeValue LowerScalarOrTensor(in Arg arg)
    {
        var value = new NativeValue { Kind = arg.Kind, Int = arg.Int, Double = arg.Double, Extra = arg.Extra };
        if (arg.Ref is Tensor tensor) value.Pointer = tensor.Handle;
        else if (arg.Ref is torch.Generator generator) value.Pointer = generator.Handle;
        return value;
    }

    private static NativeValue Lower(in Arg arg, ref long* nextLong, ref nint* nextHandle, ref byte* nextByte)
    {
        var value = new NativeValue { Kind = arg.Kind, Int = arg.Int, Double = arg.Double, Extra = arg.Extra };
        switch (arg.Kind)
        {
            case NativeKind.Tensor:
                value.Pointer = ((Tensor)arg.Ref!).Handle;
                break;
            case NativeKind.Generator:
                value.Pointer = ((torch.Generator)arg.Ref!).Handle;
                break;
            case NativeKind.IntList:
                long[] list = (long[])arg.Ref!;
                list.AsSpan().CopyTo(new Span<long>(nextLong, list.Length));
                value.Pointer = (nint)nextLong;
                value.Int = list.Length;
                nextLong += list.Length;
                break;
            case NativeKind.TensorList:
                Tensor?[] tensors = (Tensor?[])arg.Ref!;
                for (int k = 0; k < tensors.Length; k++) nextHandle[k] = tensors[k]?.Handle ?? 0;
                value.Pointer = (nint)nextHandle;
                value.Int = tensors.Length;
                nextHandle += tensors.Length;
                break;
            case NativeKind.String:
                string text = (string)arg.Ref!;
                int length = Encoding.UTF8.GetBytes(text, new Span<byte>(nextByte, Encoding.UTF8.GetByteCount(text)));
                value.Pointer = (nint)nextByte;
                value.Int = length;
                nextByte += length;
                break;
        }
        return value;
    }
}
