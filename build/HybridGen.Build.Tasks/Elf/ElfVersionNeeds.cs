using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace HybridGen.Build.Tasks.Elf;

/// <summary>One Vernaux entry: a version (such as GLIBCXX_3.4.30) needed from a library, and the version index
/// (<c>vna_other</c>) that the symbols bound to it carry in <c>.gnu.version</c>.</summary>
internal sealed record VersionNeed(string Name, uint Hash, ushort Index, long EntryOffset, uint NameOffset);

/// <summary>One Verneed entry: the library (<c>vn_file</c>, such as libstdc++.so.6) and what is needed from it.</summary>
internal sealed record VersionNeedFile(string File, IReadOnlyList<VersionNeed> Versions);

/// <summary>A dynamic symbol with its version index (0 or 1 when unversioned).</summary>
internal sealed record DynamicSymbol(int Index, string Name, bool IsDefined, ushort VersionIndex);

/// <summary>
/// The symbol-version needs of an ELF64 shared library: <c>.gnu.version_r</c> (which versions of which libraries
/// it needs), <c>.dynsym</c> with <c>.gnu.version</c> (which symbol is bound to which of them), and which symbols
/// relocations refer to. <see cref="Retarget"/> rewrites one need; nothing else of the file is ever changed.
/// </summary>
internal sealed class ElfVersionNeeds
{
    private const int NeedSize = 16, AuxSize = 16, SymbolSize = 24;
    private readonly HashSet<int> _relocated;

    private ElfVersionNeeds(ushort machine, IReadOnlyList<VersionNeedFile> files, IReadOnlyList<DynamicSymbol> symbols, HashSet<int> relocated)
    {
        Machine = machine;
        Files = files;
        Symbols = symbols;
        _relocated = relocated;
    }

    /// <summary>e_machine (62 for x86-64).</summary>
    public ushort Machine { get; }

    public IReadOnlyList<VersionNeedFile> Files { get; }

    public IReadOnlyList<DynamicSymbol> Symbols { get; }

    /// <summary>The versions needed from <paramref name="file"/> (such as "libstdc++.so.6"), or null if none are.</summary>
    public VersionNeedFile? File(string file) => Files.FirstOrDefault(f => f.File == file);

    /// <summary>The dynamic symbols bound to version index <paramref name="index"/>.</summary>
    public IEnumerable<DynamicSymbol> SymbolsOfVersion(ushort index) => Symbols.Where(s => s.VersionIndex == index);

    /// <summary>Whether a relocation (of <c>.rela.dyn</c>, <c>.rela.plt</c>, …) refers to the symbol: only then would
    /// the loader ever look it up.</summary>
    public bool IsRelocationTarget(int symbolIndex) => _relocated.Contains(symbolIndex);

    public static ElfVersionNeeds Read(byte[] bytes)
    {
        var image = new ElfImage(bytes);
        return new ElfVersionNeeds(image.Machine, ReadNeeds(image), ReadSymbols(image, out ElfSection? dynsym), ReadRelocated(image, dynsym));
    }

    /// <summary>Points the Vernaux entry <paramref name="need"/> at the version <paramref name="replacement"/> of
    /// the same Verneed (its <c>vna_hash</c> and <c>vna_name</c>), in place. The version index stays, so the symbols
    /// bound to <paramref name="need"/> are bound to the replacement's name from now on.</summary>
    public static void Retarget(byte[] bytes, VersionNeed need, VersionNeed replacement)
    {
        new ElfImage(bytes).Require(need.EntryOffset, AuxSize);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)need.EntryOffset), replacement.Hash);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)need.EntryOffset + 8), replacement.NameOffset);
    }

    private static List<VersionNeedFile> ReadNeeds(ElfImage image)
    {
        var files = new List<VersionNeedFile>();
        if (image.SectionOfType(ElfImage.SectionVersionNeeds) is not ElfSection section) return files;
        ElfSection strings = image.LinkedSection(section);
        long end = section.Offset + section.Size, at = section.Offset;
        // Entries chain through vn_next / vna_next; a corrupt file cannot hold more entries than fit in the section.
        for (long guard = section.Size / NeedSize; guard >= 0; guard--)
        {
            if (at < section.Offset || at > end - NeedSize) throw new InvalidDataException(".gnu.version_r points outside itself");
            int count = image.UInt16(at + 2);
            string file = image.String(strings, image.UInt32(at + 4));
            var versions = new List<VersionNeed>(count);
            long aux = at + image.UInt32(at + 8);
            for (int k = 0; k < count; k++)
            {
                if (aux < section.Offset || aux > end - AuxSize) throw new InvalidDataException(".gnu.version_r points outside itself");
                uint nameOffset = image.UInt32(aux + 8);
                versions.Add(new VersionNeed(image.String(strings, nameOffset), image.UInt32(aux), image.UInt16(aux + 6), aux, nameOffset));
                uint nextAux = image.UInt32(aux + 12);
                if (nextAux == 0) break;
                aux += nextAux;
            }
            files.Add(new VersionNeedFile(file, versions));
            uint next = image.UInt32(at + 12);
            if (next == 0) return files;
            at += next;
        }
        throw new InvalidDataException(".gnu.version_r does not end");
    }

    private static List<DynamicSymbol> ReadSymbols(ElfImage image, out ElfSection? dynsym)
    {
        var symbols = new List<DynamicSymbol>();
        dynsym = image.SectionOfType(ElfImage.SectionDynamicSymbols);
        if (dynsym is not ElfSection table) return symbols;
        ElfSection strings = image.LinkedSection(table);
        ElfSection? versym = image.SectionOfType(ElfImage.SectionVersionSymbols);
        long count = table.Size / SymbolSize;
        if (versym is ElfSection v && v.Size < count * 2) throw new InvalidDataException(".gnu.version is shorter than .dynsym");
        for (int k = 0; k < count; k++)
        {
            long at = table.Offset + (long)k * SymbolSize;
            string name = image.String(strings, image.UInt32(at));
            bool defined = image.UInt16(at + 6) != 0; // st_shndx: SHN_UNDEF is 0
            // Bit 15 of a versym entry marks a hidden definition; the index is the low 15 bits.
            ushort version = versym is ElfSection vs ? (ushort)(image.UInt16(vs.Offset + 2L * k) & 0x7fff) : (ushort)0;
            symbols.Add(new DynamicSymbol(k, name, defined, version));
        }
        return symbols;
    }

    private static HashSet<int> ReadRelocated(ElfImage image, ElfSection? dynsym)
    {
        var relocated = new HashSet<int>();
        if (dynsym is not ElfSection symbols) return relocated;
        foreach (ElfSection section in image.Sections)
        {
            if ((section.Type != ElfImage.SectionRela && section.Type != ElfImage.SectionRel) || section.Link != symbols.Index) continue;
            long size = section.Type == ElfImage.SectionRela ? 24 : 16;
            // r_info is the second 8 bytes of both Elf64_Rel and Elf64_Rela; its high 32 bits are the symbol index.
            for (long at = section.Offset; at + size <= section.Offset + section.Size; at += size)
                relocated.Add((int)(image.UInt64(at + 8) >> 32));
        }
        return relocated;
    }
}
