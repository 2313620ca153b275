using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace HybridGen.Build.Tests;

/// <summary>
/// Writes the smallest ELF64 shared library the version readers accept: a string table and a
/// <c>.gnu.version_d</c> defining the given versions (after the base entry naming the file) — a stand-in for a
/// system libstdc++ of any age.
/// </summary>
internal static class FakeElf
{
    public static void WriteVersionDefinitions(string path, string soname, IReadOnlyList<string> versions)
    {
        var strings = new MemoryStream();
        strings.WriteByte(0);
        var nameOffsets = new List<uint>();
        foreach (string name in new[] { soname }.Concat(versions))
        {
            nameOffsets.Add((uint)strings.Length);
            byte[] bytes = Encoding.ASCII.GetBytes(name);
            strings.Write(bytes);
            strings.WriteByte(0);
        }
        const int header = 64, definition = 20, aux = 8, sectionHeader = 64;
        int stringsAt = header, stringsSize = (int)strings.Length;
        int verdefAt = (stringsAt + stringsSize + 7) & ~7, verdefSize = nameOffsets.Count * (definition + aux);
        int sectionsAt = (verdefAt + verdefSize + 7) & ~7;
        var file = new byte[sectionsAt + 3 * sectionHeader];

        "\u007fELF"u8.CopyTo(file);
        file[4] = 2; file[5] = 1; file[6] = 1;                                            // ELF64, little endian, version 1
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(16), 3);                     // ET_DYN
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(18), 62);                    // EM_X86_64
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(20), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(0x28), (ulong)sectionsAt);   // e_shoff
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x34), header);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x3a), sectionHeader);
        BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(0x3c), 3);                   // null, .dynstr, .gnu.version_d

        strings.ToArray().CopyTo(file, stringsAt);
        for (int k = 0; k < nameOffsets.Count; k++)
        {
            int at = verdefAt + k * (definition + aux);
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at), 1);                  // vd_version
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at + 2), (ushort)(k == 0 ? 1 : 0)); // VER_FLG_BASE
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at + 4), (ushort)(k + 1)); // vd_ndx
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(at + 6), 1);              // vd_cnt
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 12), definition);    // vd_aux
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 16), k + 1 < nameOffsets.Count ? (uint)(definition + aux) : 0);
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + definition), nameOffsets[k]); // vda_name
        }
        Section(file, sectionsAt + sectionHeader, type: 3, stringsAt, stringsSize, link: 0);
        Section(file, sectionsAt + 2 * sectionHeader, type: 0x6ffffffd, verdefAt, verdefSize, link: 1);
        File.WriteAllBytes(path, file);
    }

    private static void Section(byte[] file, int at, uint type, int offset, int size, uint link)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 4), type);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at + 24), (ulong)offset);
        BinaryPrimitives.WriteUInt64LittleEndian(file.AsSpan(at + 32), (ulong)size);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(at + 40), link);
    }
}
