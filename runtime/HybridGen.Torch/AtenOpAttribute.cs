using System;

namespace HybridGen.Torch;

/// <summary>
/// Declares which ATen operator a binding method is (DESIGN.md decision 2). The HybridGen generator derives the
/// graph spelling of a call from this declaration alone, so eager and graph run the same ATen op.
/// </summary>
/// <remarks>
/// <para>The plain form names a schema, <c>"aten::add.Tensor"</c>: the method's parameters (the receiver first,
/// for an instance method) are the operator's leading arguments, in order; the rest take the schema's defaults.</para>
/// <para>The call form spells the arguments out using the method's parameter names (<c>self</c> for the
/// receiver), and may nest operators: <c>"aten::rsub.Scalar(right, left)"</c>,
/// <c>"aten::mul.Scalar(aten::reciprocal(right), left)"</c>.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class AtenOpAttribute : Attribute
{
    public AtenOpAttribute(string declaration) => Declaration = declaration;

    /// <summary>The schema name, or a call expression over schema names and parameter names.</summary>
    public string Declaration { get; }
}
