using System;
using HybridGen.Torch;

namespace HybridGen.Twins;

/// <summary>The TorchScript backend: the generator's source text, compiled by libtorch on first use.</summary>
public sealed class TorchScriptTwin : IGraphTwin
{
    private readonly object _gate = new();
    private readonly string _source;
    private readonly string _function;
    private CompilationUnit? _unit;
    private volatile ScriptFunction? _compiled;

    public TorchScriptTwin(string source, string function)
    {
        _source = source;
        _function = function;
    }

    public void Prepare()
    {
        if (_compiled is not null) return;
        lock (_gate)
        {
            if (_compiled is not null) return;
            _unit = torch.jit.compile(_source);
            _compiled = _unit[_function];
        }
    }

    public int Invoke(ReadOnlySpan<ScriptValue> arguments, Span<ScriptValue> results)
    {
        Prepare();
        return _compiled!.Invoke(arguments, results);
    }

    public CudaGraph Capture(ReadOnlySpan<ScriptValue> arguments)
    {
        Prepare();
        return _compiled!.CaptureCudaGraph(arguments);
    }
}
