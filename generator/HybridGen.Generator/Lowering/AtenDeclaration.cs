using System.Collections.Generic;
using System.Text;

namespace HybridGen.Generator.Lowering;

/// <summary>
/// A parsed op spelling of the catalog (Catalog/OpRow.cs): either a bare schema name, whose arguments are the
/// method's receiver and parameters in order, or a call expression over schema names, parameter names, literals and
/// <c>if(flag, a, b)</c>.
/// </summary>
internal abstract class AtenNode { }

internal sealed class AtenParameter : AtenNode
{
    public AtenParameter(string name) => Name = name;
    public string Name { get; }
}

/// <summary><c>if(flag, a, b)</c>: <c>a</c> where the C# argument <c>flag</c> is true, else <c>b</c> (TorchScript's
/// conditional expression, so only the chosen op runs), e.g. <c>if(inplace, aten::relu_(x), aten::relu(x))</c>.</summary>
internal sealed class AtenConditional : AtenNode
{
    public AtenConditional(AtenNode condition, AtenNode whenTrue, AtenNode whenFalse)
    {
        Condition = condition;
        WhenTrue = whenTrue;
        WhenFalse = whenFalse;
    }

    public AtenNode Condition { get; }
    public AtenNode WhenTrue { get; }
    public AtenNode WhenFalse { get; }
}

/// <summary>A literal written in the declaration (a number, True, False, None or a quoted string), spelled as is.</summary>
internal sealed class AtenLiteral : AtenNode
{
    public AtenLiteral(string text) => Text = text;
    public string Text { get; }
}

internal sealed class AtenCall : AtenNode
{
    public AtenCall(string schema, IReadOnlyList<AtenArgument>? arguments)
    {
        Schema = schema;
        Arguments = arguments;
    }

    public string Schema { get; }

    /// <summary>Null for the bare form (the method's own parameters, in order).</summary>
    public IReadOnlyList<AtenArgument>? Arguments { get; }

    /// <summary>The TorchScript spelling of the operator: <c>aten::add.Tensor</c> is <c>torch.add</c>
    /// (TorchScript picks the overload from the argument types, as the boxed eager call names it).</summary>
    public string ScriptName
    {
        get
        {
            string name = Schema.Substring("aten::".Length);
            int dot = name.IndexOf('.');
            return "torch." + (dot < 0 ? name : name.Substring(0, dot));
        }
    }
}

internal sealed class AtenArgument
{
    public AtenArgument(string? keyword, AtenNode value)
    {
        Keyword = keyword;
        Value = value;
    }

    public string? Keyword { get; }
    public AtenNode Value { get; }
}

internal static class AtenDeclarationParser
{
    /// <summary>Parses a declaration, or returns null with <paramref name="error"/> saying what is wrong.</summary>
    public static AtenNode? Parse(string text, out string? error)
    {
        var parser = new Parser(text);
        AtenNode? node = parser.ParseNode();
        if (parser.Error is null && !parser.AtEnd) parser.Fail("unexpected text after the declaration");
        error = parser.Error;
        if (error is not null) return null;
        if (node is AtenCall or AtenConditional) return node;
        error = "a spelling must name an aten:: operator";
        return null;
    }

    private sealed class Parser
    {
        private readonly string _text;
        private int _pos;

        public Parser(string text) => _text = text;
        public string? Error { get; private set; }
        public bool AtEnd { get { SkipSpace(); return _pos >= _text.Length; } }

        public void Fail(string message) => Error ??= $"{message} at offset {_pos} of \"{_text}\"";

        public AtenNode? ParseNode()
        {
            if (Literal() is { } literal) return literal;
            string? name = Identifier();
            if (name is null) { Fail("expected a name"); return null; }
            if (name == "if" && TryConsume("("))
            {
                AtenNode? condition = ParseNode();
                AtenNode? whenTrue = condition is not null && TryConsume(",") ? ParseNode() : null;
                AtenNode? whenFalse = whenTrue is not null && TryConsume(",") ? ParseNode() : null;
                if (whenFalse is null || !TryConsume(")")) { Fail("expected if(flag, a, b)"); return null; }
                return new AtenConditional(condition!, whenTrue!, whenFalse);
            }
            if (!TryConsume("::")) return new AtenParameter(name);
            if (name != "aten") { Fail("only aten:: operators can be declared"); return null; }
            string? op = Identifier();
            if (op is null) { Fail("expected an operator name"); return null; }
            string schema = "aten::" + op;
            if (TryConsume(".")) schema += "." + Identifier();
            if (!TryConsume("(")) return new AtenCall(schema, null);
            var arguments = new List<AtenArgument>();
            if (TryConsume(")")) return new AtenCall(schema, arguments);
            do
            {
                int start = _pos;
                string? keyword = Identifier();
                if (keyword is null || !TryConsume("=")) { _pos = start; keyword = null; }
                AtenNode? value = ParseNode();
                if (value is null) return null;
                arguments.Add(new AtenArgument(keyword, value));
            } while (TryConsume(","));
            if (!TryConsume(")")) { Fail("expected ')'"); return null; }
            return new AtenCall(schema, arguments);
        }

        private AtenLiteral? Literal()
        {
            SkipSpace();
            int start = _pos;
            if (_pos < _text.Length && _text[_pos] == '"')
            {
                int end = _text.IndexOf('"', _pos + 1);
                if (end < 0) { Fail("unterminated string"); return null; }
                _pos = end + 1;
                return new AtenLiteral(_text.Substring(start, _pos - start));
            }
            while (_pos < _text.Length && (char.IsDigit(_text[_pos]) || (_pos == start && _text[_pos] == '-') || (_pos > start && (_text[_pos] == '.' || _text[_pos] == 'e'))))
                _pos++;
            if (_pos > start && char.IsDigit(_text[_pos - 1])) return new AtenLiteral(_text.Substring(start, _pos - start));
            _pos = start;
            foreach (string word in new[] { "True", "False", "None" })
            {
                if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) == 0 &&
                    (_pos + word.Length == _text.Length || !char.IsLetterOrDigit(_text[_pos + word.Length])))
                {
                    _pos += word.Length;
                    return new AtenLiteral(word);
                }
            }
            return null;
        }

        private string? Identifier()
        {
            SkipSpace();
            var name = new StringBuilder();
            while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] == '_'))
                name.Append(_text[_pos++]);
            return name.Length > 0 && !char.IsDigit(name[0]) ? name.ToString() : null;
        }

        private bool TryConsume(string token)
        {
            SkipSpace();
            if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) != 0) return false;
            _pos += token.Length;
            return true;
        }

        private void SkipSpace()
        {
            while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos])) _pos++;
        }
    }
}
