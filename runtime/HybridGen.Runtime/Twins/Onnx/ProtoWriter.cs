using System;
using System.IO;
using System.Text;

namespace HybridGen.Twins.Onnx;

/// <summary>
/// The protocol-buffers wire format, as much of it as an ONNX model needs: varints, 32-bit floats and
/// length-delimited fields (strings, bytes, nested messages). ONNX defines its files in protobuf; writing the few
/// messages HybridGen makes by hand keeps Google.Protobuf and generated classes out of the package.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _bytes = new();

    private const int Varint = 0, Fixed32 = 5, Delimited = 2;

    public ProtoWriter Int(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint(unchecked((ulong)value)); // negative int64 values take ten bytes, as protobuf writes them
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, Fixed32);
        Span<byte> little = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(little, value);
        _bytes.Write(little);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, Delimited);
        WriteVarint((ulong)value.Length);
        _bytes.Write(value);
        return this;
    }

    /// <summary>A nested message, written by <paramref name="write"/> into a writer of its own.</summary>
    public ProtoWriter Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        return Bytes(field, inner.ToArray());
    }

    public byte[] ToArray() => _bytes.ToArray();

    private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

    private void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            _bytes.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _bytes.WriteByte((byte)value);
    }
}
