using System;
using System.ComponentModel;

namespace HybridGen;

/// <summary>
/// Confirms, before each call, that a module holds the submodules its twin was built for. Where a field is typed
/// <c>Module&lt;Tensor,Tensor&gt;</c> or is a container, the build specializes the twin to the tree the constructor
/// makes (docs/modules.md); a field reassigned to another kind, or a container that gained or lost children, makes
/// the call run eager, and the dispatch report says which module differed.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ModuleTree
{
    /// <summary>Null when <paramref name="module"/> is exactly <paramref name="expected"/>, else the reason.</summary>
    public static string? Kind(object? module, Type expected, string path) =>
        module is not null && module.GetType() == expected ? null
            : $"'{path}' is {(module is null ? "null" : "a " + module.GetType().Name)}; the twin was built for a {expected.Name}";

    /// <summary>Null when a module's <c>long[]</c> setting is null or has <paramref name="expected"/> entries (its
    /// twin takes that many), else the reason.</summary>
    public static string? Entries(System.Collections.Generic.IReadOnlyList<long>? values, int expected, string path) =>
        values is null || values.Count == expected ? null
            : $"'{path}' has {values.Count} entries; the twin takes {expected}";

    /// <summary>Null when a Sequential holds <paramref name="expected"/> children, else the reason.</summary>
    public static string? Count(TorchSharp.Modules.Sequential? container, int expected, string path) => Count(container?.Count ?? -1, expected, path);

    /// <summary>Null when a ModuleList holds <paramref name="expected"/> children, else the reason.</summary>
    public static string? Count<T>(TorchSharp.Modules.ModuleList<T>? container, int expected, string path) where T : TorchSharp.torch.nn.Module =>
        Count(container?.Count ?? -1, expected, path);

    private static string? Count(int count, int expected, string path) =>
        count == expected ? null
            : count < 0 ? $"'{path}' is null; the twin was built for {expected} children"
            : $"'{path}' holds {count} modules, a tree no twin was built for (this one holds {expected}; containers filled in a loop get twins up to 8 repetitions)";
}
