using System.Globalization;
using System.Linq;
using System.Text;

namespace HybridGen.Graph;

/// <summary>
/// The TorchScript emitter: spells a twin's graph IR as the source the runtime compiles (four spaces an indent, the
/// C# origin of each statement as a comment above it, <c>pass</c> in a body with no code).
/// </summary>
internal static class TorchScriptPrinter
{
    public static string Print(GraphProgram program)
    {
        var text = new StringBuilder();
        foreach (string helper in TorchScriptHelpers.Sources(program.Runtime)) text.Append(helper).Append('\n');
        for (int k = 0; k < program.Functions.Count; k++)
        {
            text.Append(Print(program.Functions[k]));
            if (k < program.Functions.Count - 1) text.Append('\n');
        }
        return text.ToString();
    }

    public static string Print(GraphFunction function)
    {
        var text = new StringBuilder();
        text.Append("def ").Append(function.Name).Append('(')
            .Append(string.Join(", ", function.Parameters.Select(p => p.Name + ": " + p.Annotation)))
            .Append(") -> ").Append(function.Returns).Append(":\n");
        Block(text, function.Body, 1);
        return text.ToString();
    }

    private static void Block(StringBuilder text, EquatableArray<GraphStatement> body, int depth)
    {
        foreach (GraphStatement statement in body) Statement(text, statement, depth);
        if (body.All(s => s is GraphOrigin)) Line(text, depth, "pass"); // TorchScript needs a statement
    }

    private static void Line(StringBuilder text, int depth, string code) => text.Append(' ', depth * 4).Append(code).Append('\n');

    private static void Statement(StringBuilder text, GraphStatement statement, int depth)
    {
        switch (statement)
        {
            case GraphOrigin origin:
                Line(text, depth, "# " + Formats.TwinSourceFormat.Origin(origin.File, origin.Line, origin.Code));
                return;
            case GraphAssign assign:
                Line(text, depth, $"{Expr(assign.Target)}{(assign.Annotation is null ? "" : ": " + assign.Annotation)} = {Expr(assign.Value)}");
                return;
            case GraphEvaluate evaluate:
                Line(text, depth, Expr(evaluate.Value));
                return;
            case GraphReturn ret:
                Line(text, depth, ret.Value is null ? "return" : "return " + Expr(ret.Value));
                return;
            case GraphIf branches:
                for (int k = 0; k < branches.Branches.Count; k++)
                {
                    Line(text, depth, $"{(k == 0 ? "if" : "elif")} {Expr(branches.Branches[k].Condition)}:");
                    Block(text, branches.Branches[k].Body, depth + 1);
                }
                if (branches.Else is { } otherwise)
                {
                    Line(text, depth, "else:");
                    Block(text, otherwise, depth + 1);
                }
                return;
            case GraphWhile loop:
                Line(text, depth, $"while {Expr(loop.Condition)}:");
                Block(text, loop.Body, depth + 1);
                return;
            case GraphForRange range:
                Line(text, depth, $"for {range.Variable} in range({Expr(range.Start)}, {Expr(range.End)}, {range.Step.ToString(CultureInfo.InvariantCulture)}):");
                Block(text, range.Body, depth + 1);
                return;
            case GraphForEach each:
                Line(text, depth, $"for {each.Variable} in {Expr(each.Items)}:");
                Block(text, each.Body, depth + 1);
                return;
            case GraphBreak:
                Line(text, depth, "break");
                return;
            case GraphContinue:
                Line(text, depth, "continue");
                return;
            case GraphRaise raise:
                Line(text, depth, "assert False, " + Quote(raise.Message));
                return;
            default:
                throw new System.InvalidOperationException("no TorchScript spelling for " + statement.GetType().Name);
        }
    }

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    public static string Expr(GraphExpr value) => value switch
    {
        GraphName name => name.Name,
        GraphLiteral literal => literal.Text,
        GraphCall call => $"{call.Callee}({string.Join(", ", call.Arguments.Select(a => a.Keyword is null ? Expr(a.Value) : a.Keyword + "=" + Expr(a.Value)))})",
        GraphMethodCall method => $"{Expr(method.Target)}.{method.Method}({string.Join(", ", method.Arguments.Select(Expr))})",
        GraphAttribute attribute => $"{Expr(attribute.Target)}.{attribute.Name}",
        GraphBinary binary => binary.Parenthesized
            ? $"({Expr(binary.Left)} {binary.Operator} {Expr(binary.Right)})"
            : $"{Expr(binary.Left)} {binary.Operator} {Expr(binary.Right)}",
        GraphUnary { Operator: "not" } unary => $"(not {Expr(unary.Operand)})",
        GraphUnary unary => $"({unary.Operator}{Expr(unary.Operand)})",
        GraphConditional conditional => $"({Expr(conditional.WhenTrue)} if {Expr(conditional.Condition)} else {Expr(conditional.WhenFalse)})",
        GraphTuple { Parenthesized: false } tuple => string.Join(", ", tuple.Elements.Select(Expr)),
        GraphTuple tuple => "(" + string.Join(", ", tuple.Elements.Select(Expr)) + (tuple.Elements.Count == 1 ? ",)" : ")"),
        GraphList list => "[" + string.Join(", ", list.Elements.Select(Expr)) + "]",
        GraphIndex index => $"{Expr(index.Target)}[{string.Join(", ", index.Parts.Select(Part))}]",
        GraphFromEnd fromEnd => "-" + Expr(fromEnd.Count),
        GraphModuleOp module => module.Callee + "(" + string.Join(", ", module.Values.Select(Expr)) + ")",
        // Never compiled: a program with run-time submodules gets no build-time TorchScript twin (TwinBuilder).
        GraphSubmoduleCall call => "__hg_submodule_" + call.Slot.ToString(System.Globalization.CultureInfo.InvariantCulture) + "(" + string.Join(", ", call.Inputs.Select(Expr)) + ")",
        _ => throw new System.InvalidOperationException("no TorchScript spelling for " + value.GetType().Name),
    };

    private static string Part(GraphIndexPart part) => part switch
    {
        GraphIndexAt at => Expr(at.Index),
        GraphIndexSlice { Step: null } slice => $"{Optional(slice.Start)}:{Optional(slice.Stop)}",
        GraphIndexSlice slice => $"{Optional(slice.Start)}:{Optional(slice.Stop)}:{Expr(slice.Step)}",
        GraphIndexEllipsis => "...",
        GraphIndexNewAxis => "None",
        _ => throw new System.InvalidOperationException("no TorchScript spelling for " + part.GetType().Name),
    };

    private static string Optional(GraphExpr? value) => value is null ? "" : Expr(value);
}
