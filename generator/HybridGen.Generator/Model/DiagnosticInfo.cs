using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace HybridGen.Generator.Model;

/// <summary>
/// A diagnostic as data: descriptor id, where, and message arguments. It keeps the syntax tree (compared by
/// reference, and an unchanged file keeps its tree) so the rebuilt Location honours #pragma and .editorconfig.
/// </summary>
internal sealed record DiagnosticInfo(string Id, SyntaxTree? Tree, TextSpan Span, EquatableArray<string> Arguments)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments) =>
        new(descriptor.Id, location?.SourceTree, location?.SourceSpan ?? default, System.Collections.Immutable.ImmutableArray.Create(arguments).ToEquatableArray());

    public Diagnostic ToDiagnostic()
    {
        Location location = Tree is null ? Location.None : Location.Create(Tree, Span);
        return Diagnostic.Create(DiagnosticDescriptors.ById(Id), location, Arguments.Items.ToArray());
    }
}
