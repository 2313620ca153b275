using System;
using System.Collections.Generic;
using System.Linq;
using HybridGen.Generator.Analysis;
using HybridGen.Generator.Lowering;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace HybridGen.Generator.Catalog;

/// <summary>
/// The op catalog (docs/architecture.md, decision 2): every TorchSharp method a twin may call, with its TorchScript spelling
/// and analysis facts. Rows are plain data (the partial files by area); <see cref="For"/> resolves their owners to
/// TorchSharp's symbols once per compilation, and <see cref="OpLookup.Find"/> maps a called method to its row.
/// A method without a row is unknown, and an unknown call is HG0108.
/// </summary>
internal static partial class OpCatalog
{
    /// <summary>The owners rows name, and TorchSharp's metadata names for them.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Owners = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Tensor"] = "TorchSharp.torch+Tensor",
        ["operator"] = "TorchSharp.torch+Tensor",
        ["torch"] = "TorchSharp.torch",
        ["functional"] = "TorchSharp.torch+nn+functional",
        ["linalg"] = "TorchSharp.torch+linalg",
        ["special"] = "TorchSharp.torch+special",
    };

    private static OpRow[]? s_rows;

    /// <summary>Every row, in the order they are tried.</summary>
    public static IReadOnlyList<OpRow> Rows => s_rows ??= s_operators.Concat(s_elementwise).Concat(s_reductions).Concat(s_shape)
        .Concat(s_creation).Concat(s_linalg).Concat(s_functional).ToArray();
}

/// <summary>The catalog's rows by owner symbol and method name, for one compilation.</summary>
internal sealed class OpLookup
{
    private readonly Dictionary<(INamedTypeSymbol owner, string name), OpRow[]> _rows = new(new OwnerNameComparer());
    private readonly Dictionary<string, Spelled> _spellings = new(StringComparer.Ordinal);

    /// <summary>A spelling as the lookup uses it, worked out once per distinct text: the parsed form, the C#
    /// parameter names it uses (null: the bare form, which passes every argument), and the overload filter's kinds.</summary>
    private sealed record Spelled(AtenNode? Node, HashSet<string>? Named);

    private readonly Dictionary<string, string[]> _filters = new(StringComparer.Ordinal);

    public OpLookup(Compilation compilation)
    {
        foreach (IGrouping<(string Owner, string Name), OpRow> group in OpCatalog.Rows.GroupBy(r => (r.Owner, r.Name)))
        {
            if (!OpCatalog.Owners.TryGetValue(group.Key.Owner, out string? metadataName)) continue;
            if (compilation.GetTypeByMetadataName(metadataName) is not { } owner) continue;
            _rows[(owner, group.Key.Name)] = group.ToArray();
        }
        foreach (OpRow row in OpCatalog.Rows)
        {
            if (!_spellings.ContainsKey(row.Spelling))
            {
                AtenNode? node = AtenDeclarationParser.Parse(row.Spelling, out _);
                HashSet<string>? named = node is null or AtenCall { Arguments: null } ? null : ParametersOf(node);
                named?.Remove("self");
                _spellings[row.Spelling] = new Spelled(node, named);
            }
            if (row.Overload is { } filter && !_filters.ContainsKey(filter))
                _filters[filter] = filter.Length == 0 ? Array.Empty<string>() : filter.Split(',').Select(k => k.Trim()).ToArray(); // "": no parameters
        }
    }

    /// <summary>The row for a call (the first whose overload filter fits and whose spelling names every parameter
    /// the call does not leave at its default), or null. Without <paramref name="arguments"/> (the call's argument
    /// values), any row of the method's overload counts.</summary>
    public OpRow? Find(IMethodSymbol method, IReadOnlyList<IOperation>? arguments = null)
    {
        IMethodSymbol definition = method.ReducedFrom ?? method.OriginalDefinition;
        if (definition.ContainingType is not { } owner) return null;
        if (!_rows.TryGetValue((owner, definition.Name), out OpRow[]? rows)) return null;
        foreach (OpRow row in rows)
            if (Fits(row, definition, arguments)) return row;
        return null;
    }

    /// <summary>The parsed spelling of a row (parsed once).</summary>
    public AtenNode? Spelling(OpRow row) => _spellings.TryGetValue(row.Spelling, out Spelled? s) ? s.Node : null;

    /// <summary>The C# parameter names a row's spelling uses, or null for the bare form (every argument, in order).</summary>
    public IReadOnlyCollection<string>? ParametersUsed(OpRow row) => _spellings.TryGetValue(row.Spelling, out Spelled? s) ? s.Named : null;

    private bool Fits(OpRow row, IMethodSymbol method, IReadOnlyList<IOperation>? arguments)
    {
        if (row.Overload is { } filter)
        {
            string[] kinds = _filters[filter];
            if (kinds.Length != method.Parameters.Length) return false;
            for (int k = 0; k < kinds.Length; k++)
                if (!KindFits(kinds[k], method.Parameters[k].Type)) return false;
        }
        Spelled spelled = _spellings[row.Spelling];
        if (spelled.Node is null) return false;
        if (spelled.Named is not { } named) return true; // the bare form takes any overload
        int matched = 0;
        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (named.Contains(parameter.Name)) { matched++; continue; }
            // A parameter the spelling leaves out must keep its default (TorchSharp-only knobs such as names).
            if (!parameter.HasExplicitDefaultValue || (arguments is not null && !LeftAtDefault(parameter, arguments))) return false;
        }
        return matched == named.Count; // every name in the spelling is a parameter of this overload
    }

    private static bool LeftAtDefault(IParameterSymbol parameter, IReadOnlyList<IOperation> arguments)
    {
        foreach (IOperation value in arguments)
        {
            if (value.Parent is not IArgumentOperation argument || !SymbolEqualityComparer.Default.Equals(argument.Parameter?.OriginalDefinition, parameter.OriginalDefinition)
                && argument.Parameter?.Ordinal != parameter.Ordinal)
                continue;
            if (argument.ArgumentKind == ArgumentKind.DefaultValue) return true;
            IOperation inner = value is IConversionOperation { Operand: var o } ? o : value;
            return inner.ConstantValue.HasValue && Equals(inner.ConstantValue.Value, parameter.ExplicitDefaultValue);
        }
        return false;
    }

    /// <summary>The C# parameter names a spelling uses (<c>self</c> included).</summary>
    private static HashSet<string> ParametersOf(AtenNode spelling)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        CollectParameters(spelling, names);
        return names;
    }

    private static void CollectParameters(AtenNode node, HashSet<string> into)
    {
        switch (node)
        {
            case AtenParameter p:
                into.Add(p.Name);
                break;
            case AtenCall { Arguments: { } arguments }:
                foreach (AtenArgument argument in arguments) CollectParameters(argument.Value, into);
                break;
            case AtenConditional c:
                CollectParameters(c.Condition, into);
                CollectParameters(c.WhenTrue, into);
                CollectParameters(c.WhenFalse, into);
                break;
        }
    }

    private static bool KindFits(string kind, ITypeSymbol type) => kind switch
    {
        "*" => true,
        "Tensor" => KnownApis.IsTensor(type),
        "Scalar" => type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Single
            or SpecialType.System_Double or SpecialType.System_Boolean or SpecialType.System_Byte or SpecialType.System_Int16
            || Analysis.KnownTypes.Is(type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type, Analysis.KnownTypes.Scalar),
        // Arrays of numbers by element type ("long[]"), as TorchSharp's torch.tensor overloads take them.
        _ when kind.EndsWith("[]", StringComparison.Ordinal) => type is IArrayTypeSymbol { Rank: 1 } array
            && Keyword(kind.Substring(0, kind.Length - 2)) is var element && element != SpecialType.None && array.ElementType.SpecialType == element,
        _ => false,
    };

    /// <summary>The special type a C# keyword names (the element types of the catalog's array overloads).</summary>
    private static SpecialType Keyword(string keyword) => keyword switch
    {
        "bool" => SpecialType.System_Boolean,
        "byte" => SpecialType.System_Byte,
        "short" => SpecialType.System_Int16,
        "int" => SpecialType.System_Int32,
        "long" => SpecialType.System_Int64,
        "float" => SpecialType.System_Single,
        "double" => SpecialType.System_Double,
        _ => SpecialType.None, // a keyword the catalog does not use: no array fits
    };

    private sealed class OwnerNameComparer : IEqualityComparer<(INamedTypeSymbol owner, string name)>
    {
        public bool Equals((INamedTypeSymbol owner, string name) x, (INamedTypeSymbol owner, string name) y) =>
            SymbolEqualityComparer.Default.Equals(x.owner, y.owner) && string.Equals(x.name, y.name, StringComparison.Ordinal);

        public int GetHashCode((INamedTypeSymbol owner, string name) key) =>
            SymbolEqualityComparer.Default.GetHashCode(key.owner) * 31 + StringComparer.Ordinal.GetHashCode(key.name);
    }
}
