using System.Runtime.InteropServices;

namespace HybridGen.Torch.Native;

/// <summary>Kinds of <see cref="NativeValue"/>; the numbers are shared with the shim's hg_kind.</summary>
internal enum NativeKind : int
{
    None = 0,
    Tensor = 1,
    Int = 2,
    Double = 3,
    Bool = 4,
    IntList = 5,
    TensorList = 6,
    String = 7,
    Device = 8,
    Generator = 9,
    DoubleList = 10,
}

/// <summary>One argument or result crossing the C ABI (the shim's hg_value; 32 bytes, blittable).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NativeValue
{
    public NativeKind Kind;
    /// <summary>The device index (Device) or 1 for an optional-tensor list (TensorList).</summary>
    public int Extra;
    public long Int;
    public double Double;
    public nint Pointer;

    public static NativeValue FromTensor(Tensor t) =>
        new() { Kind = NativeKind.Tensor, Pointer = (t ?? throw new System.ArgumentNullException("tensor")).Handle };
    public static NativeValue FromInt(long v) => new() { Kind = NativeKind.Int, Int = v };
    public static NativeValue FromDouble(double v) => new() { Kind = NativeKind.Double, Double = v };
    public static NativeValue FromBool(bool v) => new() { Kind = NativeKind.Bool, Int = v ? 1 : 0 };
}
