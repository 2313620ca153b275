using System;
using System.Diagnostics;
using HybridGen.Dispatch;
using HybridGen.Torch;
using HybridGen.Twins;

namespace HybridGen;

/// <summary>Copies a call's arguments into the graph's argument slots.</summary>
public delegate void GraphArgumentWriter<TArgs>(in TArgs arguments, Span<ScriptValue> destination);

/// <summary>Builds the method's result from the graph's (flattened) results.</summary>
public delegate TResult GraphResultReader<TResult>(ReadOnlySpan<ScriptValue> results);

/// <summary>
/// The runtime side of one [Hybridize] method; the generated partial method calls <see cref="Invoke"/>.
/// Each call runs exactly one path, eager or the graph twin, chosen as <see cref="DispatchOptions"/> say.
/// </summary>
public sealed class HybridFunction<TArgs, TResult> : IHybridFunction
{
    private readonly Func<TArgs, TResult> _eager;
    private readonly GraphArgumentWriter<TArgs> _writeArguments;
    private readonly GraphResultReader<TResult> _readResult;
    private readonly int _argumentCount;
    private readonly int _resultCount;
    private readonly IGraphTwin _twin;
    private readonly Dispatcher _dispatcher;

    public HybridFunction(
        HybridMethodInfo info, Func<TArgs, TResult> eager, GraphArgumentWriter<TArgs> writeArguments,
        int argumentCount, GraphResultReader<TResult> readResult, int resultCount,
        DispatchOptions? options = null, IGraphTwin? twin = null)
    {
        Info = info ?? throw new ArgumentNullException(nameof(info));
        _eager = eager ?? throw new ArgumentNullException(nameof(eager));
        _writeArguments = writeArguments ?? throw new ArgumentNullException(nameof(writeArguments));
        _readResult = readResult ?? throw new ArgumentNullException(nameof(readResult));
        _argumentCount = argumentCount;
        _resultCount = resultCount;
        _twin = twin ?? new TorchScriptTwin(info.TwinSource, info.TwinFunction);
        _dispatcher = new Dispatcher(options ?? HybridRuntime.DefaultOptions);
        HybridRuntime.Register(this);
    }

    public HybridMethodInfo Info { get; }

    public DispatchMode Mode => _dispatcher.Options.Mode;

    public TResult Invoke(in TArgs arguments)
    {
        if (_dispatcher.TryGetSteady(out Route route))
        {
            _dispatcher.Count(route);
            return route == Route.Eager ? _eager(arguments) : InvokeGraphOrFallBack(arguments);
        }
        return InvokeProbing(arguments);
    }

    /// <summary>Runs the twin alone, whatever the mode (tests and benchmarks compare it with the eager body).</summary>
    public TResult InvokeGraph(in TArgs arguments)
    {
        var argv = new ScriptValue[_argumentCount];
        _writeArguments(arguments, argv);
        var results = new ScriptValue[_resultCount];
        int count;
        try
        {
            count = _twin.Invoke(argv, results);
        }
        catch (TorchException error)
        {
            throw TwinErrors.Map(error, Info);
        }
        if (count != _resultCount)
            throw new TorchException($"the graph twin of {Info.Name} returned {count} values, {_resultCount} expected");
        return _readResult(results);
    }

    /// <summary>Runs the eager body alone, whatever the mode.</summary>
    public TResult InvokeEager(in TArgs arguments) => _eager(arguments);

    private TResult InvokeGraphOrFallBack(in TArgs arguments)
    {
        if (_dispatcher.Options.Mode == DispatchMode.Graph) return InvokeGraph(arguments);
        try
        {
            return InvokeGraph(arguments);
        }
        catch (TorchException graphError)
        {
            // Eager decides what the caller sees: its exception if it fails too, else its result.
            TResult result = _eager(arguments);
            FallBack($"its graph twin failed where the eager body did not: {graphError.Message}");
            return result;
        }
    }

    private TResult InvokeProbing(in TArgs arguments)
    {
        lock (_dispatcher.Gate)
        {
            if (_dispatcher.TryGetSteady(out _)) return Invoke(arguments);
            try
            {
                _twin.Prepare();
            }
            catch (TorchException compileError)
            {
                FallBack($"its graph twin did not compile: {compileError.Message}");
                return Invoke(arguments);
            }
            ProbeStep step = _dispatcher.NextStep();
            _dispatcher.Count(step.Route);
            long start = Stopwatch.GetTimestamp();
            TResult result = step.Route == Route.Eager ? _eager(arguments) : InvokeGraphOrFallBack(arguments);
            long elapsed = Stopwatch.GetTimestamp() - start;
            if (!_dispatcher.TryGetSteady(out _)) _dispatcher.Record(step, elapsed);
            return result;
        }
    }

    private void FallBack(string reason)
    {
        _dispatcher.FallBack(reason);
        HybridRuntime.Warn($"{Info.Name} ({Info.Location}) now runs eager: {reason}");
    }

    HybridMethodReport IHybridFunction.Report()
    {
        var s = _dispatcher.Snapshot();
        return new HybridMethodReport(Info.Name, Info.Location, _dispatcher.Options.Mode, s.state,
            s.eagerMedian, s.graphMedian, s.eagerCalls, s.graphCalls, s.fallback);
    }
}

/// <summary>What the runtime's registry knows of every hybrid function, whatever its signature.</summary>
public interface IHybridFunction
{
    HybridMethodInfo Info { get; }
    internal HybridMethodReport Report();
}
