using System.Collections.Generic;
using System.IO;

namespace HybridGen.Build.Tasks.Elf;

/// <summary>
/// The symbol versions a shared library defines (its <c>.gnu.version_d</c>), such as GLIBCXX_3.4 … GLIBCXX_3.4.30
/// and CXXABI_1.3 … for libstdc++.so.6: exactly what the dynamic loader compares a needed version against.
/// </summary>
internal static class ElfVersionDefinitions
{
    private const int DefinitionSize = 20, AuxSize = 8;
    private const ushort BaseFlag = 1; // VER_FLG_BASE: the entry that names the file itself (its soname), not a version

    public static IReadOnlyCollection<string> Read(byte[] bytes)
    {
        var image = new ElfImage(bytes);
        var names = new List<string>();
        if (image.SectionOfType(ElfImage.SectionVersionDefinitions) is not ElfSection section) return names;
        ElfSection strings = image.LinkedSection(section);
        long end = section.Offset + section.Size, at = section.Offset;
        for (long guard = section.Size / DefinitionSize; guard >= 0; guard--)
        {
            if (at < section.Offset || at > end - DefinitionSize) throw new InvalidDataException(".gnu.version_d points outside itself");
            // The first Verdaux of a definition holds its name; later ones name the versions it inherits from.
            long aux = at + image.UInt32(at + 12);
            if (aux < section.Offset || aux > end - AuxSize) throw new InvalidDataException(".gnu.version_d points outside itself");
            if ((image.UInt16(at + 2) & BaseFlag) == 0) names.Add(image.String(strings, image.UInt32(aux)));
            uint next = image.UInt32(at + 16);
            if (next == 0) return names;
            at += next;
        }
        throw new InvalidDataException(".gnu.version_d does not end");
    }
}
