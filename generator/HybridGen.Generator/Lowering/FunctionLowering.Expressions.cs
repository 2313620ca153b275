using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using HybridGen.Generator.Analysis;
using HybridGen.Generator.Catalog;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace HybridGen.Generator.Lowering;

// Expressions: constants, variables, fields (graph inputs), TorchSharp ops (spelled from their op catalog
// rows), scalar arithmetic with C#'s meaning, indexing, tuples, lists and calls of helpers.
internal sealed partial class FunctionLowering
{
    private string Condition(IOperation condition) => Expr(condition);

    private string Expr(IOperation operation)
    {
        _twin.Token.ThrowIfCancellationRequested();
        if (operation.ConstantValue.HasValue && ScriptLiterals.Format(operation.ConstantValue.Value, operation.Type) is { } literal)
            return literal;
        switch (operation)
        {
            case IParameterReferenceOperation parameter:
                return NameOf(parameter.Parameter);
            case ILocalReferenceOperation local:
                return NameOf(local.Local);
            case IConversionOperation conversion:
                return Conversion(conversion);
            case IParenthesizedOperation parenthesized:
                return Expr(parenthesized.Operand);
            case IFieldReferenceOperation field:
                return Field(field);
            case IPropertyReferenceOperation property:
                return Property(property);
            case IBinaryOperation binary:
                return Binary(binary.OperatorKind, binary.OperatorMethod, binary.LeftOperand, binary.RightOperand, binary.Syntax);
            case IUnaryOperation unary:
                return Unary(unary);
            case IConditionalOperation { WhenFalse: not null } ternary:
                return $"({Expr(ternary.WhenTrue)} if {Expr(ternary.Condition)} else {Expr(ternary.WhenFalse)})";
            case IInvocationOperation invocation:
                return Invocation(invocation);
            case ITupleOperation tuple:
                return "(" + string.Join(", ", tuple.Elements.Select(Expr)) + (tuple.Elements.Length == 1 ? ",)" : ")");
            case IArrayCreationOperation { Initializer: { } init }:
                return "[" + string.Join(", ", init.ElementValues.Select(Expr)) + "]";
            case IArrayElementReferenceOperation element when element.Indices.Length == 1:
                return $"{Expr(element.ArrayReference)}[{Expr(element.Indices[0])}]";
            case IDefaultValueOperation or ILiteralOperation { ConstantValue.Value: null }:
                return "None";
            case IObjectCreationOperation { Type: { } type } creation when type.ToDisplayString().StartsWith("System.Collections.Generic.List<") && creation.Initializer is { } listInit:
                return "[" + string.Join(", ", listInit.Initializers.OfType<IInvocationOperation>().Select(i => Expr(i.Arguments[0].Value))) + "]";
            case IObjectCreationOperation { Type: { } type, Initializer: null, Arguments.Length: 0 } when type.ToDisplayString().StartsWith("System.Collections.Generic.List<"):
                return "[]";
            default:
                if (operation.Syntax is CollectionExpressionSyntax collection) return Collection(collection);
                throw new LoweringFailure(operation.Syntax, Describe(operation));
        }
    }

    private string Collection(CollectionExpressionSyntax collection)
    {
        var items = new List<string>();
        foreach (CollectionElementSyntax element in collection.Elements)
        {
            if (element is not ExpressionElementSyntax { Expression: var e } || _model.GetOperation(e, _twin.Token) is not { } op)
                throw new LoweringFailure(element, "a spread in a collection expression");
            items.Add(Expr(op));
        }
        return "[" + string.Join(", ", items) + "]";
    }

    private string Conversion(IConversionOperation conversion)
    {
        ITypeSymbol? to = conversion.Type, from = conversion.Operand.Type;
        string operand = Expr(conversion.Operand);
        if (ScriptTypes.IsFloating(to) && ScriptTypes.IsIntegral(from)) return $"float({operand})";
        if (ScriptTypes.IsIntegral(to) && ScriptTypes.IsFloating(from)) return $"int({operand})"; // truncates, as C#'s cast
        return operand; // identity, reference, widening within ints or floats (TorchScript's int is 64-bit, float double)
    }

    private string Field(IFieldReferenceOperation field)
    {
        IFieldSymbol symbol = field.Field;
        if (symbol.IsStatic && symbol.ContainingType?.ToDisplayString() == "TorchSharp.torch" && symbol.Name is "CPU" or "CUDA")
            return $"torch.device(\"{symbol.Name.ToLowerInvariant()}\")";
        if (symbol.ContainingType?.IsTupleType == true)
            return $"{Expr(field.Instance!)}[{TupleIndex(symbol)}]";
        if (symbol.IsConst || (symbol.IsStatic && symbol.IsReadOnly && StaticConstant(symbol) is { } constant))
            return ScriptLiterals.Format(symbol.IsConst ? symbol.ConstantValue : StaticConstant(symbol), symbol.Type) ?? throw new LoweringFailure(field.Syntax, $"the constant '{symbol.Name}'");
        return MemberInput(field, symbol, symbol.Type, field.Instance);
    }

    private static int TupleIndex(IFieldSymbol field)
    {
        var elements = field.ContainingType.TupleElements;
        for (int i = 0; i < elements.Length; i++)
            if (elements[i].Name == field.Name || SymbolEqualityComparer.Default.Equals(elements[i], field.CorrespondingTupleField ?? field)
                || elements[i].CorrespondingTupleField?.Name == field.Name)
                return i;
        return int.Parse(field.Name.Substring("Item".Length), CultureInfo.InvariantCulture) - 1;
    }

    /// <summary>The value of a static readonly scalar field initialized with a constant (inlined), else null.</summary>
    private object? StaticConstant(IFieldSymbol field)
    {
        if (ScriptTypes.Annotation(field.Type) is not ("int" or "float" or "bool")) return null;
        foreach (SyntaxReference reference in field.DeclaringSyntaxReferences)
            if (reference.GetSyntax(_twin.Token) is VariableDeclaratorSyntax { Initializer.Value: var value })
            {
                Optional<object?> constant = _twin.ModelFor(value.SyntaxTree).GetConstantValue(value, _twin.Token);
                if (constant.HasValue) return constant.Value is double or float or bool ? constant.Value : System.Convert.ToInt64(constant.Value, CultureInfo.InvariantCulture);
            }
        return null;
    }

    /// <summary>A field or property of this object (or a static one) read by the main function: a graph input
    /// read at every call, so the twin never freezes state.</summary>
    private string MemberInput(IOperation reference, ISymbol member, ITypeSymbol type, IOperation? instance)
    {
        if (!_isMain && _scope is null) throw new LoweringFailure(reference.Syntax, $"a helper reading '{member.Name}' (fields become graph inputs of the hybridized method only)");
        if (!member.IsStatic && instance is not IInstanceReferenceOperation)
            throw new LoweringFailure(reference.Syntax, $"a read of '{member.Name}' of another object");
        if (_scope is null) return _twin.Input(member, type, reference.Syntax);
        string annotation = ScriptTypes.OfMember(member, type, reference.Syntax);
        string owner = member.IsStatic ? member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : "{0}";
        return StateRead(_twin.Read(owner, member, reference.Syntax), member.Name.TrimStart('_', '@'), annotation, GraphTypes.KindOf(type));
    }

    private string Property(IPropertyReferenceOperation property)
    {
        IPropertySymbol symbol = property.Property;
        if (KnownApis.IsTensor(symbol.ContainingType))
        {
            if (symbol.IsIndexer) return Index(property);
            if (symbol.Name is "shape" or "dtype" or "requires_grad" or "device") return $"{Expr(property.Instance!)}.{symbol.Name}";
            if (symbol.Name == "Dimensions") return $"{Expr(property.Instance!)}.dim()";
        }
        if (symbol.Name is "Length" or "Count" && property.Instance is { } collection && (collection.Type is IArrayTypeSymbol || KnownApis.IsCollection(collection.Type)
                || collection.Type?.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.IReadOnlyList<T>"))
            return $"len({Expr(collection)})";
        if (symbol.IsIndexer && property.Arguments.Length == 1 && property.Instance is { } list)
            return $"{Expr(list)}[{Expr(property.Arguments[0].Value)}]";
        // A module's own training flag (train()/eval()): a graph input read at every call.
        if (symbol.Name == "training" && property.Instance is IInstanceReferenceOperation && Submodules.IsModule(symbol.ContainingType))
            return StateRead("{0}.training", "training", "bool", GraphKind.Bool);
        if (property.Instance is null or IInstanceReferenceOperation && IsPlainProperty(symbol))
            return MemberInput(property, symbol, symbol.Type, property.Instance);
        throw new LoweringFailure(property.Syntax, $"a read of the property '{symbol.Name}'");
    }

    private static bool IsPlainProperty(IPropertySymbol property) =>
        property.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is PropertyDeclarationSyntax p &&
            p.ExpressionBody is null && p.AccessorList?.Accessors.All(a => a.Body is null && a.ExpressionBody is null) == true);

    // ---- indexing ---------------------------------------------------------------------------------------------
    // TorchSharp's indexers and index(params TensorIndex[]) as a Python subscript. TorchSharp hands each TensorIndex
    // to libtorch's at::indexing: a slice part that is null is c10::nullopt, as a part left out of a Python slice,
    // so a part omitted, null or default is left out here (a `None` step TorchScript rejects: aten::slice's step is
    // an int). TensorIndex.None and .Null are both a new axis; Single(null) is index 0.

    private string Index(IPropertyReferenceOperation indexer) =>
        IndexText(indexer.Instance!, indexer.Arguments.Select(a => a.Value).ToArray(), indexer.Syntax);

    /// <summary><c>x[...]</c> for an indexer or an <c>index(...)</c> call: a params array's elements are the positions.</summary>
    private string IndexText(IOperation instance, IReadOnlyList<IOperation> arguments, SyntaxNode syntax)
    {
        IEnumerable<IOperation> positions = arguments;
        if (arguments.Count == 1 && arguments[0].Type is IArrayTypeSymbol)
        {
            // TorchSharp applies the array's elements one per dimension; an array held in a variable would be a List
            // subscript in TorchScript (advanced indexing by its values): another meaning.
            if (Unwrapped(arguments[0]) is not IArrayCreationOperation { Initializer: { } init })
                throw new LoweringFailure(syntax, "an index list held in a variable (write the indices in the subscript)");
            positions = init.ElementValues;
        }
        return $"{Expr(instance)}[{string.Join(", ", positions.Select(IndexPosition))}]";
    }

    private string IndexPosition(IOperation position)
    {
        IOperation value = Unwrapped(position);
        switch (value)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } fromEnd:   // ^k: TorchSharp's Single(-k)
                return $"-{Expr(fromEnd.Operand)}";
            case IRangeOperation range:                                          // a..b: Slice(a, b)
                return RangeText(range);
            case ITupleOperation { Elements.Length: 2 } pair:                    // (start, end): Slice(start, end)
                return PairText(pair);
            case IFieldReferenceOperation { Field: var field } when IsTensorIndex(field.ContainingType):
                return field.Name switch
                {
                    "Ellipsis" => "...",
                    "None" or "Null" => "None",
                    "Colon" => ":",
                    _ => throw new LoweringFailure(value.Syntax, $"the index 'TensorIndex.{field.Name}'"),
                };
            case IInvocationOperation call when IsTensorIndex(call.TargetMethod.ContainingType):
                return TensorIndexCall(call);
            default:
                return Expr(value);                                              // a number, or a Tensor (advanced indexing)
        }
    }

    /// <summary>TensorIndex.Slice, Single and Tensor (TorchSharp's struct TensorIndex).</summary>
    private string TensorIndexCall(IInvocationOperation call)
    {
        IOperation[] args = call.Arguments.OrderBy(a => a.Parameter!.Ordinal).Select(a => a.Value).ToArray();
        switch (call.TargetMethod.Name, args.Length)
        {
            case ("Slice", 3):                                   // Slice(long? start, long? stop, long? step)
                return SliceText(SlicePart(args[0]), SlicePart(args[1]), SlicePart(args[2]));
            case ("Slice", 1):                                   // Slice(Range), Slice((int? start, int? end))
                switch (Unwrapped(args[0]))
                {
                    case IRangeOperation range: return RangeText(range);
                    case ITupleOperation { Elements.Length: 2 } pair: return PairText(pair);
                }
                break;
            case ("Single", 1):                                  // Single(long? index): null is index 0
                return SlicePart(args[0]) ?? "0";
            case ("Tensor", 1):
                return Expr(args[0]);
        }
        throw new LoweringFailure(call.Syntax, $"the index '{OneLine(call.Syntax.ToString())}'");
    }

    /// <summary>One part of a slice (or a single index), or null for a part left out: omitted, null or default. A part
    /// that may be null only at run time (a long? variable) has no spelling: aten::slice's step is an int.</summary>
    private string? SlicePart(IOperation part)
    {
        if (part.Parent is IArgumentOperation { ArgumentKind: ArgumentKind.DefaultValue }) return null; // TorchSharp's defaults are null
        IOperation value = Unwrapped(part);
        if (IsNull(part) || IsNull(value)) return null;
        if (!ScriptTypes.IsIntegral(value.Type))
            throw new LoweringFailure(part.Syntax, $"the slice part '{OneLine(part.Syntax.ToString())}', which may be null at run time");
        return Expr(value);
    }

    private static bool IsNull(IOperation operation) =>
        operation.ConstantValue is { HasValue: true, Value: null } || operation is IDefaultValueOperation { ConstantValue.HasValue: false };

    /// <summary>A Python slice with its absent parts left out: ":", "a:", ":b", "a:b", "::s", "a:b:s".</summary>
    private static string SliceText(string? start, string? stop, string? step) =>
        step is null ? $"{start}:{stop}" : $"{start}:{stop}:{step}";

    private string PairText(ITupleOperation pair) => SliceText(SlicePart(pair.Elements[0]), SlicePart(pair.Elements[1]), null);

    private string RangeText(IRangeOperation range) =>
        $"{RangeEnd(range.LeftOperand, start: true)}:{RangeEnd(range.RightOperand, start: false)}";

    /// <summary>The value under implicit and user-defined conversions (int → long → long?; long, Index, Range and
    /// tuples → TensorIndex): each keeps the value. Explicit numeric casts stay (Expr spells them).</summary>
    private static IOperation Unwrapped(IOperation operation)
    {
        while (operation is IConversionOperation c && (c.OperatorMethod is not null || c.Conversion.IsImplicit))
            operation = c.Operand;
        return operation;
    }

    private static bool IsTensorIndex(ITypeSymbol? type) =>
        type is { Name: "TensorIndex" } && type.ContainingType?.ToDisplayString() == "TorchSharp.torch";

    private string RangeEnd(IOperation? end, bool start)
    {
        if (end is null) return "";
        IOperation value = end is IConversionOperation c ? c.Operand : end;
        if (value is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } hat)
        {
            if (!start && hat.Operand.ConstantValue is { HasValue: true, Value: 0 }) return "";
            return $"-{Expr(hat.Operand)}";
        }
        return Expr(value);
    }

    // ---- operators ----------------------------------------------------------------------------------------------

    private string Binary(BinaryOperatorKind kind, IMethodSymbol? method, IOperation left, IOperation right, SyntaxNode syntax)
    {
        if (method is not null) return Call(method, syntax, null, new[] { left, right });
        string l = Expr(left), r = Expr(right);
        bool integral = ScriptTypes.IsIntegral(left.Type) && ScriptTypes.IsIntegral(right.Type);
        return kind switch
        {
            BinaryOperatorKind.Add => $"({l} + {r})",
            BinaryOperatorKind.Subtract => $"({l} - {r})",
            BinaryOperatorKind.Multiply => $"({l} * {r})",
            BinaryOperatorKind.Divide => integral ? $"{_twin.UseRuntime(RuntimeHelpers.IntDivide)}({l}, {r})" : $"({l} / {r})",
            BinaryOperatorKind.Remainder => integral ? $"{_twin.UseRuntime(RuntimeHelpers.IntRemainder)}({l}, {r})" : $"{_twin.UseRuntime(RuntimeHelpers.FloatRemainder)}({l}, {r})",
            BinaryOperatorKind.Equals => $"({l} == {r})",
            BinaryOperatorKind.NotEquals => $"({l} != {r})",
            BinaryOperatorKind.LessThan => $"({l} < {r})",
            BinaryOperatorKind.LessThanOrEqual => $"({l} <= {r})",
            BinaryOperatorKind.GreaterThan => $"({l} > {r})",
            BinaryOperatorKind.GreaterThanOrEqual => $"({l} >= {r})",
            BinaryOperatorKind.ConditionalAnd => $"({l} and {r})",
            BinaryOperatorKind.ConditionalOr => $"({l} or {r})",
            BinaryOperatorKind.And when left.Type?.SpecialType == SpecialType.System_Boolean => $"({l} and {r})",
            BinaryOperatorKind.Or when left.Type?.SpecialType == SpecialType.System_Boolean => $"({l} or {r})",
            BinaryOperatorKind.ExclusiveOr when left.Type?.SpecialType == SpecialType.System_Boolean => $"({l} != {r})",
            BinaryOperatorKind.And when integral => $"({l} & {r})",
            BinaryOperatorKind.Or when integral => $"({l} | {r})",
            BinaryOperatorKind.ExclusiveOr when integral => $"({l} ^ {r})",
            BinaryOperatorKind.LeftShift when integral => $"({l} << {r})",
            BinaryOperatorKind.RightShift when integral => $"({l} >> {r})",
            _ => throw new LoweringFailure(syntax, $"the operator '{kind}' on '{left.Type?.ToDisplayString()}'"),
        };
    }

    private string Unary(IUnaryOperation unary)
    {
        if (unary.OperatorMethod is { } method) return Call(method, unary.Syntax, null, new[] { unary.Operand });
        string operand = Expr(unary.Operand);
        return unary.OperatorKind switch
        {
            UnaryOperatorKind.Minus => $"(-{operand})",
            UnaryOperatorKind.Plus => operand,
            UnaryOperatorKind.Not => $"(not {operand})",
            UnaryOperatorKind.BitwiseNegation => $"(~{operand})",
            _ => throw new LoweringFailure(unary.Syntax, $"the operator '{unary.OperatorKind}'"),
        };
    }

    // ---- calls ------------------------------------------------------------------------------------------------

    private string Invocation(IInvocationOperation invocation)
    {
        IMethodSymbol method = invocation.TargetMethod;
        IOperation[] arguments = invocation.Arguments.OrderBy(a => a.Parameter?.Ordinal ?? 0).Select(a => a.Value).ToArray();
        // x.index(TensorIndex...) is x[...]; the catalog's index row is for index(params Tensor[]) (aten::index).
        if (KnownApis.IsTensor(method.ContainingType) && method.Name == "index" && method.Parameters.Length == 1
            && method.Parameters[0].Type is IArrayTypeSymbol { ElementType: var element } && IsTensorIndex(element))
            return IndexText(invocation.Instance!, arguments, invocation.Syntax);
        if (_twin.Ops.Find(method, arguments) is not null) return Call(method, invocation.Syntax, invocation.Instance, arguments);
        if (ModuleCatalog.IsForward(method) && ModuleReceiver(invocation.Instance) is { } module)
            return ApplyModule(module.module, module.access, module.path, module.stem, arguments.Select(Expr).ToList(), invocation.Syntax);
        string type = method.ContainingType?.ToDisplayString() ?? "";
        if (type is "System.Math" or "System.MathF") return MathCall(method, arguments, invocation.Syntax);
        if (KnownApis.IsTensor(method.ContainingType))
        {
            string self = Expr(invocation.Instance!);
            switch (method.Name)
            {
                case "MoveToOuterDisposeScope" or "DetachFromDisposeScope": return self;
                case "dim" or "numel": return $"{self}.{method.Name}()";
                case "size": return $"{self}.size({Expr(arguments[0])})";
            }
        }
        // scope.MoveToOuter(t) is t: dispose scopes do nothing in a graph.
        if (method.Name == "MoveToOuter" && arguments.Length == 1 && method.ContainingType?.ToDisplayString() == "TorchSharp.DisposeScope")
            return Expr(arguments[0]);
        // A list the body made itself, or a helper's list parameter, filled in place (the analysis proved it the
        // body's own, or the caller's own): List.append. TorchScript lists are shared references, so the caller
        // sees a helper's appends as in C#.
        if (method.Name == "Add" && arguments.Length == 1 && invocation.Instance is ILocalReferenceOperation or IParameterReferenceOperation
            && method.ContainingType?.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.List<T>")
            return $"{Expr(invocation.Instance)}.append({Expr(arguments[0])})";
        if (type == "TorchSharp.torch" && method.Name == "is_grad_enabled") return "torch.is_grad_enabled()";
        if (type == "TorchSharp.torch" && method.Name == "device" && arguments.Length == 1) return $"torch.device({Expr(arguments[0])})";
        if (method.MethodKind is MethodKind.Ordinary or MethodKind.LocalFunction && !method.IsVirtual && !method.IsAbstract)
        {
            var graph = new CallGraph(_model.Compilation);
            IMethodSymbol target = graph.BodyOf(method);
            if (CallGraph.HasSource(target))
            {
                if (invocation.Instance is not null and not IInstanceReferenceOperation)
                    throw new LoweringFailure(invocation.Syntax, $"a call of '{method.Name}' on another object");
                string name = _twin.Helper(target, invocation.Syntax);
                return $"{name}({string.Join(", ", arguments.Select(Expr))})";
            }
        }
        throw new LoweringFailure(invocation.Syntax, $"a call of '{method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' (not in the op catalog, docs/ops.md)");
    }

    private string MathCall(IMethodSymbol method, IOperation[] arguments, SyntaxNode syntax)
    {
        string[] a = arguments.Select(Expr).ToArray();
        // Overloads with more arguments than the one spelled (Round's digits or MidpointRounding, Log's base) have
        // another meaning: refused below rather than spelled as the one-argument form.
        int count = arguments.Length;
        return (method.Name, count) switch
        {
            ("Sqrt" or "Exp" or "Log" or "Tanh" or "Sin" or "Cos" or "Tan" or "Asin" or "Acos" or "Atan" or "Log10" or "Sinh" or "Cosh", 1)
                => $"torch.{method.Name.ToLowerInvariant()}({a[0]})",
            ("Abs", 1) => $"abs({a[0]})",
            ("Max", 2) => $"max({a[0]}, {a[1]})",
            ("Min", 2) => $"min({a[0]}, {a[1]})",
            ("Pow", 2) => $"(float({a[0]}) ** float({a[1]}))",
            ("Floor", 1) => $"float(torch.floor({a[0]}))",
            ("Ceiling", 1) => $"float(torch.ceil({a[0]}))",
            // TorchScript's round of a float rounds half to even, as C#'s Math.Round(double) does (2.5 → 2).
            ("Round", 1) when ScriptTypes.IsFloating(arguments[0].Type) => $"round({a[0]})",
            ("Truncate", 1) when ScriptTypes.IsFloating(arguments[0].Type) => $"float(int({a[0]}))",  // int() truncates toward zero
            ("Sign", 1) => $"(1 if {a[0]} > 0 else (-1 if {a[0]} < 0 else 0))",
            // Math.Clamp's own comparisons, in its order (a NaN value stays NaN); its min > max throw is not kept.
            ("Clamp", 3) => $"({a[1]} if {a[0]} < {a[1]} else ({a[2]} if {a[0]} > {a[2]} else {a[0]}))",
            _ => throw new LoweringFailure(syntax, $"'{method.ContainingType.Name}.{method.Name}' with {count} argument{(count == 1 ? "" : "s")}"),
        };
    }

    /// <summary>A call of a TorchSharp op: its catalog row's spelling, with the method's parameters bound to the
    /// lowered arguments (and <c>self</c> to the receiver).</summary>
    private string Call(IMethodSymbol method, SyntaxNode syntax, IOperation? receiver, IReadOnlyList<IOperation> arguments)
    {
        OpRow row = _twin.Ops.Find(method, arguments)
            ?? throw new LoweringFailure(syntax, $"a call of '{method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' with these arguments (not in the op catalog, docs/ops.md)");
        AtenNode spelling = _twin.Ops.Spelling(row)
            ?? throw new LoweringFailure(syntax, $"the catalog spelling of '{method.Name}' ('{row.Spelling}' does not parse)");
        var bound = new Dictionary<string, string>();
        var positional = new List<string>();
        // The bare form passes every argument; a spelled form only those it names (the others are at their
        // defaults, which the lookup checked, and need no graph form).
        IReadOnlyCollection<string>? used = _twin.Ops.ParametersUsed(row);
        if (receiver is not null && !method.IsStatic)
        {
            string self = Expr(receiver);
            bound["self"] = self;
            positional.Add(self);
        }
        for (int i = 0; i < arguments.Count && i < method.Parameters.Length; i++)
        {
            if (used is not null && !used.Contains(method.Parameters[i].Name)) continue;
            string value = Argument(arguments[i], method.Parameters[i]);
            bound[method.Parameters[i].Name] = value;
            positional.Add(value);
        }
        string? missing = null;
        return SpellNode(spelling, bound, positional, ref missing)
            ?? throw new LoweringFailure(syntax, $"the catalog spelling of '{method.Name}' (it names '{missing}', which is no parameter)");
    }

    /// <summary>An argument of a binding op: a params array or collection of tensors is a list.</summary>
    private string Argument(IOperation argument, IParameterSymbol parameter)
    {
        IOperation value = argument is IConversionOperation { Operand: var inner } c && (c.Conversion.IsIdentity || c.Conversion.IsReference || c.Conversion.IsImplicit && inner.Syntax is CollectionExpressionSyntax) ? inner : argument;
        return Expr(value);
    }

    private static string? SpellNode(AtenNode node, IReadOnlyDictionary<string, string> bound, IReadOnlyList<string> positional, ref string? missing)
    {
        switch (node)
        {
            case AtenParameter p:
                if (bound.TryGetValue(p.Name, out string? v)) return v;
                missing ??= p.Name;
                return null;
            case AtenLiteral literal:
                return literal.Text;
            case AtenCall inner:
                return Spell(inner, bound, positional, out missing);
            case AtenConditional conditional:
                string? condition = SpellNode(conditional.Condition, bound, positional, ref missing);
                // A constant flag (the usual inplace: false) picks its branch here: the twin stays readable, and
                // nested calls do not double the text at every level.
                if (condition is "True") return SpellNode(conditional.WhenTrue, bound, positional, ref missing);
                if (condition is "False") return SpellNode(conditional.WhenFalse, bound, positional, ref missing);
                string? whenTrue = condition is null ? null : SpellNode(conditional.WhenTrue, bound, positional, ref missing);
                string? whenFalse = whenTrue is null ? null : SpellNode(conditional.WhenFalse, bound, positional, ref missing);
                return whenFalse is null ? null : $"({whenTrue} if {condition} else {whenFalse})";
            default:
                return null;
        }
    }

    private static string? Spell(AtenCall call, IReadOnlyDictionary<string, string> bound, IReadOnlyList<string> positional, out string? missing)
    {
        missing = null;
        if (call.Arguments is null) return $"{call.ScriptName}({string.Join(", ", positional)})";
        var parts = new List<string>();
        foreach (AtenArgument argument in call.Arguments)
        {
            string? value = SpellNode(argument.Value, bound, positional, ref missing);
            if (value is null)
            {
                missing ??= (argument.Value as AtenParameter)?.Name;
                return null;
            }
            parts.Add(argument.Keyword is null ? value : $"{argument.Keyword}={value}");
        }
        return $"{call.ScriptName}({string.Join(", ", parts)})";
    }

    private static string Describe(IOperation operation) => operation switch
    {
        IBinaryOperation binary => $"the operator '{binary.OperatorKind}'",
        IUnaryOperation unary => $"the operator '{unary.OperatorKind}'",
        IFieldReferenceOperation field => $"a read of the field '{field.Field.Name}'",
        IPropertyReferenceOperation property => $"a read of the property '{property.Property.Name}'",
        IInterpolatedStringOperation => "an interpolated string",
        _ => $"'{OneLine(operation.Syntax.ToString())}' ({operation.Kind})",
    };
}
