using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace HybridGen.Generator.Lowering;

/// <summary>
/// Lowers an eager body (an expression, or a block with a single return) to a TorchScript function. Every call
/// must resolve to a binding method with an [AtenOp] declaration; anything else is reported as unsupported.
/// </summary>
internal sealed class TorchScriptLowering
{
    private readonly SemanticModel _model;
    private readonly CancellationToken _ct;
    private readonly string _methodName;

    private TorchScriptLowering(SemanticModel model, string methodName, CancellationToken ct)
    {
        _model = model;
        _methodName = methodName;
        _ct = ct;
    }

    /// <summary>The twin, or null with the diagnostic saying which construct stopped the lowering.</summary>
    public static TwinModel? Lower(
        MethodDeclarationSyntax eager, SemanticModel model, IMethodSymbol method, string displayName,
        IReadOnlyList<ParameterModel> parameters, out DiagnosticInfo? failure, CancellationToken ct)
    {
        var lowering = new TorchScriptLowering(model, displayName, ct);
        string functionName = method.Name;
        const string returnAnnotation = "Tensor";
        if (parameters.FirstOrDefault(p => p.Kind == GraphKind.Other) is { } other)
        {
            failure = lowering.Unsupported(eager.ParameterList, $"the parameter '{other.Name}' of type '{other.Type.Replace("global::", "")}' (arrays, lists and tuples come with the wider lowering)");
            return null;
        }
        if (!Analysis.KnownApis.IsTensor(method.ReturnType))
        {
            failure = lowering.Unsupported(eager.ReturnType, $"a '{method.ReturnType.ToDisplayString()}' result (only a Tensor result is lowered so far)");
            return null;
        }
        ExpressionSyntax? returned = SingleReturnedExpression(eager, out SyntaxNode statement);
        if (returned is null)
        {
            failure = lowering.Unsupported(eager.Body ?? (SyntaxNode)eager, "a body other than one expression or one return statement");
            return null;
        }
        if (model.GetOperation(returned, ct) is not { } operation)
        {
            failure = lowering.Unsupported(returned, "an expression the compiler could not bind");
            return null;
        }
        string? expression = lowering.Expression(operation, out failure);
        if (expression is null) return null;

        var text = new StringBuilder();
        string signature = string.Join(", ", parameters.Select(p => $"{ScriptNames.For(p.Name)}: {Annotation(p.Kind)}"));
        text.Append("def ").Append(functionName).Append('(').Append(signature).Append(") -> ").Append(returnAnnotation).Append(":\n");
        FileLinePositionSpan line = statement.GetLocation().GetLineSpan();
        text.Append("    # ").Append(System.IO.Path.GetFileName(line.Path)).Append('(').Append(line.StartLinePosition.Line + 1)
            .Append("): ").Append(OneLine(statement.ToString())).Append('\n');
        text.Append("    return ").Append(expression).Append('\n');
        failure = null;
        return new TwinModel(functionName, text.ToString());
    }

    public static string Annotation(GraphKind kind) => kind switch
    {
        GraphKind.Tensor => "Tensor",
        GraphKind.Int => "int",
        GraphKind.Float => "float",
        _ => "bool",
    };

    private static ExpressionSyntax? SingleReturnedExpression(MethodDeclarationSyntax eager, out SyntaxNode statement)
    {
        statement = eager;
        if (eager.ExpressionBody is { } arrow)
        {
            statement = arrow.Expression;
            return arrow.Expression;
        }
        if (eager.Body is { Statements: { Count: 1 } statements } && statements[0] is ReturnStatementSyntax { Expression: { } value } ret)
        {
            statement = ret;
            return value;
        }
        return null;
    }

    private static string OneLine(string code) => string.Join(" ", code.Split(new[] { '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries).Select(s => s.Trim()));

    private string? Expression(IOperation operation, out DiagnosticInfo? failure)
    {
        _ct.ThrowIfCancellationRequested();
        failure = null;
        if (operation.ConstantValue.HasValue)
        {
            string? literal = ScriptLiterals.Format(operation.ConstantValue.Value, operation.Type);
            if (literal is not null) return literal;
        }
        switch (operation)
        {
            case IParameterReferenceOperation parameter:
                return ScriptNames.For(parameter.Parameter.Name);

            case IConversionOperation { IsImplicit: true } conversion when conversion.Conversion.IsIdentity || conversion.Conversion.IsReference:
                return Expression(conversion.Operand, out failure);

            // Widening within integers or within floating types changes nothing in TorchScript (int is int64,
            // float is double); an integer becoming floating must say so, or int scalars would stay ints.
            case IConversionOperation { Conversion.IsNumeric: true, Conversion.IsImplicit: true } conversion
                when IsFloating(conversion.Type) == IsFloating(conversion.Operand.Type):
                return Expression(conversion.Operand, out failure);

            case IConversionOperation { Conversion.IsNumeric: true } conversion
                when IsFloating(conversion.Type) && !IsFloating(conversion.Operand.Type):
                string? operand = Expression(conversion.Operand, out failure);
                return operand is null ? null : $"float({operand})";

            case IBinaryOperation { OperatorMethod: { } method } binary:
                return Call(method, binary.Syntax, null, new[] { binary.LeftOperand, binary.RightOperand }, out failure);

            case IUnaryOperation { OperatorMethod: { } method } unary:
                return Call(method, unary.Syntax, null, new[] { unary.Operand }, out failure);

            case IInvocationOperation invocation:
                IOperation[] arguments = invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => a.Value).ToArray();
                return Call(invocation.TargetMethod, invocation.Syntax, invocation.Instance, arguments, out failure);

            default:
                failure = Unsupported(operation.Syntax, Describe(operation));
                return null;
        }
    }

    /// <summary>A call of a binding method: its [AtenOp] declaration, with the method's parameters bound to the
    /// lowered arguments (and <c>self</c> to the receiver).</summary>
    private string? Call(IMethodSymbol method, SyntaxNode syntax, IOperation? receiver, IReadOnlyList<IOperation> arguments, out DiagnosticInfo? failure)
    {
        failure = null;
        string? declaration = AtenDeclarationOf(method);
        if (declaration is null)
        {
            failure = Unsupported(syntax, $"a call of '{method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}', which declares no ATen operator");
            return null;
        }
        AtenCall? call = AtenDeclarationParser.Parse(declaration, out string? error);
        if (call is null)
        {
            failure = Unsupported(syntax, $"the [AtenOp] declaration of '{method.Name}' ({error})");
            return null;
        }

        var bound = new Dictionary<string, string>();
        var positional = new List<string>();
        if (receiver is not null && !method.IsStatic)
        {
            string? self = Expression(receiver, out failure);
            if (self is null) return null;
            bound["self"] = self;
            positional.Add(self);
        }
        for (int i = 0; i < arguments.Count && i < method.Parameters.Length; i++)
        {
            string? value = Expression(arguments[i], out failure);
            if (value is null) return null;
            bound[method.Parameters[i].Name] = value;
            positional.Add(value);
        }
        string? text = Spell(call, bound, positional, out string? missing);
        if (text is null) failure = Unsupported(syntax, $"the [AtenOp] declaration of '{method.Name}' (it names '{missing}', which is no parameter)");
        return text;
    }

    private static string? Spell(AtenCall call, IReadOnlyDictionary<string, string> bound, IReadOnlyList<string> positional, out string? missing)
    {
        missing = null;
        if (call.Arguments is null) return $"{call.ScriptName}({string.Join(", ", positional)})";
        var parts = new List<string>();
        foreach (AtenArgument argument in call.Arguments)
        {
            string? value = argument.Value switch
            {
                AtenParameter p => bound.TryGetValue(p.Name, out string? v) ? v : null,
                AtenLiteral literal => literal.Text,
                AtenCall inner => Spell(inner, bound, positional, out missing),
                _ => null,
            };
            if (value is null)
            {
                missing ??= (argument.Value as AtenParameter)?.Name;
                return null;
            }
            parts.Add(argument.Keyword is null ? value : $"{argument.Keyword}={value}");
        }
        return $"{call.ScriptName}({string.Join(", ", parts)})";
    }

    private static string? AtenDeclarationOf(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == KnownNames.AtenOpAttribute &&
                attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string text)
                return text;
        }
        return null;
    }

    private static bool IsFloating(ITypeSymbol? type) =>
        type?.SpecialType is SpecialType.System_Single or SpecialType.System_Double;

    private static string Describe(IOperation operation) => operation switch
    {
        IBinaryOperation binary => $"the scalar operator '{binary.OperatorKind}'",
        IUnaryOperation unary => $"the scalar operator '{unary.OperatorKind}'",
        IFieldReferenceOperation field => $"a read of the field '{field.Field.Name}'",
        IPropertyReferenceOperation property => $"a read of the property '{property.Property.Name}'",
        ILocalReferenceOperation local => $"the local '{local.Local.Name}'",
        _ => $"'{OneLine(operation.Syntax.ToString())}' ({operation.Kind})",
    };

    private DiagnosticInfo Unsupported(SyntaxNode node, string construct) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedConstruct, node.GetLocation(), _methodName, construct);
}
