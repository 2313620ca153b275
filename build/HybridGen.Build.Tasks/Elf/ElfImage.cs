using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace HybridGen.Build.Tasks.Elf;

/// <summary>One section header of an ELF64 file: only the fields the version sections need.</summary>
internal readonly record struct ElfSection(int Index, uint Type, long Offset, long Size, int Link, long EntrySize);

/// <summary>
/// A read-only view of an ELF64 little-endian file (what every Linux x64 shared library is), through its section
/// headers. It checks every offset against the file, so a truncated or foreign file is an
/// <see cref="InvalidDataException"/>, never an out-of-range read.
/// </summary>
internal sealed class ElfImage
{
    public const uint SectionStringTable = 3;       // SHT_STRTAB
    public const uint SectionRela = 4;              // SHT_RELA
    public const uint SectionRel = 9;               // SHT_REL
    public const uint SectionDynamicSymbols = 11;   // SHT_DYNSYM
    public const uint SectionVersionDefinitions = 0x6ffffffd; // SHT_GNU_verdef (.gnu.version_d)
    public const uint SectionVersionNeeds = 0x6ffffffe;       // SHT_GNU_verneed (.gnu.version_r)
    public const uint SectionVersionSymbols = 0x6fffffff;     // SHT_GNU_versym (.gnu.version)
    public const ushort MachineX86_64 = 62;         // EM_X86_64

    private readonly byte[] _bytes;

    public ElfImage(byte[] bytes)
    {
        _bytes = bytes;
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (bytes[4] != 2 || bytes[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");
        Machine = UInt16(18);
        long sectionHeaders = checked((long)UInt64(0x28));
        int headerSize = UInt16(0x3a);
        int count = UInt16(0x3c);
        if (sectionHeaders == 0) throw new InvalidDataException("the ELF file has no section headers");
        if (headerSize < 64) throw new InvalidDataException($"unexpected ELF section header size {headerSize}");
        // With 0xff00 or more sections, e_shnum is 0 and the count is in the first section header's sh_size.
        if (count == 0) count = checked((int)UInt64(sectionHeaders + 32));
        var sections = new ElfSection[count];
        for (int k = 0; k < count; k++)
        {
            long at = sectionHeaders + (long)k * headerSize;
            Require(at, 64);
            sections[k] = new ElfSection(k, UInt32(at + 4), checked((long)UInt64(at + 24)), checked((long)UInt64(at + 32)),
                (int)UInt32(at + 40), checked((long)UInt64(at + 56)));
            if (sections[k].Type != 8) Require(sections[k].Offset, sections[k].Size); // SHT_NOBITS occupies no bytes
        }
        Sections = sections;
    }

    public ushort Machine { get; }

    public IReadOnlyList<ElfSection> Sections { get; }

    /// <summary>The only section of a type (the version sections occur at most once), or null.</summary>
    public ElfSection? SectionOfType(uint type)
    {
        foreach (ElfSection section in Sections)
            if (section.Type == type) return section;
        return null;
    }

    public ElfSection LinkedSection(ElfSection section)
    {
        if (section.Link <= 0 || section.Link >= Sections.Count)
            throw new InvalidDataException($"section {section.Index} links to a missing section {section.Link}");
        return Sections[section.Link];
    }

    /// <summary>The NUL-terminated string at <paramref name="offset"/> of a string table section.</summary>
    public string String(ElfSection table, long offset)
    {
        if (offset < 0 || offset >= table.Size) throw new InvalidDataException($"string offset {offset} is outside its table");
        long start = table.Offset + offset, end = start;
        long limit = table.Offset + table.Size;
        while (end < limit && _bytes[end] != 0) end++;
        if (end == limit) throw new InvalidDataException($"the string at offset {offset} is not terminated");
        return Encoding.UTF8.GetString(_bytes, (int)start, (int)(end - start));
    }

    public ushort UInt16(long at) { Require(at, 2); return BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan((int)at)); }

    public uint UInt32(long at) { Require(at, 4); return BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan((int)at)); }

    public ulong UInt64(long at) { Require(at, 8); return BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan((int)at)); }

    /// <summary>Checks that <paramref name="length"/> bytes at <paramref name="at"/> lie inside the file.</summary>
    public void Require(long at, long length)
    {
        if (at < 0 || length < 0 || at > _bytes.Length - length)
            throw new InvalidDataException($"the ELF file is truncated or corrupt (offset {at}, length {length}, file size {_bytes.Length})");
    }
}
