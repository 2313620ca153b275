using HybridGen.Graph;
using System.Linq;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace HybridGen.Graph;

// The generator's side of the shared module catalog (build/Shared/Graph/ModuleCatalog.cs): rows found by Roslyn
// symbols, states read by generated code.
internal static partial class ModuleCatalog
{
    /// <summary>The row for a module type, or null (then a call of its forward is unknown: HG0108).</summary>
    public static ModuleRow? Find(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol { ContainingNamespace.Name: "Modules" } named) return null; // TorchSharp.Modules
        return Rows.FirstOrDefault(r => HybridGen.Generator.Analysis.KnownTypes.Is(named, r.MetadataName));
    }

    /// <summary>Whether a call is a module's forward (or call, which runs hooks and then forward).</summary>
    public static bool IsForward(IMethodSymbol method) => method.Name is "forward" or "call"
        && (method.Parameters.Length is >= 1 and <= 3
            || method.Parameters.Length == 6 && HybridGen.Generator.Analysis.KnownTypes.Is(method.ContainingType, RunTimeNativeKinds.MultiheadAttention));
}

internal static class ModuleStateAccess
{
    /// <summary>The state of the module that <paramref name="module"/> reaches.</summary>
    public static StateAccess ReadFrom(this ModuleState state, StateAccess module)
    {
        var member = new StateAccess.Member(module, state.Name);
        return state.Read switch
        {
            ModuleStateRead.EnumValue => new StateAccess.EnumValue(member),
            ModuleStateRead.PaddingCode => new StateAccess.PaddingCode(member),
            _ => member,
        };
    }

}
