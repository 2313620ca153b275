using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;
using HybridGen.Dispatch;
using HybridGen.Graph;
using HybridGen.Twins;
using TorchSharp;

namespace HybridGen.Composition;

/// <summary>One call of a composed tree's function: the method's arguments and the tree they run on.</summary>
internal readonly struct ComposedCall<TArgs>
{
    public ComposedCall(TArgs arguments, TwinValue[] states)
    {
        Arguments = arguments;
        States = states;
    }

    public TArgs Arguments { get; }

    /// <summary>The values of the composed tree's state inputs, read once for this call (its first
    /// <see cref="ComposedTree.StateCount"/> entries).</summary>
    public TwinValue[] States { get; }
}

/// <summary>
/// The runtime side of a [Hybridize] module forward whose module tree only exists at run time (docs/modules.md,
/// "Trees composed at run time"; docs/architecture.md, decision 5). The generated partial method calls
/// <see cref="Invoke"/>. At the first call on a module instance it walks the live tree and composes one program from
/// the build's pieces (<see cref="ModuleComposer"/>), on a thread-pool thread in auto mode while the call runs eager.
/// Instances whose trees compose to the same program share one dispatcher (a
/// <see cref="HybridFunction{TArgs,TResult}"/> over the composed IR), which measures eager, TorchScript and ONNX
/// Runtime per signature as for any twin. The composed TorchScript is compiled in this process only after the twin
/// validator compiled it in a child process (<see cref="RunTimeValidation"/>); where it cannot be, calls under grad
/// run eager and grad-free calls keep ONNX Runtime. Before every call a check confirms the tree is still the composed
/// one; a changed tree is composed again, and the change is reported once with its module path. A tree that cannot
/// be composed runs eager, reported once with the path and the reason.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ComposedFunction<TArgs, TResult> : IModulePiece
{
    // A tree that failed to compose is tried again after this many calls (its objects may have been fixed since).
    private const int RetryAfter = 4096;

    private readonly Func<TArgs, TResult> _eager;
    private readonly GraphArgumentWriter<TArgs> _writeArguments;
    private readonly GraphResultReader<TResult> _readResult;
    private readonly Func<object, string?>? _checkModule;
    private readonly OwnerReader<TArgs> _ownerOf;
    private readonly ModuleReader _readModules;
    private readonly StateWriter _writeState;
    private readonly int _argumentCount, _resultCount, _parameterCount;
    private readonly DispatchOptions _options;
    private readonly ConditionalWeakTable<object, Instance> _instances = new();
    private readonly ConcurrentDictionary<string, HybridFunction<ComposedCall<TArgs>, TResult>> _functions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _reported = new(StringComparer.Ordinal);
    private GraphProgram? _program;

    public ComposedFunction(
        HybridMethodInfo info, Func<TArgs, TResult> eager, GraphArgumentWriter<TArgs> writeArguments,
        int argumentCount, GraphResultReader<TResult> readResult, int resultCount,
        DispatchOverrides? overrides = null, Func<object, string?>? checkModule = null,
        int parameterCount = -1, OwnerReader<TArgs>? ownerOf = null, ModuleReader? readModules = null, string[]? modulePaths = null,
        StateWriter? writeState = null)
    {
        Info = info ?? throw new ArgumentNullException(nameof(info));
        _eager = eager ?? throw new ArgumentNullException(nameof(eager));
        _writeArguments = writeArguments ?? throw new ArgumentNullException(nameof(writeArguments));
        _readResult = readResult ?? throw new ArgumentNullException(nameof(readResult));
        _ownerOf = ownerOf ?? throw new ArgumentNullException(nameof(ownerOf));
        _readModules = readModules ?? throw new ArgumentNullException(nameof(readModules));
        _writeState = writeState ?? throw new ArgumentNullException(nameof(writeState));
        ModulePaths = modulePaths ?? throw new ArgumentNullException(nameof(modulePaths));
        _checkModule = checkModule;
        _argumentCount = argumentCount;
        _resultCount = resultCount;
        _parameterCount = parameterCount < 0 ? argumentCount : parameterCount;
        _options = HybridRuntime.OptionsFor(info.Name, overrides);
        // The module type whose forward this is: the first of the call's arguments.
        ModulePieces.Register(typeof(TArgs).GenericTypeArguments[0], this);
    }

    public HybridMethodInfo Info { get; }

    GraphProgram IModulePiece.Program => _program ??= GraphText.Read(Info.TwinGraph ?? throw new InvalidOperationException("no graph IR"));

    int IModulePiece.ParameterCount => _parameterCount;

    int IModulePiece.StateCount => _argumentCount - _parameterCount;

    public string[] ModulePaths { get; }

    void IModulePiece.ReadModules(object owner, Span<object?> modules) => _readModules(owner, modules);

    void IModulePiece.WriteState(object owner, Span<TwinValue> values) => _writeState(owner, values);

    string? IModulePiece.Misfit(object owner) =>
        _options.Mode == DispatchMode.Eager ? "its forward is forced eager (its mode)" : _checkModule?.Invoke(owner);

    bool IModulePiece.HasFixedPart => _checkModule is not null || _options.Mode == DispatchMode.Eager;

    /// <summary>What runs a module instance's calls: its composed tree and the dispatcher of that tree's program, or
    /// why it cannot be composed.</summary>
    private sealed class Instance
    {
        // Replaced whole when the tree is composed again, so a call on another thread sees a tree and its function
        // together.
        public volatile Composed? Current;
        public volatile string? Failure;
        public volatile Func<bool>? RetryWhen;
        public int CallsSinceFailure;
        public int Composing;
    }

    private sealed record Composed(ComposedTree Tree, HybridFunction<ComposedCall<TArgs>, TResult> Function);

    public TResult Invoke(in TArgs arguments)
    {
        if (_options.Mode == DispatchMode.Eager) return InvokeEager(arguments);
        if (_checkModule is not null && _checkModule(_ownerOf(arguments)) is { } misfit)
        {
            ReportOnce("the module tree is not the one its piece was built for: " + misfit);
            return InvokeEager(arguments);
        }
        return Dispatch(arguments);
    }

    /// <summary>Runs the call when the fixed part of its module tree (a submodule its constructor picks by a
    /// condition) is the one this piece was built for: generated code tries the pieces of such a model in turn.</summary>
    public bool TryInvoke(in TArgs arguments, out TResult result)
    {
        if (_checkModule is not null && _checkModule(_ownerOf(arguments)) is not null)
        {
            result = default!;
            return false;
        }
        result = _options.Mode == DispatchMode.Eager ? InvokeEager(arguments) : Dispatch(arguments);
        return true;
    }

    private TResult Dispatch(in TArgs arguments)
    {
        object owner = _ownerOf(arguments);
        Instance instance = InstanceOf(owner, wait: false, out bool composeAfterCall);
        if (instance.Current is { } composed)
        {
            if (composed.Tree.EagerReason() is not { } why) return Run(composed, arguments, Alone.None);
            ReportOnce(why);
            return InvokeEager(arguments);
        }
        try
        {
            return InvokeEager(arguments);
        }
        finally
        {
            // The composition starts once this call has its result (or its exception), as a twin's compile does: on
            // a machine with few cores, a thread started before it competes with the call itself (and with
            // libtorch's intra-op threads).
            if (composeAfterCall) ComposeInBackground(instance, owner);
        }
    }

    // Which twin a call runs by itself (tests and benchmarks), or none: the dispatcher chooses.
    private enum Alone { None, Onnx, TorchScript }

    /// <summary>One call on a composed tree: its state read once, for the signature and the twin's arguments alike.</summary>
    private static TResult Run(Composed composed, in TArgs arguments, Alone alone)
    {
        ComposedTree tree = composed.Tree;
        TwinValue[] states = tree.RentStates();
        try
        {
            tree.WriteStates(states.AsSpan(0, tree.StateCount));
            var call = new ComposedCall<TArgs>(arguments, states);
            return alone switch
            {
                Alone.Onnx => composed.Function.InvokeOnnx(call),
                Alone.TorchScript => composed.Function.InvokeGraph(call),
                _ => composed.Function.Invoke(call),
            };
        }
        finally
        {
            tree.ReturnStates(states);
        }
    }

    /// <summary>The composed twin's dispatcher for this instance's live tree (tests and benchmarks force its routes).</summary>
    internal HybridFunction<ComposedCall<TArgs>, TResult>? FunctionFor(object owner) => InstanceOf(owner, wait: true, out _).Current?.Function;

    /// <summary>Runs the call's ONNX Runtime twin alone (tests compare it with the eager body): the tree composed for
    /// the call's module, then the model for its signature.</summary>
    public TResult InvokeOnnx(in TArgs arguments) => Run(ComposedFor(arguments), arguments, Alone.Onnx);

    /// <summary>Runs the call's TorchScript twin alone (tests compare it with the eager body, values and gradients):
    /// the tree composed for the call's module, its TorchScript validated in a child process first (waited for);
    /// a <see cref="TwinUnavailableException"/> says why where it cannot be compiled.</summary>
    public TResult InvokeGraph(in TArgs arguments) => Run(ComposedFor(arguments), arguments, Alone.TorchScript);

    private Composed ComposedFor(in TArgs arguments)
    {
        Instance instance = InstanceOf(_ownerOf(arguments), wait: true, out _);
        return instance.Current ?? throw new TwinUnavailableException($"{Info.Name} has no composed twin: {instance.Failure}");
    }

    /// <summary>Why the tree of <paramref name="owner"/> cannot be composed, or null where it is.</summary>
    public string? CompositionFailure(object owner) => InstanceOf(owner, wait: true, out _).Failure;

    /// <summary>Runs the eager body alone, freeing its intermediates when it returns.</summary>
    public TResult InvokeEager(in TArgs arguments) => EagerScope.Run(_eager, arguments);

    /// <summary>The instance's composed tree, composed first where it has none or its tree changed: on the caller's
    /// thread in forced modes and for callers that need the twin now (<paramref name="wait"/>); else the caller runs
    /// the call eager and then starts the composition on a thread-pool thread (<paramref name="composeAfterCall"/>),
    /// as while a twin compiles.</summary>
    private Instance InstanceOf(object owner, bool wait, out bool composeAfterCall)
    {
        composeAfterCall = false;
        Instance instance = _instances.GetValue(owner, static _ => new Instance());
        if (instance.Current is { } current)
        {
            if (current.Tree.Misfit() is not { } changed) return instance;
            ReportOnce($"the module tree changed after it was composed ({changed}): composed again");
            Interlocked.CompareExchange(ref instance.Current, null, current); // no call runs the old tree's program
        }
        else if (instance.Failure is not null && instance.RetryWhen?.Invoke() != true && Interlocked.Increment(ref instance.CallsSinceFailure) % RetryAfter != 0)
        {
            return instance;
        }
        if (wait || _options.Mode != DispatchMode.Auto || !_options.BackgroundCompile)
        {
            Compose(instance, owner);
        }
        else
        {
            composeAfterCall = Interlocked.Exchange(ref instance.Composing, 1) == 0;
        }
        return instance;
    }

    private void ComposeInBackground(Instance instance, object owner) => BackgroundCompiles.Run(() =>
    {
        try
        {
            Compose(instance, owner);
        }
        finally
        {
            Volatile.Write(ref instance.Composing, 0);
        }
    });

    private void Compose(Instance instance, object owner)
    {
        lock (instance)
        {
            if (instance.Current is { } again && again.Tree.Misfit() is null) return;
            try
            {
                ComposedTree tree = ModuleComposer.Compose(this, owner);
                instance.Current = new Composed(tree, _functions.GetOrAdd(tree.Program, program => NewFunction(program, tree)));
                instance.Failure = null;
                instance.RetryWhen = null;
            }
            catch (Exception error) when (error is CompositionException or FormatException or InvalidOperationException or KeyNotFoundException
                or System.Runtime.InteropServices.ExternalException)
            {
                // Past CompositionException: a piece's graph IR from another HybridGen version, libtorch refusing a
                // call the composition made, or a HybridGen bug.
                string why = error is CompositionException ? error.Message : $"{error.GetType().Name}: {error.Message} (rebuild with this HybridGen; if it persists, please report it)";
                instance.Current = null;
                instance.Failure = why;
                instance.RetryWhen = (error as CompositionException)?.RetryWhen;
                ReportOnce("its module tree cannot be composed, so it runs eager: " + why);
            }
        }
    }

    /// <summary>The dispatcher of one composed program: eager, TorchScript and ONNX Runtime per signature, the
    /// composed states read after the method's own arguments at every call.</summary>
    private HybridFunction<ComposedCall<TArgs>, TResult> NewFunction(string program, ComposedTree first)
    {
        int own = _argumentCount, states = first.StateCount;
        string name = $"{Info.Name} [composed tree {Formats.Fnv.Hex32(program)}]";
        string? torchScript = null, unprintable = null;
        try
        {
            torchScript = TorchScriptPrinter.Print(GraphText.Read(program));
        }
        catch (Exception error) when (error is InvalidOperationException or KeyNotFoundException or FormatException)
        {
            unprintable = "its composed program has no TorchScript spelling (a HybridGen bug; please report it): " + error.Message;
        }
        var info = new HybridMethodInfo(name, Info.Location, Info.TwinFunction, twinSource: torchScript ?? "", capturable: false, twinGraph: program);
        GraphArgumentWriter<ComposedCall<TArgs>> write = (in ComposedCall<TArgs> call, Span<TwinValue> values) =>
        {
            _writeArguments(call.Arguments, values.Slice(0, own));
            call.States.AsSpan(0, states).CopyTo(values.Slice(own, states));
        };
        return new HybridFunction<ComposedCall<TArgs>, TResult>(info, call => _eager(call.Arguments), write, own + states, _readResult, _resultCount,
            overrides: null, _options,
            torchScript is null ? new UnavailableTwin(unprintable!) : TorchScriptTwin.ValidatedAtRunTime(torchScript, Info.TwinFunction, name),
            checkTree: null, _parameterCount, torchScriptOptional: true);
    }

    /// <summary>A TorchScript route that cannot be built; the reason is reported where the route is asked for.</summary>
    private sealed class UnavailableTwin : IGraphTwin
    {
        private readonly string _reason;

        public UnavailableTwin(string reason) => _reason = reason;

        public void Prepare() => throw new TwinUnavailableException(_reason);

        public int Invoke(ReadOnlySpan<TwinValue> arguments, Span<TwinValue> results) => throw new TwinUnavailableException(_reason);

        public CapturedGraph Capture(ReadOnlySpan<TwinValue> arguments) => throw new TwinUnavailableException(_reason);
    }

    private void ReportOnce(string what)
    {
        if (_reported.TryAdd(what, 0)) HybridRuntime.Warn($"{Info.Name} ({Info.Location}): {what}", isWarning: true);
    }
}
