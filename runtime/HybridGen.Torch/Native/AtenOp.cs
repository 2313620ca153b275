using System;
using System.Collections.Generic;
using System.Threading;

namespace HybridGen.Torch.Native;

/// <summary>
/// One ATen operator, resolved once by its schema name and called boxed through the shim (one P/Invoke a call).
/// Binding methods hold one of these in a static field and carry the same schema name in their
/// <see cref="AtenOpAttribute"/>; a test checks that the two agree for every method.
/// </summary>
internal sealed unsafe class AtenOp
{
    private readonly string _name;
    private readonly string _overload;
    private nint _handle;

    /// <summary>Test hook: when set on a thread, every op called there appends its schema name.</summary>
    [ThreadStatic] internal static List<string>? Recorder;

    public AtenOp(string schema)
    {
        Schema = schema;
        int dot = schema.IndexOf('.');
        _name = dot < 0 ? schema : schema[..dot];
        _overload = dot < 0 ? "" : schema[(dot + 1)..];
    }

    public string Schema { get; }

    private nint Handle
    {
        get
        {
            nint handle = Volatile.Read(ref _handle);
            if (handle != 0) return handle;
            NativeMethods.Check(NativeMethods.hg_op_find(_name, _overload, out handle));
            // Two threads may resolve at once; both handles are the same operator, so either may win.
            Interlocked.CompareExchange(ref _handle, handle, 0);
            return Volatile.Read(ref _handle);
        }
    }

    /// <summary>Calls the operator; the caller keeps every tensor in <paramref name="args"/> alive until it returns.</summary>
    public Tensor Call(ReadOnlySpan<NativeValue> args)
    {
        Recorder?.Add(Schema);
        NativeValue result;
        int count;
        fixed (NativeValue* argv = args)
            NativeMethods.Check(NativeMethods.hg_op_call(Handle, argv, args.Length, &result, 1, out count));
        if (count != 1 || result.Kind != NativeKind.Tensor)
            throw new TorchException($"{Schema} returned no tensor");
        return new Tensor(result.Pointer);
    }

    public Tensor Call(Tensor a)
    {
        Tensor result = Call(stackalloc[] { NativeValue.FromTensor(a) });
        GC.KeepAlive(a);
        return result;
    }

    public Tensor Call(Tensor a, Tensor b)
    {
        Tensor result = Call(stackalloc[] { NativeValue.FromTensor(a), NativeValue.FromTensor(b) });
        GC.KeepAlive(a);
        GC.KeepAlive(b);
        return result;
    }

    public Tensor Call(Tensor a, double b)
    {
        Tensor result = Call(stackalloc[] { NativeValue.FromTensor(a), NativeValue.FromDouble(b) });
        GC.KeepAlive(a);
        return result;
    }

    public Tensor Call(Tensor a, long b)
    {
        Tensor result = Call(stackalloc[] { NativeValue.FromTensor(a), NativeValue.FromInt(b) });
        GC.KeepAlive(a);
        return result;
    }

    /// <summary>Creation ops: (int[] size, ScalarType? dtype, ...defaults).</summary>
    public Tensor Call(ReadOnlySpan<long> size, torch.ScalarType? dtype)
    {
        fixed (long* sizes = size)
        {
            return Call(stackalloc[]
            {
                NativeValue.FromIntList(sizes, size.Length),
                dtype is { } d ? NativeValue.FromInt((long)d) : NativeValue.None,
            });
        }
    }
}
