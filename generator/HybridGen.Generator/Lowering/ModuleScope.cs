using System.Collections.Generic;
using HybridGen.Generator.Model;

namespace HybridGen.Generator.Lowering;

/// <summary>
/// One check of the module tree a twin was built for (decision 5): that the module read through
/// <see cref="Access"/> is exactly <see cref="Type"/>, or, for a container, holds <see cref="Count"/> children.
/// Templates use <c>{0}</c> for the module that owns them, so a user module's function can be called for any
/// instance (<see cref="Rebase"/>); <see cref="Path"/> names the module in the reason a failed check gives.
/// </summary>
internal sealed record ModuleTreeCheck(string Access, string Path, string? Type, int Count)
{
    /// <summary>Above zero: a check that the <c>long[]</c> setting read through <see cref="Access"/> is null or has
    /// this many entries (the twin takes exactly that many).</summary>
    public int Entries { get; init; }

    public ModuleTreeCheck Rebase(string owner, string ownerPath) =>
        this with { Access = Access.Replace("{0}", owner), Path = Path.Replace("{0}", ownerPath) };

    /// <summary>The generated C# (the receiver is <c>a.Item1</c>); null when it holds, else the reason.</summary>
    public string CSharp()
    {
        string access = Access.Replace("{0}", "a.Item1"), path = Path.Replace("{0}.", "").Replace("{0}", "this");
        if (Entries > 0) return $"global::HybridGen.ModuleTree.Entries({access}, {Entries}, \"{path}\")";
        return Type is not null
            ? $"global::HybridGen.ModuleTree.Kind({access}, typeof({Type}), \"{path}\")"
            : $"global::HybridGen.ModuleTree.Count({access}, {Count}, \"{path}\")";
    }
}

/// <summary>What a user module's function reads of its own module (parameters, settings, flags, submodules'
/// state), each a parameter of the function, and the tree checks it needs; every call site passes them for
/// the instance it calls.</summary>
internal sealed class ModuleScope
{
    public readonly List<(string Access, string Stem, string Name, string Annotation, GraphKind Kind)> States = new();
    public readonly List<ModuleTreeCheck> Checks = new();

    public string State(string access, string stem, string annotation, GraphKind kind)
    {
        foreach (var state in States)
            if (state.Access == access) return state.Name;
        string name = "__st_" + stem;
        for (int k = 2; States.Exists(s => s.Name == name); k++) name = "__st_" + stem + "_" + k;
        States.Add((access, stem, name, annotation, kind));
        return name;
    }
}
