using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace HybridGen.Graph;

/// <summary>
/// The graph IR as text: the generator writes each twin's program into the generated code with <see cref="Write"/>,
/// and the runtime reads it back with <see cref="Read"/> (its ONNX emitter builds a model per input signature from
/// it). A prefix form: a node is <c>(tag item...)</c>, a list <c>[item...]</c>, a string <c>"..."</c> (escapes
/// <c>\\ \" \n</c>), an integer bare, a missing value <c>_</c>. Compact, and the same program always gives the same
/// text.
/// </summary>
internal static class GraphText
{
    public static string Write(GraphProgram program)
    {
        var text = new StringBuilder();
        Node(text, "program", () =>
        {
            List(text, program.Runtime, r => Atom(text, r));
            List(text, program.Functions, f => Function(text, f));
        });
        return text.ToString(1, text.Length - 1);
    }

    /// <summary>The program <paramref name="text"/> holds; <see cref="FormatException"/> where it is not one.</summary>
    public static GraphProgram Read(string text)
    {
        var reader = new Reader(text);
        object tree = reader.Item();
        reader.End();
        Item[] program = Expect(tree, "program", 2);
        return new GraphProgram(Strings(program[0]), ListOf(program[1], ReadFunction));
    }

    // ---- writing --------------------------------------------------------------------------------------------------

    // Every item writes a space before itself.
    private static void Node(StringBuilder text, string tag, Action items)
    {
        text.Append(" (").Append(tag);
        items();
        text.Append(')');
    }

    private static void List<T>(StringBuilder text, IEnumerable<T> items, Action<T> write)
    {
        text.Append(" [");
        foreach (T item in items) write(item);
        text.Append(']');
    }

    private static void Atom(StringBuilder text, string? value)
    {
        text.Append(' ');
        if (value is null)
        {
            text.Append('_');
            return;
        }
        text.Append('"');
        foreach (char c in value)
        {
            if (c == '\\' || c == '"') text.Append('\\').Append(c);
            else if (c == '\n') text.Append("\\n");
            else text.Append(c);
        }
        text.Append('"');
    }

    private static void Number(StringBuilder text, long value) => text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture));

    private static void Function(StringBuilder text, GraphFunction function) => Node(text, "def", () =>
    {
        Atom(text, function.Name);
        List(text, function.Parameters, p => Node(text, "p", () => { Atom(text, p.Name); Atom(text, p.Annotation); }));
        Atom(text, function.Returns);
        Body(text, function.Body);
    });

    private static void Body(StringBuilder text, EquatableArray<GraphStatement> body) => List(text, body, s => Statement(text, s));

    private static void Statement(StringBuilder text, GraphStatement statement)
    {
        switch (statement)
        {
            case GraphOrigin o: Node(text, "origin", () => { Atom(text, o.File); Number(text, o.Line); Atom(text, o.Code); }); return;
            case GraphAssign a: Node(text, "assign", () => { Expr(text, a.Target); Expr(text, a.Value); Atom(text, a.Annotation); }); return;
            case GraphEvaluate e: Node(text, "eval", () => Expr(text, e.Value)); return;
            case GraphReturn r: Node(text, "return", () => Expr(text, r.Value)); return;
            case GraphIf i:
                Node(text, "if", () =>
                {
                    List(text, i.Branches, b => Node(text, "branch", () => { Expr(text, b.Condition); Body(text, b.Body); }));
                    if (i.Else is { } otherwise) Body(text, otherwise);
                    else text.Append(" _");
                });
                return;
            case GraphWhile w: Node(text, "while", () => { Expr(text, w.Condition); Body(text, w.Body); }); return;
            case GraphForRange f: Node(text, "range", () => { Atom(text, f.Variable); Expr(text, f.Start); Expr(text, f.End); Number(text, f.Step); Body(text, f.Body); }); return;
            case GraphForEach f: Node(text, "foreach", () => { Atom(text, f.Variable); Expr(text, f.Items); Body(text, f.Body); }); return;
            case GraphBreak: Node(text, "break", () => { }); return;
            case GraphContinue: Node(text, "continue", () => { }); return;
            case GraphRaise r: Node(text, "raise", () => Atom(text, r.Message)); return;
            default: throw new InvalidOperationException("no text form for " + statement.GetType().Name);
        }
    }

    private static void Expr(StringBuilder text, GraphExpr? value)
    {
        switch (value)
        {
            case null: text.Append(" _"); return;
            case GraphName n: Node(text, "name", () => Atom(text, n.Name)); return;
            case GraphLiteral l: Node(text, "lit", () => Atom(text, l.Text)); return;
            case GraphCall c:
                Node(text, "call", () =>
                {
                    Atom(text, c.Callee);
                    // A positional argument is its value; one by keyword is (kw "name" value).
                    List(text, c.Arguments, a =>
                    {
                        if (a.Keyword is null) Expr(text, a.Value);
                        else Node(text, "kw", () => { Atom(text, a.Keyword); Expr(text, a.Value); });
                    });
                });
                return;
            case GraphMethodCall m: Node(text, "method", () => { Expr(text, m.Target); Atom(text, m.Method); List(text, m.Arguments, a => Expr(text, a)); }); return;
            case GraphAttribute a: Node(text, "attr", () => { Expr(text, a.Target); Atom(text, a.Name); }); return;
            case GraphBinary b: Node(text, "binary", () => { Atom(text, b.Operator); Expr(text, b.Left); Expr(text, b.Right); Number(text, b.Parenthesized ? 1 : 0); }); return;
            case GraphUnary u: Node(text, "unary", () => { Atom(text, u.Operator); Expr(text, u.Operand); }); return;
            case GraphConditional c: Node(text, "cond", () => { Expr(text, c.Condition); Expr(text, c.WhenTrue); Expr(text, c.WhenFalse); }); return;
            case GraphTuple t: Node(text, "tuple", () => { List(text, t.Elements, e => Expr(text, e)); Number(text, t.Parenthesized ? 1 : 0); }); return;
            case GraphList l: Node(text, "list", () => List(text, l.Elements, e => Expr(text, e))); return;
            case GraphIndex i: Node(text, "index", () => { Expr(text, i.Target); List(text, i.Parts, p => Part(text, p)); }); return;
            case GraphFromEnd f: Node(text, "fromend", () => Expr(text, f.Count)); return;
            case GraphModuleOp m:
                Node(text, "module", () =>
                {
                    Atom(text, m.Module);
                    Atom(text, m.Callee);
                    List(text, m.Names, n => Atom(text, n));
                    List(text, m.Values, v => Expr(text, v));
                });
                return;
            case GraphSubmoduleCall c:
                Node(text, "submodule", () => { Number(text, c.Slot); Atom(text, c.Path); Number(text, c.MustAllocate ? 1 : 0); List(text, c.Inputs, e => Expr(text, e)); });
                return;
            default: throw new InvalidOperationException("no text form for " + value.GetType().Name);
        }
    }

    private static void Part(StringBuilder text, GraphIndexPart part)
    {
        switch (part)
        {
            case GraphIndexAt at: Node(text, "at", () => Expr(text, at.Index)); return;
            case GraphIndexSlice s: Node(text, "slice", () => { Expr(text, s.Start); Expr(text, s.Stop); Expr(text, s.Step); }); return;
            case GraphIndexEllipsis: Node(text, "ellipsis", () => { }); return;
            case GraphIndexNewAxis: Node(text, "newaxis", () => { }); return;
            default: throw new InvalidOperationException("no text form for " + part.GetType().Name);
        }
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    /// <summary>A parsed item: a node (tag and items), a list, a string, a number or null.</summary>
    private sealed class Item
    {
        public string? Tag;
        public Item[]? Items;   // a node's items, or a list's
        public string? Text;
        public long? Number;
        public bool IsList;
    }

    private static GraphFunction ReadFunction(Item item)
    {
        Item[] f = Expect(item, "def", 4);
        return new GraphFunction(Str(f[0]), ListOf(f[1], p =>
        {
            Item[] parameter = Expect(p, "p", 2);
            return new GraphParameter(Str(parameter[0]), Str(parameter[1]));
        }), Str(f[2]), ReadBody(f[3]));
    }

    private static EquatableArray<GraphStatement> ReadBody(Item item) => ListOf(item, ReadStatement);

    private static GraphStatement ReadStatement(Item item)
    {
        Item[] a = item.Items ?? throw Bad("a statement");
        return item.Tag switch
        {
            "origin" => new GraphOrigin(Str(a[0]), (int)Num(a[1]), Str(a[2])),
            "assign" => new GraphAssign(ReadExpr(a[0]), ReadExpr(a[1]), OptionalStr(a[2])),
            "eval" => new GraphEvaluate(ReadExpr(a[0])),
            "return" => new GraphReturn(OptionalExpr(a[0])),
            "if" => new GraphIf(ListOf(a[0], b =>
            {
                Item[] branch = Expect(b, "branch", 2);
                return new GraphBranch(ReadExpr(branch[0]), ReadBody(branch[1]));
            }), a[1].IsList ? ReadBody(a[1]) : null),
            "while" => new GraphWhile(ReadExpr(a[0]), ReadBody(a[1])),
            "range" => new GraphForRange(Str(a[0]), ReadExpr(a[1]), ReadExpr(a[2]), Num(a[3]), ReadBody(a[4])),
            "foreach" => new GraphForEach(Str(a[0]), ReadExpr(a[1]), ReadBody(a[2])),
            "break" => new GraphBreak(),
            "continue" => new GraphContinue(),
            "raise" => new GraphRaise(Str(a[0])),
            _ => throw Bad($"a statement ('{item.Tag}')"),
        };
    }

    private static GraphExpr? OptionalExpr(Item item) => item.Tag is null && !item.IsList && item.Text is null && item.Number is null ? null : ReadExpr(item);

    private static GraphExpr ReadExpr(Item item)
    {
        Item[] a = item.Items ?? throw Bad("a value");
        return item.Tag switch
        {
            "name" => new GraphName(Str(a[0])),
            "lit" => new GraphLiteral(Str(a[0])),
            "call" => new GraphCall(Str(a[0]), ListOf(a[1], arg => arg.Tag == "kw"
                ? new GraphArgument(Str(Expect(arg, "kw", 2)[0]), ReadExpr(arg.Items![1]))
                : new GraphArgument(null, ReadExpr(arg)))),
            "method" => new GraphMethodCall(ReadExpr(a[0]), Str(a[1]), ListOf(a[2], ReadExpr)),
            "attr" => new GraphAttribute(ReadExpr(a[0]), Str(a[1])),
            "binary" => new GraphBinary(Str(a[0]), ReadExpr(a[1]), ReadExpr(a[2]), Num(a[3]) != 0),
            "unary" => new GraphUnary(Str(a[0]), ReadExpr(a[1])),
            "cond" => new GraphConditional(ReadExpr(a[0]), ReadExpr(a[1]), ReadExpr(a[2])),
            "tuple" => new GraphTuple(ListOf(a[0], ReadExpr), Num(a[1]) != 0),
            "list" => new GraphList(ListOf(a[0], ReadExpr)),
            "index" => new GraphIndex(ReadExpr(a[0]), ListOf(a[1], ReadPart)),
            "fromend" => new GraphFromEnd(ReadExpr(a[0])),
            "module" => new GraphModuleOp(Str(a[0]), Str(a[1]), Strings(a[2]), ListOf(a[3], ReadExpr)),
            "submodule" => new GraphSubmoduleCall((int)Num(a[0]), Str(a[1]), Num(a[2]) != 0, ListOf(a[3], ReadExpr)),
            _ => throw Bad($"a value ('{item.Tag}')"),
        };
    }

    private static GraphIndexPart ReadPart(Item item)
    {
        Item[] a = item.Items ?? throw Bad("an index part");
        return item.Tag switch
        {
            "at" => new GraphIndexAt(ReadExpr(a[0])),
            "slice" => new GraphIndexSlice(OptionalExpr(a[0]), OptionalExpr(a[1]), OptionalExpr(a[2])),
            "ellipsis" => new GraphIndexEllipsis(),
            "newaxis" => new GraphIndexNewAxis(),
            _ => throw Bad($"an index part ('{item.Tag}')"),
        };
    }

    private static Item[] Expect(object item, string tag, int count)
    {
        if (item is not Item { Tag: { } t, Items: { } items } || t != tag || items.Length != count) throw Bad($"'{tag}' with {count} items");
        return items;
    }

    private static EquatableArray<T> ListOf<T>(Item item, Func<Item, T> read) where T : IEquatable<T> =>
        item.IsList ? item.Items!.Select(read).ToEquatableArray() : throw Bad("a list");

    private static EquatableArray<string> Strings(Item item) => ListOf(item, Str);

    private static string Str(Item item) => item.Text ?? throw Bad("a string");

    private static string? OptionalStr(Item item) => item.Text;

    private static long Num(Item item) => item.Number ?? throw Bad("a number");

    private static FormatException Bad(string expected) => new("The twin's graph text is not valid: " + expected + " expected.");

    private sealed class Reader
    {
        private readonly string _text;
        private int _at;

        public Reader(string text) => _text = text;

        public void End()
        {
            Skip();
            if (_at != _text.Length) throw Bad("the end");
        }

        private void Skip()
        {
            while (_at < _text.Length && _text[_at] == ' ') _at++;
        }

        public Item Item()
        {
            Skip();
            if (_at >= _text.Length) throw Bad("an item");
            char c = _text[_at];
            if (c == '(')
            {
                _at++;
                int start = _at;
                while (_at < _text.Length && _text[_at] is not (' ' or ')' or '(' or '[')) _at++;
                string tag = _text.Substring(start, _at - start);
                return new Item { Tag = tag, Items = Items(')') };
            }
            if (c == '[')
            {
                _at++;
                return new Item { IsList = true, Items = Items(']') };
            }
            if (c == '_')
            {
                _at++;
                return new Item();
            }
            if (c == '"') return new Item { Text = QuotedString() };
            int begin = _at;
            if (c == '-') _at++;
            while (_at < _text.Length && char.IsDigit(_text[_at])) _at++;
            if (!long.TryParse(_text.Substring(begin, _at - begin), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long number))
                throw Bad("an item");
            return new Item { Number = number };
        }

        private Item[] Items(char close)
        {
            var items = new List<Item>();
            while (true)
            {
                Skip();
                if (_at >= _text.Length) throw Bad($"'{close}'");
                if (_text[_at] == close)
                {
                    _at++;
                    return items.ToArray();
                }
                items.Add(Item());
            }
        }

        private string QuotedString()
        {
            var value = new StringBuilder();
            _at++;
            while (_at < _text.Length)
            {
                char c = _text[_at++];
                if (c == '"') return value.ToString();
                if (c != '\\') { value.Append(c); continue; }
                if (_at >= _text.Length) break;
                char escaped = _text[_at++];
                value.Append(escaped == 'n' ? '\n' : escaped);
            }
            throw Bad("the end of a string");
        }
    }
}
