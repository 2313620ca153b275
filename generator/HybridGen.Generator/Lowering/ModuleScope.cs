using HybridGen.Graph;
using System.Collections.Generic;
using HybridGen.Generator.Model;

namespace HybridGen.Generator.Lowering;

/// <summary>What a user module's function reads of its own module (parameters, settings, flags, submodules'
/// state), each a parameter of the function, and the tree checks it needs; every call site passes them for
/// the instance it calls.</summary>
internal sealed class ModuleScope
{
    public readonly List<(StateAccess Access, string Stem, string Name, string Annotation, GraphKind Kind)> States = new();
    public readonly List<ModuleTreeCheck> Checks = new();

    public string State(StateAccess access, string stem, string annotation, GraphKind kind)
    {
        foreach (var state in States)
            if (state.Access == access) return state.Name;
        string name = "__st_" + stem;
        for (int k = 2; States.Exists(s => s.Name == name); k++) name = "__st_" + stem + "_" + k;
        States.Add((access, stem, name, annotation, kind));
        return name;
    }
}
