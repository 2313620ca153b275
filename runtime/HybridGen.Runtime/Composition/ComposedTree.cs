using System;
using System.Collections.Generic;
using HybridGen.Twins;
using static TorchSharp.torch;

namespace HybridGen.Composition;

/// <summary>
/// One live module tree composed into one program: the program's text (which twins share between instances of the
/// same structure), how each call reads the state inputs it added, and the per-call check that the tree is still the
/// one it was composed for (every run-time submodule and every Sequential's children, by reference: a reassigned
/// field, an appended layer or a swapped child is noticed before the call).
/// </summary>
internal sealed class ComposedTree
{
    private readonly StateBlock[] _blocks;
    private readonly TreeCheck[] _checks;

    private readonly TreeCheck[] _eagerWhen;

    public ComposedTree(string program, StateBlock[] blocks, int stateCount, TreeCheck[] checks, TreeCheck[]? eagerWhen = null)
    {
        Program = program;
        _blocks = blocks;
        StateCount = stateCount;
        _checks = checks;
        _eagerWhen = eagerWhen ?? Array.Empty<TreeCheck>();
    }

    /// <summary>Null where the composed twins can run this call, else why it runs eager (a native transformer in
    /// training mode whose dropout probability could not be measured): the tree stays composed.</summary>
    public string? EagerReason()
    {
        foreach (TreeCheck check in _eagerWhen)
            if (check.Misfit() is { } reason) return reason;
        return null;
    }

    /// <summary>The composed graph IR's text.</summary>
    public string Program { get; }

    /// <summary>How many state inputs the composition added after the hybridized module's own.</summary>
    public int StateCount { get; }

    /// <summary>Null while the live tree is the composed one, else what changed (with the module path).</summary>
    public string? Misfit()
    {
        foreach (TreeCheck check in _checks)
            if (check.Misfit() is { } reason) return reason;
        return null;
    }

    public void WriteStates(Span<TwinValue> values)
    {
        int at = 0;
        foreach (StateBlock block in _blocks)
        {
            block.Write(values.Slice(at, block.Count));
            at += block.Count;
        }
    }

    [ThreadStatic] private static Stack<TwinValue[]>? t_free;

    /// <summary>A buffer for one call's state values, read once and copied into its twin arguments (from which the
    /// dispatcher takes the signature); calls nest (a composed block's forward inside an eager body), so each takes its own.</summary>
    public TwinValue[] RentStates()
    {
        Stack<TwinValue[]> free = t_free ??= new Stack<TwinValue[]>();
        while (free.Count > 0)
        {
            TwinValue[] buffer = free.Pop();
            if (buffer.Length >= StateCount) return buffer;
        }
        return new TwinValue[Math.Max(StateCount, 16)];
    }

    /// <summary>Clears the buffer (it holds no tensor alive) and keeps it for this thread's next call.</summary>
    public void ReturnStates(TwinValue[] buffer)
    {
        Array.Clear(buffer, 0, StateCount);
        (t_free ??= new Stack<TwinValue[]>()).Push(buffer);
    }
}

/// <summary>Consecutive state inputs one reader gives: a catalog module's state entry, or a piece's own states.</summary>
internal sealed class StateBlock
{
    private readonly object _module;
    private readonly Func<object, TwinValue>? _reader;
    private readonly StateWriter? _writer;

    private StateBlock(object module, Func<object, TwinValue>? reader, StateWriter? writer, int count)
    {
        _module = module;
        _reader = reader;
        _writer = writer;
        Count = count;
    }

    public static StateBlock Of(object module, Func<object, TwinValue> reader) => new(module, reader, null, 1);

    public static StateBlock Of(object module, StateWriter writer, int count) => new(module, null, writer, count);

    public int Count { get; }

    public void Write(Span<TwinValue> values)
    {
        if (_reader is not null) values[0] = _reader(_module);
        else _writer!(_module, values);
    }
}

/// <summary>One part of a composed tree's per-call check.</summary>
internal abstract class TreeCheck
{
    public abstract string? Misfit();
}

/// <summary>A piece's run-time submodules are still the objects composed.</summary>
internal sealed class PieceCheck : TreeCheck
{
    private readonly IModulePiece _piece;
    private readonly object _owner;
    private readonly object?[] _expected;
    private readonly string _path;
    [ThreadStatic] private static object?[]? t_scratch;

    public PieceCheck(IModulePiece piece, object owner, object?[] expected, string path)
    {
        _piece = piece;
        _owner = owner;
        _expected = expected;
        _path = path;
    }

    public override string? Misfit()
    {
        object?[] live = t_scratch is { } known && known.Length >= _expected.Length ? known : t_scratch = new object?[Math.Max(_expected.Length, 8)];
        try
        {
            _piece.ReadModules(_owner, live.AsSpan(0, _expected.Length));
            for (int k = 0; k < _expected.Length; k++)
                if (!ReferenceEquals(live[k], _expected[k]))
                    return $"'{Path(k)}' was reassigned (now {Describe(live[k])}, composed for {Describe(_expected[k])})";
            return null;
        }
        finally
        {
            Array.Clear(live, 0, _expected.Length);
        }
    }

    private string Path(int slot) => _path.Length == 0 ? _piece.ModulePaths[slot] : _path + "." + _piece.ModulePaths[slot];

    internal static string Describe(object? module) => module is null ? "null" : "a " + module.GetType().Name;
}

/// <summary>The fixed part of a piece's module (the submodules its build-time tree holds) is still the one its piece
/// was built for: a reassigned field of a block is noticed as in the block's own twin.</summary>
internal sealed class FixedPartCheck : TreeCheck
{
    private readonly IModulePiece _piece;
    private readonly object _owner;
    private readonly string _path;

    public FixedPartCheck(IModulePiece piece, object owner, string path)
    {
        _piece = piece;
        _owner = owner;
        _path = path;
    }

    public override string? Misfit() => _piece.Misfit(_owner) is { } reason ? $"'{(_path.Length == 0 ? "this" : _path)}': {reason}" : null;
}

/// <summary>A Sequential still holds the children composed, in order.</summary>
internal sealed class SequenceCheck : TreeCheck
{
    private readonly TorchSharp.Modules.Sequential _sequence;
    private readonly object[] _children;
    private readonly string _path;

    public SequenceCheck(TorchSharp.Modules.Sequential sequence, object[] children, string path)
    {
        _sequence = sequence;
        _children = children;
        _path = path;
    }

    public override string? Misfit()
    {
        if (_sequence.Count != _children.Length) return $"'{_path}' now holds {_sequence.Count} modules (composed for {_children.Length})";
        for (int k = 0; k < _children.Length; k++)
            if (!ReferenceEquals(_sequence[k], _children[k])) return $"'{_path}[{k}]' was replaced (now {PieceCheck.Describe(_sequence[k])})";
        return null;
    }
}
