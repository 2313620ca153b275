using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using HybridGen.Generator.Analysis;
using HybridGen.Generator.Catalog;
using HybridGen.Generator.Model;
using HybridGen.Graph;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace HybridGen.Generator.Lowering;

// Expressions: constants, variables, fields (graph inputs), TorchSharp ops (spelled from their op catalog
// rows), scalar arithmetic with C#'s meaning, indexing, tuples, lists and calls of helpers.
internal sealed partial class FunctionLowering
{
    private GraphExpr Condition(IOperation condition) => Expr(condition);

    private static EquatableArray<GraphExpr> Values(IEnumerable<GraphExpr> values) => values.ToEquatableArray();

    private GraphExpr Expr(IOperation operation)
    {
        _twin.Token.ThrowIfCancellationRequested();
        if (operation.ConstantValue.HasValue && ScriptLiterals.Format(operation.ConstantValue.Value, operation.Type) is { } literal)
            return new GraphLiteral(literal);
        switch (operation)
        {
            case IParameterReferenceOperation parameter:
                return Named(parameter.Parameter);
            case ILocalReferenceOperation local:
                return Named(local.Local);
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
            {
                // Spelled "(a if c else b)": the branches are lowered in that order (temporaries keep their numbers).
                GraphExpr whenTrue = Expr(ternary.WhenTrue), condition = Expr(ternary.Condition);
                return new GraphConditional(condition, whenTrue, Expr(ternary.WhenFalse));
            }
            case IInvocationOperation invocation:
                return Invocation(invocation);
            case ITupleOperation tuple:
                return new GraphTuple(Values(tuple.Elements.Select(Expr)));
            case IArrayCreationOperation { Initializer: { } init }:
                return new GraphList(Values(init.ElementValues.Select(Expr)));
            case IArrayElementReferenceOperation element when element.Indices.Length == 1:
                return Element(Expr(element.ArrayReference), Expr(element.Indices[0]));
            case IDefaultValueOperation or ILiteralOperation { ConstantValue.Value: null }:
                return GraphLiteral.None;
            case IObjectCreationOperation { Type: { } type } creation when KnownTypes.Is(type, KnownTypes.List) && creation.Initializer is { } listInit:
                return new GraphList(Values(listInit.Initializers.OfType<IInvocationOperation>().Select(i => Expr(i.Arguments[0].Value))));
            case IObjectCreationOperation { Type: { } type, Initializer: null, Arguments.Length: 0 } when KnownTypes.Is(type, KnownTypes.List):
                return new GraphList(EquatableArray<GraphExpr>.Empty);
            default:
                if (operation.Syntax is CollectionExpressionSyntax collection) return Collection(collection);
                throw new LoweringFailure(operation.Syntax, Describe(operation));
        }
    }

    private GraphExpr Collection(CollectionExpressionSyntax collection)
    {
        var items = new List<GraphExpr>();
        foreach (CollectionElementSyntax element in collection.Elements)
        {
            if (element is not ExpressionElementSyntax { Expression: var e } || _model.GetOperation(e, _twin.Token) is not { } op)
                throw new LoweringFailure(element, "a spread in a collection expression");
            items.Add(Expr(op));
        }
        return new GraphList(Values(items));
    }

    private GraphExpr Conversion(IConversionOperation conversion)
    {
        ITypeSymbol? to = conversion.Type, from = conversion.Operand.Type;
        GraphExpr operand = Expr(conversion.Operand);
        if (ScriptTypes.IsFloating(to) && ScriptTypes.IsIntegral(from)) return GraphCall.Of("float", operand);
        if (ScriptTypes.IsIntegral(to) && ScriptTypes.IsFloating(from)) return GraphCall.Of("int", operand); // truncates, as C#'s cast
        return operand; // identity, reference, widening within ints or floats (TorchScript's int is 64-bit, float double)
    }

    private GraphExpr Field(IFieldReferenceOperation field)
    {
        IFieldSymbol symbol = field.Field;
        if (symbol.IsStatic && KnownTypes.IsMemberOf(symbol, KnownTypes.Torch) && symbol.Name is "CPU" or "CUDA")
            return GraphCall.Of("torch.device", new GraphLiteral($"\"{symbol.Name.ToLowerInvariant()}\""));
        if (symbol.ContainingType?.IsTupleType == true)
            return Element(Expr(field.Instance!), new GraphLiteral(TupleIndex(symbol).ToString(CultureInfo.InvariantCulture)));
        if (symbol.IsConst || (symbol.IsStatic && symbol.IsReadOnly && StaticConstant(symbol) is { } constant))
            return new GraphLiteral(ScriptLiterals.Format(symbol.IsConst ? symbol.ConstantValue : StaticConstant(symbol), symbol.Type) ?? throw new LoweringFailure(field.Syntax, $"the constant '{symbol.Name}'"));
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
    private GraphExpr MemberInput(IOperation reference, ISymbol member, ITypeSymbol type, IOperation? instance)
    {
        if (!_isMain && _scope is null) throw new LoweringFailure(reference.Syntax, $"a helper reading '{member.Name}' (fields become graph inputs of the hybridized method only)");
        if (!member.IsStatic && instance is not IInstanceReferenceOperation)
            throw new LoweringFailure(reference.Syntax, $"a read of '{member.Name}' of another object");
        if (_scope is null) return new GraphName(_twin.Input(member, type, reference.Syntax));
        string annotation = ScriptTypes.OfMember(member, type, reference.Syntax);
        StateAccess owner = member.IsStatic ? new StateAccess.StaticType(member.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)) : StateAccess.Owner.Instance;
        return StateRead(_twin.Read(owner, member, reference.Syntax), member.Name.TrimStart('_', '@'), annotation, GraphTypes.KindOf(type));
    }

    private GraphExpr Property(IPropertyReferenceOperation property)
    {
        IPropertySymbol symbol = property.Property;
        if (KnownApis.IsTensor(symbol.ContainingType))
        {
            if (symbol.IsIndexer) return Index(property);
            if (symbol.Name is "shape" or "dtype" or "requires_grad" or "device") return new GraphAttribute(Expr(property.Instance!), symbol.Name);
            if (symbol.Name == "Dimensions") return new GraphMethodCall(Expr(property.Instance!), "dim", EquatableArray<GraphExpr>.Empty);
        }
        if (symbol.Name is "Length" or "Count" && property.Instance is { } collection && (collection.Type is IArrayTypeSymbol || KnownApis.IsCollection(collection.Type)
                || KnownTypes.Is(collection.Type, KnownTypes.ReadOnlyList)))
            return GraphCall.Of("len", Expr(collection));
        if (symbol.IsIndexer && property.Arguments.Length == 1 && property.Instance is { } list)
            return Element(Expr(list), Expr(property.Arguments[0].Value));
        // A System.Tuple's ItemN (MultiheadAttention's result): the tuple's element.
        if (symbol.ContainingType is { Name: "Tuple", IsGenericType: true } tuple && KnownTypes.IsNamespace(tuple.ContainingNamespace, "System")
            && symbol.Name.StartsWith("Item", System.StringComparison.Ordinal) && property.Instance is { } owner)
            return Element(Expr(owner), new GraphLiteral((int.Parse(symbol.Name.Substring(4), CultureInfo.InvariantCulture) - 1).ToString(CultureInfo.InvariantCulture)));
        // A module's own training flag (train()/eval()): a graph input read at every call.
        if (symbol.Name == "training" && property.Instance is IInstanceReferenceOperation && Submodules.IsModule(symbol.ContainingType))
            return StateRead(new StateAccess.Member(StateAccess.Owner.Instance, "training"), "training", "bool", GraphKind.Bool);
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

    private GraphExpr Index(IPropertyReferenceOperation indexer) =>
        IndexText(indexer.Instance!, indexer.Arguments.Select(a => a.Value).ToArray(), indexer.Syntax);

    /// <summary><c>x[...]</c> for an indexer or an <c>index(...)</c> call: a params array's elements are the positions.</summary>
    private GraphExpr IndexText(IOperation instance, IReadOnlyList<IOperation> arguments, SyntaxNode syntax)
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
        GraphExpr target = Expr(instance);
        return new GraphIndex(target, positions.Select(IndexPosition).ToEquatableArray());
    }

    private GraphIndexPart IndexPosition(IOperation position)
    {
        IOperation value = Unwrapped(position);
        switch (value)
        {
            case IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } fromEnd:   // ^k: TorchSharp's Single(-k)
                return new GraphIndexAt(new GraphFromEnd(Expr(fromEnd.Operand)));
            case IRangeOperation range:                                          // a..b: Slice(a, b)
                return RangeText(range);
            case ITupleOperation { Elements.Length: 2 } pair:                    // (start, end): Slice(start, end)
                return PairText(pair);
            case IFieldReferenceOperation { Field: var field } when IsTensorIndex(field.ContainingType):
                return field.Name switch
                {
                    "Ellipsis" => new GraphIndexEllipsis(),
                    "None" or "Null" => new GraphIndexNewAxis(),
                    "Colon" => new GraphIndexSlice(null, null, null),
                    _ => throw new LoweringFailure(value.Syntax, $"the index 'TensorIndex.{field.Name}'"),
                };
            case IInvocationOperation call when IsTensorIndex(call.TargetMethod.ContainingType):
                return TensorIndexCall(call);
            default:
                return new GraphIndexAt(Expr(value));                            // a number, or a Tensor (advanced indexing)
        }
    }

    /// <summary>TensorIndex.Slice, Single and Tensor (TorchSharp's struct TensorIndex).</summary>
    private GraphIndexPart TensorIndexCall(IInvocationOperation call)
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
                return new GraphIndexAt(SlicePart(args[0]) ?? new GraphLiteral("0"));
            case ("Tensor", 1):
                return new GraphIndexAt(Expr(args[0]));
        }
        throw new LoweringFailure(call.Syntax, $"the index '{OneLine(call.Syntax.ToString())}'");
    }

    /// <summary>One part of a slice (or a single index), or null for a part left out: omitted, null or default. A part
    /// that may be null only at run time (a long? variable) has no spelling: aten::slice's step is an int.</summary>
    private GraphExpr? SlicePart(IOperation part)
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

    /// <summary>A slice with its absent parts null (left out in the spelling: ":", "a:", ":b", "a:b", "::s", "a:b:s").</summary>
    private static GraphIndexSlice SliceText(GraphExpr? start, GraphExpr? stop, GraphExpr? step) => new(start, stop, step);

    private GraphIndexSlice PairText(ITupleOperation pair)
    {
        GraphExpr? start = SlicePart(pair.Elements[0]);
        return SliceText(start, SlicePart(pair.Elements[1]), null);
    }

    private GraphIndexSlice RangeText(IRangeOperation range)
    {
        GraphExpr? start = RangeEnd(range.LeftOperand, start: true);
        return new GraphIndexSlice(start, RangeEnd(range.RightOperand, start: false), null);
    }

    /// <summary>The value under implicit and user-defined conversions (int → long → long?; long, Index, Range and
    /// tuples → TensorIndex): each keeps the value. Explicit numeric casts stay (Expr spells them).</summary>
    private static IOperation Unwrapped(IOperation operation)
    {
        while (operation is IConversionOperation c && (c.OperatorMethod is not null || c.Conversion.IsImplicit))
            operation = c.Operand;
        return operation;
    }

    private static bool IsTensorIndex(ITypeSymbol? type) =>
        KnownTypes.Is(type, KnownTypes.TensorIndex);

    private GraphExpr? RangeEnd(IOperation? end, bool start)
    {
        if (end is null) return null;
        IOperation value = end is IConversionOperation c ? c.Operand : end;
        if (value is IUnaryOperation { OperatorKind: UnaryOperatorKind.Hat } hat)
        {
            if (!start && hat.Operand.ConstantValue is { HasValue: true, Value: 0 }) return null;
            return new GraphFromEnd(Expr(hat.Operand));
        }
        return Expr(value);
    }

    // ---- operators ----------------------------------------------------------------------------------------------

    /// <summary>A C# operator on host values with C#'s meaning (integer division and remainder truncate: runtime
    /// functions), or a TorchSharp operator method (a catalog row).</summary>
    private GraphExpr Binary(BinaryOperatorKind kind, IMethodSymbol? method, IOperation left, IOperation right, SyntaxNode syntax)
    {
        if (method is not null) return Call(method, syntax, null, new[] { left, right });
        GraphExpr l = Expr(left), r = Expr(right);
        bool integral = ScriptTypes.IsIntegral(left.Type) && ScriptTypes.IsIntegral(right.Type);
        bool boolean = left.Type?.SpecialType == SpecialType.System_Boolean;
        string? op = kind switch
        {
            BinaryOperatorKind.Add => "+",
            BinaryOperatorKind.Subtract => "-",
            BinaryOperatorKind.Multiply => "*",
            BinaryOperatorKind.Divide when !integral => "/",
            BinaryOperatorKind.Equals => "==",
            BinaryOperatorKind.NotEquals => "!=",
            BinaryOperatorKind.LessThan => "<",
            BinaryOperatorKind.LessThanOrEqual => "<=",
            BinaryOperatorKind.GreaterThan => ">",
            BinaryOperatorKind.GreaterThanOrEqual => ">=",
            BinaryOperatorKind.ConditionalAnd => "and",
            BinaryOperatorKind.ConditionalOr => "or",
            BinaryOperatorKind.And when boolean => "and",
            BinaryOperatorKind.Or when boolean => "or",
            BinaryOperatorKind.ExclusiveOr when boolean => "!=",
            BinaryOperatorKind.And when integral => "&",
            BinaryOperatorKind.Or when integral => "|",
            BinaryOperatorKind.ExclusiveOr when integral => "^",
            BinaryOperatorKind.LeftShift when integral => "<<",
            BinaryOperatorKind.RightShift when integral => ">>",
            _ => null,
        };
        if (op is not null) return new GraphBinary(op, l, r);
        return kind switch
        {
            BinaryOperatorKind.Divide => GraphCall.Of(_twin.UseRuntime(TorchScriptHelpers.IntDivide), l, r),
            BinaryOperatorKind.Remainder => GraphCall.Of(_twin.UseRuntime(integral ? TorchScriptHelpers.IntRemainder : TorchScriptHelpers.FloatRemainder), l, r),
            _ => throw new LoweringFailure(syntax, $"the operator '{kind}' on '{left.Type?.ToDisplayString()}'"),
        };
    }

    private GraphExpr Unary(IUnaryOperation unary)
    {
        if (unary.OperatorMethod is { } method) return Call(method, unary.Syntax, null, new[] { unary.Operand });
        GraphExpr operand = Expr(unary.Operand);
        return unary.OperatorKind switch
        {
            UnaryOperatorKind.Minus => new GraphUnary("-", operand),
            UnaryOperatorKind.Plus => operand,
            UnaryOperatorKind.Not => new GraphUnary("not", operand),
            UnaryOperatorKind.BitwiseNegation => new GraphUnary("~", operand),
            _ => throw new LoweringFailure(unary.Syntax, $"the operator '{unary.OperatorKind}'"),
        };
    }

    // ---- calls ------------------------------------------------------------------------------------------------

    private GraphExpr Invocation(IInvocationOperation invocation)
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
        if (KnownTypes.IsMemberOf(method, "System.Math") || KnownTypes.IsMemberOf(method, "System.MathF")) return MathCall(method, arguments, invocation.Syntax);
        if (KnownApis.IsTensor(method.ContainingType))
        {
            GraphExpr self = Expr(invocation.Instance!);
            switch (method.Name)
            {
                case "MoveToOuterDisposeScope" or "DetachFromDisposeScope": return self;
                case "dim" or "numel": return new GraphMethodCall(self, method.Name, EquatableArray<GraphExpr>.Empty);
                case "size": return new GraphMethodCall(self, "size", Values(new[] { Expr(arguments[0]) }));
            }
        }
        // scope.MoveToOuter(t) is t: dispose scopes do nothing in a graph.
        if (method.Name == "MoveToOuter" && arguments.Length == 1 && KnownTypes.IsMemberOf(method, KnownTypes.DisposeScope))
            return Expr(arguments[0]);
        // A list the body made itself, or a helper's list parameter, filled in place (the analysis proved it the
        // body's own, or the caller's own): List.append. TorchScript lists are shared references, so the caller
        // sees a helper's appends as in C#.
        if (method.Name == "Add" && arguments.Length == 1 && invocation.Instance is ILocalReferenceOperation or IParameterReferenceOperation
            && KnownTypes.IsMemberOf(method, KnownTypes.List))
        {
            GraphExpr list = Expr(invocation.Instance);
            return new GraphMethodCall(list, "append", Values(new[] { Expr(arguments[0]) }));
        }
        bool ofTorch = KnownTypes.IsMemberOf(method, KnownTypes.Torch);
        if (ofTorch && method.Name == "is_grad_enabled") return GraphCall.Of("torch.is_grad_enabled");
        if (ofTorch && method.Name == "device" && arguments.Length == 1) return GraphCall.Of("torch.device", Expr(arguments[0]));
        if (method.MethodKind is MethodKind.Ordinary or MethodKind.LocalFunction && !method.IsVirtual && !method.IsAbstract)
        {
            IMethodSymbol target = CallGraph.BodyOf(method);
            if (CallGraph.HasSource(target))
            {
                if (invocation.Instance is not null and not IInstanceReferenceOperation)
                    throw new LoweringFailure(invocation.Syntax, $"a call of '{method.Name}' on another object");
                string name = _twin.Helper(target, invocation.Syntax);
                return GraphCall.Of(name, arguments.Select(Expr).ToArray());
            }
        }
        throw new LoweringFailure(invocation.Syntax, $"a call of '{method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' (not in the op catalog, docs/ops.md)");
    }

    private GraphExpr MathCall(IMethodSymbol method, IOperation[] arguments, SyntaxNode syntax)
    {
        GraphExpr[] a = arguments.Select(Expr).ToArray();
        // Overloads with more arguments than the one spelled (Round's digits or MidpointRounding, Log's base) have
        // another meaning: refused below rather than spelled as the one-argument form.
        int count = arguments.Length;
        GraphExpr Compare(GraphExpr left, string op, GraphExpr right) => new GraphBinary(op, left, right, Parenthesized: false);
        GraphLiteral zero = new("0");
        return (method.Name, count) switch
        {
            ("Sqrt" or "Exp" or "Log" or "Tanh" or "Sin" or "Cos" or "Tan" or "Asin" or "Acos" or "Atan" or "Log10" or "Sinh" or "Cosh", 1)
                => GraphCall.Of("torch." + method.Name.ToLowerInvariant(), a[0]),
            ("Abs", 1) => GraphCall.Of("abs", a[0]),
            ("Max", 2) => GraphCall.Of("max", a[0], a[1]),
            ("Min", 2) => GraphCall.Of("min", a[0], a[1]),
            ("Pow", 2) => new GraphBinary("**", GraphCall.Of("float", a[0]), GraphCall.Of("float", a[1])),
            ("Floor", 1) => GraphCall.Of("float", GraphCall.Of("torch.floor", a[0])),
            ("Ceiling", 1) => GraphCall.Of("float", GraphCall.Of("torch.ceil", a[0])),
            // TorchScript's round of a float rounds half to even, as C#'s Math.Round(double) does (2.5 → 2).
            ("Round", 1) when ScriptTypes.IsFloating(arguments[0].Type) => GraphCall.Of("round", a[0]),
            ("Truncate", 1) when ScriptTypes.IsFloating(arguments[0].Type) => GraphCall.Of("float", GraphCall.Of("int", a[0])),  // int() truncates toward zero
            ("Sign", 1) => new GraphConditional(Compare(a[0], ">", zero), new GraphLiteral("1"),
                new GraphConditional(Compare(a[0], "<", zero), new GraphLiteral("-1"), zero)),
            // Math.Clamp's own comparisons, in its order (a NaN value stays NaN); its min > max throw is not kept.
            ("Clamp", 3) => new GraphConditional(Compare(a[0], "<", a[1]), a[1], new GraphConditional(Compare(a[0], ">", a[2]), a[2], a[0])),
            _ => throw new LoweringFailure(syntax, $"'{method.ContainingType.Name}.{method.Name}' with {count} argument{(count == 1 ? "" : "s")}"),
        };
    }

    /// <summary>A call of a TorchSharp op: its catalog row's spelling, with the method's parameters bound to the
    /// lowered arguments (and <c>self</c> to the receiver).</summary>
    private GraphExpr Call(IMethodSymbol method, SyntaxNode syntax, IOperation? receiver, IReadOnlyList<IOperation> arguments)
    {
        OpRow row = _twin.Ops.Find(method, arguments)
            ?? throw new LoweringFailure(syntax, $"a call of '{method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}' with these arguments (not in the op catalog, docs/ops.md)");
        AtenNode spelling = _twin.Ops.Spelling(row)
            ?? throw new LoweringFailure(syntax, $"the catalog spelling of '{method.Name}' ('{row.Spelling}' does not parse)");
        var bound = new Dictionary<string, GraphExpr>();
        var positional = new List<GraphExpr>();
        // The bare form passes every argument; a spelled form only those it names (the others are at their
        // defaults, which the lookup checked, and need no graph form).
        IReadOnlyCollection<string>? used = _twin.Ops.ParametersUsed(row);
        if (receiver is not null && !method.IsStatic)
        {
            GraphExpr self = Expr(receiver);
            bound["self"] = self;
            positional.Add(self);
        }
        for (int i = 0; i < arguments.Count && i < method.Parameters.Length; i++)
        {
            if (used is not null && !used.Contains(method.Parameters[i].Name)) continue;
            GraphExpr value = Argument(arguments[i], method.Parameters[i]);
            bound[method.Parameters[i].Name] = value;
            positional.Add(value);
        }
        string? missing = null;
        return SpellNode(spelling, bound, positional, ref missing)
            ?? throw new LoweringFailure(syntax, $"the catalog spelling of '{method.Name}' (it names '{missing}', which is no parameter)");
    }

    /// <summary>An argument of a binding op: a params array or collection of tensors is a list.</summary>
    private GraphExpr Argument(IOperation argument, IParameterSymbol parameter)
    {
        IOperation value = argument is IConversionOperation { Operand: var inner } c && (c.Conversion.IsIdentity || c.Conversion.IsReference || c.Conversion.IsImplicit && inner.Syntax is CollectionExpressionSyntax) ? inner : argument;
        return Expr(value);
    }

    /// <summary>The catalog row's spelling as IR: its aten calls as <see cref="GraphCall"/>s named as TorchScript
    /// names them, with the method's bound arguments in place of its parameter names.</summary>
    private static GraphExpr? SpellNode(AtenNode node, IReadOnlyDictionary<string, GraphExpr> bound, IReadOnlyList<GraphExpr> positional, ref string? missing)
    {
        switch (node)
        {
            case AtenParameter p:
                if (bound.TryGetValue(p.Name, out GraphExpr? v)) return v;
                missing ??= p.Name;
                return null;
            case AtenLiteral literal:
                return new GraphLiteral(literal.Text);
            case AtenCall inner:
                return Spell(inner, bound, positional, out missing);
            case AtenConditional conditional:
                GraphExpr? condition = SpellNode(conditional.Condition, bound, positional, ref missing);
                // A constant flag (the usual inplace: false) picks its branch here: the twin stays readable, and
                // nested calls do not double the text at every level.
                if (condition is GraphLiteral { Text: "True" }) return SpellNode(conditional.WhenTrue, bound, positional, ref missing);
                if (condition is GraphLiteral { Text: "False" }) return SpellNode(conditional.WhenFalse, bound, positional, ref missing);
                GraphExpr? whenTrue = condition is null ? null : SpellNode(conditional.WhenTrue, bound, positional, ref missing);
                GraphExpr? whenFalse = whenTrue is null ? null : SpellNode(conditional.WhenFalse, bound, positional, ref missing);
                return whenFalse is null ? null : new GraphConditional(condition!, whenTrue!, whenFalse);
            default:
                return null;
        }
    }

    private static GraphExpr? Spell(AtenCall call, IReadOnlyDictionary<string, GraphExpr> bound, IReadOnlyList<GraphExpr> positional, out string? missing)
    {
        missing = null;
        if (call.Arguments is null) return GraphCall.Of(call.ScriptName, positional.ToArray());
        var parts = new List<GraphArgument>();
        foreach (AtenArgument argument in call.Arguments)
        {
            GraphExpr? value = SpellNode(argument.Value, bound, positional, ref missing);
            if (value is null)
            {
                missing ??= (argument.Value as AtenParameter)?.Name;
                return null;
            }
            parts.Add(new GraphArgument(argument.Keyword, value));
        }
        return new GraphCall(call.ScriptName, parts.ToEquatableArray());
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
