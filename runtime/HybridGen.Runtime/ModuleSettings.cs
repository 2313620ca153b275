using System.Collections.Generic;
using System.ComponentModel;

namespace HybridGen;

/// <summary>
/// Reads a module's <c>long[]</c> setting (a stride, a kernel size) for a twin call. TorchSharp's TorchScript calls
/// carry no lists of numbers, so generated code passes a list as its length and a fixed number of entries, and the
/// twin rebuilds it; a list longer than the twin carries fails there (then the call runs eager).
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ModuleSettings
{
    /// <summary>The list's length, or -1 for null (the module's default).</summary>
    public static long Count(IReadOnlyList<long>? values) => values is null ? -1 : values.Count;

    /// <summary>A convolution's padding type as the twin takes it: -1 for none (explicit padding), else its value.</summary>
    public static long Code(TorchSharp.Padding? value) => value.HasValue ? (long)value.Value : -1;

    /// <summary>The entry at <paramref name="index"/> of a setting with a fixed number of entries (the tree check
    /// confirmed the count), or <paramref name="whenNull"/> for a null setting.</summary>
    public static long At(IReadOnlyList<long>? values, int index, long whenNull) => values is null ? whenNull : values[index];

    /// <summary>The entry at <paramref name="index"/>, or 0 past the end (the twin reads only Count entries).</summary>
    public static long At(IReadOnlyList<long>? values, int index) => values is not null && index < values.Count ? values[index] : 0;
}
