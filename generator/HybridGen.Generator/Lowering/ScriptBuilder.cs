using System.Text;

namespace HybridGen.Generator.Lowering;

/// <summary>Writes TorchScript lines at the current indentation (four spaces a level).</summary>
internal sealed class ScriptBuilder
{
    private readonly StringBuilder _text = new();
    private int _depth;
    private int _codeLines;

    public void Line(string code)
    {
        _text.Append(' ', _depth * 4).Append(code).Append('\n');
        _codeLines++;
    }

    public void Comment(string text) => _text.Append(' ', _depth * 4).Append("# ").Append(text).Append('\n');

    /// <summary>Opens a block (after a line ending in ':'); pass what it returns to <see cref="Close"/>.</summary>
    public int Open()
    {
        _depth++;
        return _codeLines;
    }

    /// <summary>Closes a block, writing 'pass' if no code went into it (TorchScript needs a statement).</summary>
    public void Close(int codeLinesAtOpen)
    {
        if (_codeLines == codeLinesAtOpen) Line("pass");
        _depth--;
    }

    public override string ToString() => _text.ToString();
}
