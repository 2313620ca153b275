using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using HybridGen.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Twins.Onnx;

/// <summary>Where a model input comes from: the call's argument and, for a list of tensors, the element (else -1).</summary>
internal readonly record struct OnnxInputSource(int Argument, int Element);

/// <summary>
/// The ONNX emitter: builds the ONNX model of a twin's graph IR for one call's signature. It runs the IR as the
/// TorchScript interpreter would, with the signature's values: host arithmetic, conditions and loops over numbers
/// and shapes are decided while emitting (the signature fixes them), and each tensor op becomes ONNX nodes
/// (OnnxEmitter.Ops.cs, module kinds and runtime functions in OnnxEmitter.Modules.cs). What has no ONNX form throws
/// <see cref="NoOnnxFormException"/>: a condition on a tensor's values, an op not mapped, an in-place op on a tensor
/// that is viewed or is an input, dropout or batch norm in training mode. The model's inputs are the tensors of the
/// method's parameters, then those of its state (the weights), as graph inputs or, given <c>frozenWeights</c>, as
/// initializers holding their values (a session may still read them in place: OnnxWeightedSession).
/// </summary>
internal sealed partial class OnnxEmitter
{
    private readonly OnnxModelBuilder _graph;
    private readonly Dictionary<string, GraphFunction> _functions;
    private int _depth, _steps;
    private const int MaxDepth = 64, MaxSteps = 100_000;

    private OnnxEmitter(GraphProgram program)
    {
        _graph = new OnnxModelBuilder(program.Main.Name);
        _functions = program.Functions.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    /// <summary>The model for calls whose arguments <paramref name="arguments"/> describes (shapes, dtypes and the
    /// values of numbers); <paramref name="data"/> and <paramref name="weights"/> say which tensors feed its inputs, in
    /// order. With <paramref name="frozenWeights"/> (the weights' tensors, in that order) they are initializers.</summary>
    public static byte[] Emit(GraphProgram program, IReadOnlyList<OnnxArgument> arguments, int parameterCount,
        IReadOnlyList<Tensor>? frozenWeights, out OnnxInputSource[] data, out OnnxInputSource[] weights)
    {
        var emitter = new OnnxEmitter(program);
        GraphFunction main = program.Main;
        if (main.Parameters.Count != arguments.Count)
            throw new ArgumentException($"the twin takes {main.Parameters.Count} arguments, not {arguments.Count}");
        var frame = new Frame();
        var dataInputs = new List<OnnxInputSource>();
        var weightInputs = new List<(string name, OnnxArgument.TensorType type, OnnxInputSource source)>();
        for (int k = 0; k < arguments.Count; k++)
        {
            string name = main.Parameters[k].Name;
            OnnxArgument argument = arguments[k];
            OnnxTensor Input(string inputName, OnnxArgument.TensorType type, int element)
            {
                string input = "in_" + inputName;
                long?[] shape = type.Shape.Select(d => (long?)d).ToArray();
                if (k < parameterCount)
                {
                    emitter._graph.Input(input, type.DType, shape);
                    dataInputs.Add(new OnnxInputSource(k, element));
                }
                else weightInputs.Add((input, type, new OnnxInputSource(k, element)));
                return new OnnxTensor(input, type.DType, shape, isInput: true);
            }
            frame.Variables[name] = argument.Kind switch
            {
                TwinValueKind.Tensor => Input(name, argument.Tensors[0], -1),
                TwinValueKind.TensorList => new OnnxList(argument.Tensors.Select((t, e) => (OnnxValue)Input($"{name}_{e}", t, e)).ToList()),
                _ => new OnnxHost(argument.Value),
            };
        }
        // Weights after the data inputs, as OnnxWeightedSession binds them.
        for (int j = 0; j < weightInputs.Count; j++)
        {
            (string name, OnnxArgument.TensorType type, _) = weightInputs[j];
            if (frozenWeights is null) emitter._graph.Input(name, type.DType, type.Shape.Select(d => (long?)d).ToArray());
            else emitter._graph.Initializer(name, frozenWeights[j]);
        }
        OnnxValue result = emitter.Call(main, frame);
        foreach (OnnxValue value in Flatten(emitter.Current(result)))
        {
            if (emitter.Current(value) is not OnnxTensor tensor) throw new NoOnnxFormException($"a result that is not a tensor ({Describe(value)})");
            string name = emitter._graph.Node("Identity", new[] { tensor.Name });
            emitter._graph.Output(name, tensor.DType, tensor.Rank ?? -1);
        }
        data = dataInputs.ToArray();
        weights = weightInputs.Select(w => w.source).ToArray();
        return emitter._graph.ToModel();
    }

    private static IEnumerable<OnnxValue> Flatten(OnnxValue value) =>
        value is OnnxTuple tuple ? tuple.Items.SelectMany(Flatten) : new[] { value };

    private static string Describe(OnnxValue value) => value switch
    {
        OnnxHost { Value: null } => "None",
        OnnxHost host => host.Value.GetType().Name,
        OnnxList => "a list",
        OnnxTuple => "a tuple",
        _ => value.GetType().Name,
    };

    // ---- functions and statements ----------------------------------------------------------------------------------

    private sealed class Frame
    {
        public readonly Dictionary<string, OnnxValue> Variables = new(StringComparer.Ordinal);
        public OnnxValue? Result;
    }

    private enum Flow { Next, Break, Continue, Return }

    private OnnxValue Call(GraphFunction function, Frame frame)
    {
        if (++_depth > MaxDepth) throw new NoOnnxFormException("calls nested deeper than " + MaxDepth);
        try
        {
            Run(function.Body, frame);
            return frame.Result ?? OnnxValue.None;
        }
        finally
        {
            _depth--;
        }
    }

    private OnnxValue CallFunction(GraphFunction function, IReadOnlyList<OnnxValue> arguments)
    {
        if (arguments.Count != function.Parameters.Count)
            throw new NoOnnxFormException($"a call of {function.Name} with {arguments.Count} arguments");
        var frame = new Frame();
        for (int k = 0; k < arguments.Count; k++) frame.Variables[function.Parameters[k].Name] = arguments[k];
        return Call(function, frame);
    }

    private Flow Run(EquatableArray<GraphStatement> body, Frame frame)
    {
        foreach (GraphStatement statement in body)
        {
            Flow flow = Run(statement, frame);
            if (flow != Flow.Next) return flow;
        }
        return Flow.Next;
    }

    private Flow Run(GraphStatement statement, Frame frame)
    {
        switch (statement)
        {
            case GraphOrigin:
                return Flow.Next;
            case GraphAssign assign:
                Assign(assign.Target, Eval(assign.Value, frame), frame);
                return Flow.Next;
            case GraphEvaluate evaluate:
                Eval(evaluate.Value, frame);
                return Flow.Next;
            case GraphReturn ret:
                frame.Result = ret.Value is null ? OnnxValue.None : Eval(ret.Value, frame);
                return Flow.Return;
            case GraphIf branches:
                foreach (GraphBranch branch in branches.Branches)
                    if (Truth(Eval(branch.Condition, frame))) return Run(branch.Body, frame);
                return branches.Else is { } otherwise ? Run(otherwise, frame) : Flow.Next;
            case GraphWhile loop:
                while (Truth(Eval(loop.Condition, frame)))
                {
                    Step();
                    Flow flow = Run(loop.Body, frame);
                    if (flow == Flow.Break) break;
                    if (flow == Flow.Return) return flow;
                }
                return Flow.Next;
            case GraphForRange range:
            {
                long start = Int(Eval(range.Start, frame)), end = Int(Eval(range.End, frame));
                for (long i = start; range.Step > 0 ? i < end : i > end; i += range.Step)
                {
                    Step();
                    frame.Variables[range.Variable] = new OnnxHost(i);
                    Flow flow = Run(range.Body, frame);
                    if (flow == Flow.Break) break;
                    if (flow == Flow.Return) return flow;
                }
                return Flow.Next;
            }
            case GraphForEach each:
            {
                if (Eval(each.Items, frame) is not OnnxList list) throw new NoOnnxFormException("a foreach over something that is not a list");
                foreach (OnnxValue item in list.Items.Select(Current).ToArray())
                {
                    Step();
                    frame.Variables[each.Variable] = item;
                    Flow flow = Run(each.Body, frame);
                    if (flow == Flow.Break) break;
                    if (flow == Flow.Return) return flow;
                }
                return Flow.Next;
            }
            case GraphBreak:
                return Flow.Break;
            case GraphContinue:
                return Flow.Continue;
            case GraphRaise raise:
                // The eager body throws for this signature: the call fails on eager's route, with eager's exception.
                throw new NoOnnxFormException("the body throws for this signature: " + raise.Message);
            default:
                throw new NoOnnxFormException("the statement " + statement.GetType().Name);
        }
    }

    private void Step()
    {
        if (++_steps > MaxSteps) throw new NoOnnxFormException($"loops of more than {MaxSteps} iterations in all");
    }

    private void Assign(GraphExpr target, OnnxValue value, Frame frame)
    {
        switch (target)
        {
            case GraphName name:
                frame.Variables[name.Name] = value;
                return;
            case GraphTuple tuple:
                OnnxValue[] items = value switch
                {
                    OnnxTuple t => t.Items,
                    OnnxList l => l.Items.ToArray(),
                    _ => throw new NoOnnxFormException("a deconstruction of " + Describe(value)),
                };
                if (items.Length != tuple.Elements.Count) throw new NoOnnxFormException("a deconstruction of the wrong length");
                for (int k = 0; k < items.Length; k++) Assign(tuple.Elements[k], items[k], frame);
                return;
            case GraphIndex { Parts: { Count: 1 } parts } element when Eval(element.Target, frame) is OnnxList list && parts[0] is GraphIndexAt at:
                list.Items[ListIndex(list, Int(Eval(at.Index, frame)))] = value;
                return;
            default:
                throw new NoOnnxFormException("an assignment to " + target.GetType().Name);
        }
    }

    private static int ListIndex(OnnxList list, long index)
    {
        long k = index < 0 ? index + list.Items.Count : index;
        if (k < 0 || k >= list.Items.Count) throw new NoOnnxFormException("a list index out of range");
        return (int)k;
    }

    private static bool Truth(OnnxValue value) => value switch
    {
        OnnxHost { Value: bool b } => b,
        OnnxHost { Value: long l } => l != 0,
        OnnxHost { Value: double d } => d != 0,
        OnnxHost { Value: null } => false,
        OnnxTensor => throw new NoOnnxFormException("a condition on a tensor's values (the graph's control flow would depend on them)"),
        _ => throw new NoOnnxFormException("a condition on " + Describe(value)),
    };

    // ---- expressions -----------------------------------------------------------------------------------------------

    private OnnxValue Eval(GraphExpr expression, Frame frame)
    {
        switch (expression)
        {
            case GraphName name:
                return frame.Variables.TryGetValue(name.Name, out OnnxValue? value) ? Current(value)
                    : throw new NoOnnxFormException($"'{name.Name}' read before it is set");
            case GraphLiteral literal:
                return Literal(literal.Text);
            case GraphCall call:
                return Invoke(call, frame);
            case GraphMethodCall method:
                return Method(method, frame);
            case GraphAttribute attribute:
                return Attribute(Eval(attribute.Target, frame), attribute.Name);
            case GraphBinary binary:
                return Binary(binary, frame);
            case GraphUnary unary:
                return Unary(unary.Operator, Eval(unary.Operand, frame));
            case GraphConditional conditional:
                return Truth(Eval(conditional.Condition, frame)) ? Eval(conditional.WhenTrue, frame) : Eval(conditional.WhenFalse, frame);
            case GraphTuple tuple:
                return new OnnxTuple(tuple.Elements.Select(e => Eval(e, frame)).ToArray());
            case GraphList list:
                return new OnnxList(list.Elements.Select(e => Eval(e, frame)).ToList());
            case GraphIndex index:
                return Index(index, frame);
            case GraphFromEnd fromEnd:
                return new OnnxHost(-Int(Eval(fromEnd.Count, frame)));
            case GraphModuleOp module:
                return Module(module.Module, module.Names.Zip(module.Values, (n, v) => (n, v)).ToDictionary(p => p.n, p => Eval(p.v, frame), StringComparer.Ordinal));
            default:
                throw new NoOnnxFormException("the value " + expression.GetType().Name);
        }
    }

    /// <summary>A literal in TorchScript's spelling (the generator's ScriptLiterals).</summary>
    internal static OnnxValue Literal(string text)
    {
        switch (text)
        {
            case "None": return OnnxValue.None;
            case "True": return new OnnxHost(true);
            case "False": return new OnnxHost(false);
            case "[]": return new OnnxList(new List<OnnxValue>());
            case "float('nan')": return new OnnxHost(double.NaN);
            case "float('inf')": return new OnnxHost(double.PositiveInfinity);
            case "float('-inf')": return new OnnxHost(double.NegativeInfinity);
        }
        if (text.Length >= 2 && text[0] == '"') return new OnnxHost(text.Substring(1, text.Length - 2).Replace("\\n", "\n").Replace("\\\"", "\"").Replace("\\\\", "\\"));
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l)) return new OnnxHost(l);
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d)) return new OnnxHost(d);
        throw new NoOnnxFormException($"the literal {text}");
    }

    private OnnxValue Invoke(GraphCall call, Frame frame)
    {
        var positional = new List<OnnxValue>();
        var named = new Dictionary<string, OnnxValue>(StringComparer.Ordinal);
        foreach (GraphArgument argument in call.Arguments)
        {
            OnnxValue value = Eval(argument.Value, frame);
            if (argument.Keyword is null) positional.Add(value);
            else named[argument.Keyword] = value;
        }
        if (_functions.TryGetValue(call.Callee, out GraphFunction? function))
        {
            if (named.Count > 0) throw new NoOnnxFormException($"a call of {call.Callee} by keyword");
            return CallFunction(function, positional);
        }
        if (call.Callee.StartsWith("__hg_", StringComparison.Ordinal)) return RuntimeFunction(call.Callee, positional);
        if (HostBuiltin(call.Callee, positional) is { } host) return host;
        return Op(call.Callee, positional, named);
    }

    private OnnxValue Method(GraphMethodCall method, Frame frame)
    {
        OnnxValue target = Eval(method.Target, frame);
        OnnxValue[] arguments = method.Arguments.Select(a => Eval(a, frame)).ToArray();
        switch (method.Method, target)
        {
            case ("append", OnnxList list) when arguments.Length == 1:
                list.Items.Add(arguments[0]);
                return OnnxValue.None;
            case ("dim", OnnxTensor tensor):
                return new OnnxHost((long)(tensor.Rank ?? throw new NoOnnxFormException("dim() of a tensor whose rank is not known")));
            case ("numel", OnnxTensor tensor):
                return new OnnxHost(tensor.StaticShape().Aggregate(1L, (p, d) => p * d));
            case ("size", OnnxTensor tensor) when arguments.Length == 1:
                return Size(tensor, Int(arguments[0]));
            default:
                throw new NoOnnxFormException($"the method {method.Method} of {Describe(target)}");
        }
    }

    private OnnxValue Attribute(OnnxValue target, string name)
    {
        if (target is not OnnxTensor tensor) throw new NoOnnxFormException($"the attribute {name} of {Describe(target)}");
        switch (name)
        {
            case "shape":
                if (tensor.ShapeKnown) return new OnnxList(tensor.Shape!.Select(d => (OnnxValue)new OnnxHost(d!.Value)).ToList());
                return new OnnxShapeOf(tensor);
            case "requires_grad":
                return new OnnxHost(false); // the ONNX route serves calls that need no gradient
            default:
                throw new NoOnnxFormException($"the tensor attribute {name}");
        }
    }

    /// <summary>A dimension's size: a host number where the signature fixes it, else a size tensor.</summary>
    private OnnxValue Size(OnnxTensor tensor, long dim)
    {
        int rank = tensor.Rank ?? throw new NoOnnxFormException("a size of a tensor whose rank is not known");
        int d = Axis(dim, rank);
        if (tensor.Shape![d] is { } size) return new OnnxHost(size);
        string shape = _graph.Node("Shape", new[] { tensor.Name }, OnnxAttribute.Of("start", (long)d), OnnxAttribute.Of("end", (long)d + 1));
        return new OnnxTensor(shape, ScalarType.Int64, new long?[] { 1 }) { IsSize = true };
    }

    private OnnxValue Index(GraphIndex index, Frame frame)
    {
        OnnxValue target = Eval(index.Target, frame);
        switch (target)
        {
            case OnnxList list when index.Parts.Count == 1 && index.Parts[0] is GraphIndexAt at:
                return Current(list.Items[ListIndex(list, Int(Eval(at.Index, frame)))]);
            case OnnxTuple tuple when index.Parts.Count == 1 && index.Parts[0] is GraphIndexAt at:
                long k = Int(Eval(at.Index, frame));
                return tuple.Items[(int)(k < 0 ? k + tuple.Items.Length : k)];
            case OnnxShapeOf shape when index.Parts.Count == 1 && index.Parts[0] is GraphIndexAt at:
                return Size(shape.Tensor, Int(Eval(at.Index, frame)));
            case OnnxTensor tensor:
                return TensorIndex(tensor, index.Parts, frame);
            default:
                throw new NoOnnxFormException("an index into " + Describe(target));
        }
    }

    /// <summary>A tensor as it is now: the result of the in-place ops applied to it since it was read into a variable.</summary>
    private OnnxValue Current(OnnxValue value)
    {
        while (value is OnnxTensor tensor && _replacements.TryGetValue(tensor, out OnnxTensor? replaced)) value = replaced;
        return value;
    }

    // ---- host values -------------------------------------------------------------------------------------------------

    internal static long Int(OnnxValue value) => value switch
    {
        OnnxHost { Value: long l } => l,
        OnnxHost { Value: bool b } => b ? 1 : 0,
        OnnxTensor { IsSize: true } => throw new NoOnnxFormException("a size the signature does not fix, used as a number"),
        _ => throw new NoOnnxFormException("an int expected, not " + Describe(value)),
    };

    internal static double Float(OnnxValue value) => value switch
    {
        OnnxHost { Value: double d } => d,
        OnnxHost { Value: long l } => l,
        OnnxHost { Value: bool b } => b ? 1 : 0,
        _ => throw new NoOnnxFormException("a number expected, not " + Describe(value)),
    };

    private static bool IsNumber(OnnxValue value) => value is OnnxHost { Value: long or double or bool };

    private OnnxValue? HostBuiltin(string name, List<OnnxValue> a)
    {
        switch (name)
        {
            case "len" when a.Count == 1 && a[0] is OnnxList list: return new OnnxHost((long)list.Items.Count);
            case "len" when a.Count == 1 && a[0] is OnnxTuple tuple: return new OnnxHost((long)tuple.Items.Length);
            case "float" when a.Count == 1 && IsNumber(a[0]): return new OnnxHost(Float(a[0]));
            case "int" when a.Count == 1 && a[0] is OnnxHost { Value: double d }: return new OnnxHost((long)Math.Truncate(d));
            case "int" when a.Count == 1 && (IsNumber(a[0]) || a[0] is OnnxTensor { IsSize: true }): return a[0] is OnnxHost { Value: bool b } ? new OnnxHost(b ? 1L : 0L) : a[0];
            case "abs" when a.Count == 1 && a[0] is OnnxHost { Value: long l }: return new OnnxHost(Math.Abs(l));
            case "abs" when a.Count == 1 && IsNumber(a[0]): return new OnnxHost(Math.Abs(Float(a[0])));
            case "max" or "min" when a.Count == 2 && IsNumber(a[0]) && IsNumber(a[1]):
                bool max = name == "max";
                if (a[0] is OnnxHost { Value: long x } && a[1] is OnnxHost { Value: long y }) return new OnnxHost(max ? Math.Max(x, y) : Math.Min(x, y));
                return new OnnxHost(max ? Math.Max(Float(a[0]), Float(a[1])) : Math.Min(Float(a[0]), Float(a[1])));
            case "round" when a.Count == 1 && IsNumber(a[0]): return new OnnxHost(Math.Round(Float(a[0]), MidpointRounding.ToEven));
            case "torch.is_grad_enabled": return new OnnxHost(false);
            case "torch.device" when a.Count == 1 && a[0] is OnnxHost { Value: string device }: return new OnnxHost("device:" + device.Split(':')[0]);
            case "torch.set_grad_enabled": return OnnxValue.None;
        }
        // Math.Sqrt and friends on host numbers are spelled with torch's names (the TorchScript printer's choice).
        if (a.Count == 1 && IsNumber(a[0]) && name.StartsWith("torch.", StringComparison.Ordinal))
        {
            double v = Float(a[0]);
            double? r = name.Substring(6) switch
            {
                "sqrt" => Math.Sqrt(v), "exp" => Math.Exp(v), "log" => Math.Log(v), "tanh" => Math.Tanh(v),
                "sin" => Math.Sin(v), "cos" => Math.Cos(v), "tan" => Math.Tan(v), "asin" => Math.Asin(v),
                "acos" => Math.Acos(v), "atan" => Math.Atan(v), "log10" => Math.Log10(v), "sinh" => Math.Sinh(v),
                "cosh" => Math.Cosh(v), "floor" => Math.Floor(v), "ceil" => Math.Ceiling(v),
                _ => null,
            };
            if (r is { } result) return new OnnxHost(result);
        }
        return null;
    }

    private OnnxValue Binary(GraphBinary binary, Frame frame)
    {
        OnnxValue left = Eval(binary.Left, frame);
        // and/or evaluate their right side only where the left does not decide.
        if (binary.Operator is "and") return !Truth(left) ? new OnnxHost(false) : new OnnxHost(Truth(Eval(binary.Right, frame)));
        if (binary.Operator is "or") return Truth(left) ? new OnnxHost(true) : new OnnxHost(Truth(Eval(binary.Right, frame)));
        OnnxValue right = Eval(binary.Right, frame);
        if (left is OnnxTensor { IsSize: true } || right is OnnxTensor { IsSize: true }) return SizeArithmetic(binary.Operator, left, right);
        if (left is OnnxHost { Value: null } || right is OnnxHost { Value: null })
        {
            bool same = left is OnnxHost { Value: null } && right is OnnxHost { Value: null };
            return binary.Operator switch
            {
                "==" => new OnnxHost(same),
                "!=" => new OnnxHost(!same),
                _ => throw new NoOnnxFormException($"None {binary.Operator} a value"),
            };
        }
        if (!IsNumber(left) || !IsNumber(right)) throw new NoOnnxFormException($"the operator {binary.Operator} on {Describe(left)} and {Describe(right)}");
        bool ints = left is OnnxHost { Value: long or bool } && right is OnnxHost { Value: long or bool };
        if (ints)
        {
            long x = Int(left), y = Int(right);
            return binary.Operator switch
            {
                "+" => new OnnxHost(x + y), "-" => new OnnxHost(x - y), "*" => new OnnxHost(x * y),
                "/" => new OnnxHost((double)x / y), "**" => new OnnxHost(Math.Pow(x, y)),
                "&" => new OnnxHost(x & y), "|" => new OnnxHost(x | y), "^" => new OnnxHost(x ^ y),
                "<<" => new OnnxHost(x << (int)y), ">>" => new OnnxHost(x >> (int)y),
                "==" => new OnnxHost(x == y), "!=" => new OnnxHost(x != y), "<" => new OnnxHost(x < y),
                "<=" => new OnnxHost(x <= y), ">" => new OnnxHost(x > y), ">=" => new OnnxHost(x >= y),
                _ => throw new NoOnnxFormException($"the operator {binary.Operator} on ints"),
            };
        }
        double a = Float(left), b = Float(right);
        return binary.Operator switch
        {
            "+" => new OnnxHost(a + b), "-" => new OnnxHost(a - b), "*" => new OnnxHost(a * b), "/" => new OnnxHost(a / b),
            "**" => new OnnxHost(Math.Pow(a, b)),
            "==" => new OnnxHost(a == b), "!=" => new OnnxHost(a != b), "<" => new OnnxHost(a < b),
            "<=" => new OnnxHost(a <= b), ">" => new OnnxHost(a > b), ">=" => new OnnxHost(a >= b),
            _ => throw new NoOnnxFormException($"the operator {binary.Operator} on floats"),
        };
    }

    private static OnnxValue Unary(string op, OnnxValue operand) => (op, operand) switch
    {
        ("-", OnnxHost { Value: long l }) => new OnnxHost(-l),
        ("-", OnnxHost { Value: double d }) => new OnnxHost(-d),
        ("not", _) => new OnnxHost(!Truth(operand)),
        ("~", OnnxHost { Value: long l }) => new OnnxHost(~l),
        _ => throw new NoOnnxFormException($"the operator {op} on {Describe(operand)}"),
    };

    /// <summary>+ - * over sizes the graph computes (a reshape's target from a batch size it does not fix).</summary>
    private OnnxValue SizeArithmetic(string op, OnnxValue left, OnnxValue right)
    {
        string onnx = op switch
        {
            "+" => "Add",
            "-" => "Sub",
            "*" => "Mul",
            _ => throw new NoOnnxFormException($"the operator {op} on a size the signature does not fix"),
        };
        string SizeName(OnnxValue v) => v is OnnxTensor t ? t.Name : Constant(new[] { Int(v) });
        return new OnnxTensor(_graph.Node(onnx, new[] { SizeName(left), SizeName(right) }), ScalarType.Int64, new long?[] { 1 }) { IsSize = true };
    }

    internal static int Axis(long dim, int rank)
    {
        long d = dim < 0 ? dim + rank : dim;
        if (d < 0 || d >= Math.Max(rank, 1)) throw new NoOnnxFormException($"dimension {dim} of a rank-{rank} tensor");
        return (int)d;
    }
}
