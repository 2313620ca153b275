using System;
using System.Collections.Generic;
using System.Linq;
using HybridGen.Build.Tasks.Elf;

namespace HybridGen.Build.Tasks.Loadable;

/// <summary>One rewrite: the need <see cref="Missing"/> (a version the system lacks) will name
/// <see cref="Replacement"/> (a version of the same family, needed from the same library, that the system has).</summary>
internal sealed record Retargeting(VersionNeed Missing, VersionNeed Replacement);

/// <summary>What to do with a library's needs from one system library: nothing (<see cref="Retargetings"/> empty,
/// no <see cref="Refusal"/>), the retargetings, or nothing because it would be unsafe (<see cref="Refusal"/>).</summary>
internal sealed record VersionNeedPlan(IReadOnlyList<Retargeting> Retargetings, string? Refusal)
{
    public bool NothingMissing => Retargetings.Count == 0 && Refusal is null;
}

/// <summary>
/// Decides whether a library's missing symbol versions can be retargeted. It can when every symbol bound to a
/// missing version is a known marker that nothing looks up: an undefined symbol that no relocation refers to, which
/// the loader therefore never resolves (only the version need itself is checked, when the library is loaded).
/// </summary>
internal static class VersionNeedPlanner
{
    /// <summary>GCC 13's &lt;iostream&gt; emits an undefined reference to this symbol (GLIBCXX_3.4.32) with no
    /// relocation: a marker that ties the library to a libstdc++ that initializes iostreams itself. Older
    /// libstdc++ initializes them in every translation unit that includes &lt;iostream&gt;, so nothing is lost.</summary>
    public const string IosBaseLibraryInit = "_ZSt21ios_base_library_initv";

    public static readonly IReadOnlyCollection<string> KnownMarkers = new[] { IosBaseLibraryInit };

    /// <param name="needs">The library's version needs.</param>
    /// <param name="library">The needed library's soname, such as libstdc++.so.6.</param>
    /// <param name="provided">The versions the system's copy of <paramref name="library"/> defines.</param>
    /// <param name="markers">The symbols that may be bound to a missing version (default <see cref="KnownMarkers"/>).</param>
    public static VersionNeedPlan Plan(ElfVersionNeeds needs, string library, IReadOnlyCollection<string> provided, IReadOnlyCollection<string>? markers = null)
    {
        markers ??= KnownMarkers;
        var none = Array.Empty<Retargeting>();
        if (needs.File(library) is not VersionNeedFile file) return new VersionNeedPlan(none, null);
        var available = new HashSet<string>(provided, StringComparer.Ordinal);
        var retargetings = new List<Retargeting>();
        foreach (VersionNeed missing in file.Versions.Where(v => !available.Contains(v.Name)))
        {
            foreach (DynamicSymbol symbol in needs.SymbolsOfVersion(missing.Index))
            {
                if (!markers.Contains(symbol.Name) || symbol.IsDefined)
                    return Refuse($"the symbol {symbol.Name} needs {missing.Name}, which this system's {library} does not define");
                if (needs.IsRelocationTarget(symbol.Index))
                    return Refuse($"the symbol {symbol.Name} needs {missing.Name} and a relocation refers to it, so the loader would look it up");
            }
            VersionNeed? replacement = file.Versions
                .Where(v => available.Contains(v.Name) && Family(v.Name) == Family(missing.Name))
                .OrderByDescending(v => v.Name, VersionOrder.Instance)
                .FirstOrDefault();
            if (replacement is null)
                return Refuse($"it needs {missing.Name} from {library} and no other {Family(missing.Name)}_ version it needs is defined by this system's copy to stand in for it");
            retargetings.Add(new Retargeting(missing, replacement));
        }
        return new VersionNeedPlan(retargetings, null);

        VersionNeedPlan Refuse(string why) => new(none, why);
    }

    /// <summary>"GLIBCXX" for "GLIBCXX_3.4.30".</summary>
    internal static string Family(string version)
    {
        int underscore = version.LastIndexOf('_');
        return underscore < 0 ? version : version.Substring(0, underscore);
    }

    /// <summary>Orders GLIBCXX_3.4.9 before GLIBCXX_3.4.30 (numerically, part by part).</summary>
    internal sealed class VersionOrder : IComparer<string>
    {
        public static readonly VersionOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            int[] a = Parts(x ?? ""), b = Parts(y ?? "");
            for (int k = 0; k < Math.Min(a.Length, b.Length); k++)
                if (a[k] != b[k]) return a[k].CompareTo(b[k]);
            return a.Length.CompareTo(b.Length);
        }

        private static int[] Parts(string version) =>
            version.Substring(version.LastIndexOf('_') + 1).Split('.')
                .Select(p => int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n : -1)
                .ToArray();
    }
}
