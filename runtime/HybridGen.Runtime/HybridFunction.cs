using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using HybridGen.Dispatch;
using System.Runtime.InteropServices;
using System.Threading;
using HybridGen.Twins;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen;

/// <summary>Copies a call's arguments into the graph's argument slots.</summary>
public delegate void GraphArgumentWriter<TArgs>(in TArgs arguments, Span<TwinValue> destination);

/// <summary>Confirms the module tree a twin was built for: null when it holds, else the reason (ModuleTree).</summary>
public delegate string? TreeCheck<TArgs>(in TArgs arguments);

/// <summary>Builds the method's result from the graph's (flattened) results.</summary>
public delegate TResult GraphResultReader<TResult>(ReadOnlySpan<TwinValue> results);

/// <summary>
/// The runtime side of one [Hybridize] method; the generated partial method calls <see cref="Invoke"/>. Each call
/// runs exactly one path, eager or the graph twin, chosen per input signature (dtype, device, shape and
/// requires_grad of every tensor it reads) by measuring both; see <see cref="SignatureState"/>.
/// </summary>
public sealed class HybridFunction<TArgs, TResult> : IHybridFunction
{
    private readonly Func<TArgs, TResult> _eager;
    private readonly GraphArgumentWriter<TArgs> _writeArguments;
    private readonly GraphResultReader<TResult> _readResult;
    private readonly TreeCheck<TArgs>? _checkTree;
    // The graph arguments that are the method's parameters; the rest are fields and submodule state.
    private readonly int _parameterCount;
    private readonly int _argumentCount;
    private readonly int _resultCount;
    private readonly IGraphTwin _twin;
    private readonly MethodDispatch _dispatch;
    private string? _brokenTwin;
    // A captured CUDA graph is a candidate only for capturable twins (HG0204 absent) where CUDA graphs exist;
    // scalars are then part of the signature, since a capture bakes them in. The backend is optional native code
    // (docs/cuda.md): without it this is false.
    private readonly bool _captureAllowed;
    // The TorchScript twin is one route among others (a module tree composed at run time, whose TorchScript is
    // validated at run time): where it cannot be compiled, signatures drop that route and keep ONNX Runtime's.
    private readonly bool _torchScriptOptional;
    // Whether the ONNX Runtime route may serve some calls (auto or onnx mode, a graph IR to emit from): only then is
    // a call's specialization key taken with its signature.
    private readonly bool _onnxOffered;

    public HybridFunction(
        HybridMethodInfo info, Func<TArgs, TResult> eager, GraphArgumentWriter<TArgs> writeArguments,
        int argumentCount, GraphResultReader<TResult> readResult, int resultCount,
        DispatchOverrides? overrides = null,
        DispatchOptions? options = null, IGraphTwin? twin = null, TreeCheck<TArgs>? checkTree = null, int parameterCount = -1)
        : this(info, eager, writeArguments, argumentCount, readResult, resultCount, overrides, options, twin, checkTree, parameterCount, torchScriptOptional: false)
    {
        // A module forward whose tree the build saw whole can also be a block of a tree composed at run time.
        Composition.FixedTreePiece<TArgs, TResult>.RegisterIfPiece(this, writeArguments, checkTree, argumentCount, _parameterCount);
    }

    /// <summary>A function whose TorchScript twin is optional (<paramref name="torchScriptOptional"/>: a module tree
    /// composed at run time, Composition/ComposedFunction): where <paramref name="twin"/> cannot be compiled, each
    /// signature drops the TorchScript route, says why, and keeps eager and ONNX Runtime.</summary>
    internal HybridFunction(
        HybridMethodInfo info, Func<TArgs, TResult> eager, GraphArgumentWriter<TArgs> writeArguments,
        int argumentCount, GraphResultReader<TResult> readResult, int resultCount,
        DispatchOverrides? overrides,
        DispatchOptions? options, IGraphTwin? twin, TreeCheck<TArgs>? checkTree, int parameterCount, bool torchScriptOptional)
    {
        _torchScriptOptional = torchScriptOptional;
        _checkTree = checkTree;
        _parameterCount = parameterCount < 0 ? argumentCount : parameterCount;
        Info = info ?? throw new ArgumentNullException(nameof(info));
        _eager = eager ?? throw new ArgumentNullException(nameof(eager));
        _writeArguments = writeArguments ?? throw new ArgumentNullException(nameof(writeArguments));
        _readResult = readResult ?? throw new ArgumentNullException(nameof(readResult));
        _argumentCount = argumentCount;
        _resultCount = resultCount;
        _twin = twin ?? new TorchScriptTwin(info.TwinSource, info.TwinFunction, eager.Method.Module.Assembly);
        _dispatch = new MethodDispatch(info, options ?? HybridRuntime.OptionsFor(info.Name, overrides));
        _captureAllowed = info.Capturable && _dispatch.Options.Mode == DispatchMode.Auto && HybridRuntime.CudaGraphsAvailable;
        _onnxOffered = _dispatch.Options.Mode is DispatchMode.Auto or DispatchMode.Onnx && info.TwinGraph is not null;
        if (_dispatch.Options.Mode != DispatchMode.Eager) Native.TensorFields.Calibration.Start();
        HybridRuntime.Register(this);
    }

    public HybridMethodInfo Info { get; }

    public DispatchMode Mode => _dispatch.Options.Mode;

    public DispatchOptions Options => _dispatch.Options;

    /// <summary>Whether the call's module tree is the one this twin was built for (always, for a fixed tree);
    /// generated code picks among the twins of a model whose constructor picks submodules by a condition.</summary>
    public bool Fits(in TArgs arguments) => _checkTree is null || _checkTree(arguments) is null;

    /// <summary>Runs the call when its module tree is the one this twin was built for: generated code tries the
    /// twins of a model with several trees in turn, so each tree is checked once, not again to run the call.</summary>
    public bool TryInvoke(in TArgs arguments, out TResult result)
    {
        if (!Fits(arguments))
        {
            result = default!;
            return false;
        }
        result = Dispatch(arguments);
        return true;
    }

    public TResult Invoke(in TArgs arguments)
    {
        if (_dispatch.Options.Mode != DispatchMode.Eager && _checkTree is not null && _checkTree(arguments) is { } misfit)
            return Misfit(misfit, arguments);
        return Dispatch(arguments);
    }

    /// <summary>One call whose module tree was confirmed (or does not matter: forced eager). The twin's arguments
    /// (the call's parameters, then every field and submodule state the twin reads) are read once, into this thread's
    /// buffer: the signature is taken from them, and a twin route passes them on as they are. Reading a model's state
    /// twice, once for the key and once for the twin, cost up to a microsecond a call (measured: ResNet blocks, an
    /// embedding model's native weight getters), a fifth of the smallest ONNX Runtime calls.</summary>
    private TResult Dispatch(in TArgs arguments)
    {
        if (OnnxExport.Waiting)
        {
            // OnnxExport.Save: this call's ONNX model with the current weights; the call itself runs eager.
            TArgs args = arguments;
            OnnxExport.Offer(Info.Name, () => ExportModel(args));
            return InvokeEager(arguments);
        }
        if (_dispatch.Options.Mode == DispatchMode.Eager)
        {
            _dispatch.Get(0, false, static () => "(all calls, forced eager)").Count(Route.Eager);
            return InvokeEager(arguments);
        }
        TwinValue[] argv = TwinBuffers.Arguments(_argumentCount);
        try
        {
            Span<TwinValue> written = argv.AsSpan(0, _argumentCount);
            try
            {
                _writeArguments(arguments, written);
            }
            catch (Exception error) when (error is ArgumentNullException or NullReferenceException)
            {
                // A value no twin can take (a weight or a submodule set to null): the eager body decides what the
                // caller sees, its exception or its result. Anything else a writer throws is a bug, and surfaces.
                Array.Clear(argv, 0, _argumentCount);
                return Unwritable(error, arguments);
            }
            SignatureState state = SignatureOf(written, out ulong specialization);
            var call = new WrittenCall(argv, specialization);
            if (state.TryGetSteady(out Route route))
            {
                TResult result = Run(route, state, arguments, call, out Route ran);
                state.CountSteady(ran);
                return result;
            }
            return Probe(state, arguments, call);
        }
        finally
        {
            Array.Clear(argv, 0, _argumentCount); // holds no caller's tensor between calls
        }
    }

    /// <summary>Runs the call on <paramref name="route"/>, or on eager where that route cannot take it;
    /// <paramref name="ran"/> says which ran, since the report counts a graph call only where a twin gave the result.
    /// <paramref name="call"/> holds the call's twin arguments (this thread's buffer): an eager call clears them
    /// first, since hybridized calls inside the eager body write their own arguments into the same buffer.</summary>
    private TResult Run(Route route, SignatureState state, in TArgs arguments, WrittenCall call, out Route ran)
    {
        ran = route;
        switch (route)
        {
            case Route.Onnx: return OnnxOrFallBack(state, arguments, call, out ran);
            case Route.Graph: return GraphOrFallBack(state, arguments, call.Arguments, out ran);
            case Route.Captured: return CapturedOrFallBack(state, arguments, call.Arguments, out ran);
            default: return EagerInstead(call.Arguments, arguments);
        }
    }

    /// <summary>A call's twin arguments, written into this thread's buffer, and their ONNX specialization key
    /// (without the thread count), taken in the same pass as the signature.</summary>
    private readonly record struct WrittenCall(TwinValue[] Arguments, ulong RawSpecialization);

    /// <summary>Runs the call's ONNX model. In auto mode, a specialization whose model is still being built off the
    /// caller's thread runs eager meanwhile; one with no ONNX form, or an ONNX Runtime failure, drops the route for
    /// the signature (the report says why) and the call runs eager. In forced onnx mode the model is built on the
    /// caller's thread, a call with no ONNX form runs eager (reported once) and ONNX Runtime's errors reach the caller.</summary>
    private TResult OnnxOrFallBack(SignatureState state, in TArgs arguments, WrittenCall call, out Route ran)
    {
        TwinValue[] argv = call.Arguments;
        ran = Route.Eager;
        bool forced = _dispatch.Options.Mode == DispatchMode.Onnx;
        Twins.Onnx.OnnxTwin? onnx = OnnxTwin;
        if (state.OnnxNote is { } blocked && (forced || !state.OnnxAllowed))
        {
            if (forced) FallBack(state, "the ONNX Runtime route cannot serve it: " + blocked);
            return EagerInstead(argv, arguments);
        }
        if (onnx is null)
        {
            NoOnnx(state, _onnxUnavailable ?? "no ONNX form", forced);
            return EagerInstead(argv, arguments);
        }
        Span<TwinValue> args = argv.AsSpan(0, _argumentCount);
        ulong key = SignatureBuilder.WithThreads(call.RawSpecialization);
        switch (onnx.Ensure(args, background: !forced, out string? reason, out Twins.Onnx.OnnxTwin.Specialization? ready, key))
        {
            case Twins.Onnx.OnnxReadiness.Building:
                return EagerInstead(argv, arguments);
            case Twins.Onnx.OnnxReadiness.NoForm:
                NoOnnx(state, reason!, forced);
                return EagerInstead(argv, arguments);
        }
        TwinValue[] results = TwinBuffers.Results(_resultCount);
        try
        {
            Span<TwinValue> outs = results.AsSpan(0, _resultCount);
            int count;
            try
            {
                count = onnx.Invoke(ready!, args, outs);
                t_onnxSettling = ready!.Session is { Settled: false };
            }
            catch (ExternalException error) when (!forced)
            {
                NoOnnx(state, "ONNX Runtime failed: " + error.Message, forced);
                return EagerInstead(argv, arguments);
            }
            ran = Route.Onnx;
            return Results(outs, count, "ONNX twin");
        }
        finally
        {
            Array.Clear(results, 0, _resultCount);
        }
    }

    /// <summary>The call runs eager after all: the twin arguments written for it are cleared first (the eager
    /// body's own hybridized calls use this thread's buffer).</summary>
    private TResult EagerInstead(TwinValue[] argv, in TArgs arguments)
    {
        Array.Clear(argv, 0, _argumentCount);
        return InvokeEager(arguments);
    }

    /// <summary>Starts building the ONNX model of this call's specialization on a thread-pool thread, once per
    /// signature, after the call's result: what is left on the caller's thread is describing the arguments (shapes,
    /// dtypes, numbers); reading the graph text and emitting the model are not on any call's path.</summary>
    private void StartOnnxBuild(SignatureState state, in TArgs arguments)
    {
        if (!state.TryStartOnnxBuild()) return;
        TwinValue[] argv = TwinBuffers.Arguments(_argumentCount);
        ulong key;
        Twins.Onnx.OnnxArgument[] described;
        try
        {
            Span<TwinValue> args = argv.AsSpan(0, _argumentCount);
            _writeArguments(arguments, args);
            key = Twins.Onnx.OnnxArgument.KeyOf(args);
            described = Twins.Onnx.OnnxArgument.Of(args);
        }
        catch (Twins.Onnx.NoOnnxFormException unsupported)
        {
            state.DisableOnnx(unsupported.Message);
            return;
        }
        finally
        {
            Array.Clear(argv, 0, _argumentCount);
        }
        Twins.BackgroundCompiles.Run(() =>
        {
            string? reason = OnnxTwin is { } onnx ? onnx.Prepare(key, described) : _onnxUnavailable ?? "no ONNX form";
            if (reason is not null) state.DisableOnnx(reason);
        });
    }

    private void NoOnnx(SignatureState state, string reason, bool forced)
    {
        if (forced) FallBack(state, "the ONNX Runtime route cannot serve it: " + reason);
        else state.DisableOnnx(reason);
    }

    /// <summary>Replays the signature's captured CUDA graph (capturing it on first use); a failure drops the captured
    /// route for the signature, is reported once, and this call runs the TorchScript twin.</summary>
    private TResult CapturedOrFallBack(SignatureState state, in TArgs arguments, TwinValue[] argv, out Route ran)
    {
        ran = Route.Eager;
        if (!PrepareTwin(state)) return EagerInstead(argv, arguments);
        ran = Route.Captured;
        ReadOnlySpan<TwinValue> args = argv.AsSpan(0, _argumentCount);
        try
        {
            CapturedGraph graph;
            lock (state) graph = (CapturedGraph)(state.Capture ??= _twin.Capture(args));
            var results = new TwinValue[_resultCount];
            if (graph.Replay(args, results) != _resultCount)
                throw new ExternalException($"the captured graph of {Info.Name} returned the wrong number of values");
            return _readResult(results);
        }
        catch (ExternalException error)
        {
            if (state.DisableCapture(error.Message))
                HybridRuntime.Warn($"{Info.Name} ({Info.Location}) is not captured as a CUDA graph for [{state.Description}]: {error.Message}", isWarning: true);
            return GraphOrFallBack(state, arguments, argv, out ran);
        }
    }

    /// <summary>A call whose module tree is not the one the twin was built for runs eager (forced graph mode
    /// too); each distinct reason is reported once.</summary>
    private TResult Misfit(string reason, in TArgs arguments) =>
        EagerFor("(another module tree)", $"the module tree is not the one its twin was built for: {reason}", arguments);

    /// <summary>A call with a value no twin can take (a weight or submodule the twin reads is null) runs eager
    /// (forced graph mode too), reported once per reason.</summary>
    private TResult Unwritable(Exception error, in TArgs arguments) =>
        EagerFor("(a value no twin can take)", $"a value the twin reads is null ({error.GetType().Name}: {error.Message})", arguments);

    private TResult EagerFor(string description, string reason, in TArgs arguments)
    {
        ulong key = StableKey.Of(reason);
        SignatureState state = _dispatch.Get(key | 1UL << 63, false, () => description);
        FallBack(state, reason);
        state.Count(Route.Eager);
        return InvokeEager(arguments);
    }

    /// <summary>Runs the twin alone, whatever the mode (tests and benchmarks compare it with the eager body). It
    /// runs in the caller's grad mode, always: under no_grad where the caller is (the usual evaluation), with grad
    /// otherwise, also where no input requires grad. Running such calls under no_grad was measured (0–3 %, once
    /// 11 %, off a 20-op chain; nothing on an MLP) and not kept: a view the twin makes under no_grad, including
    /// inside composite ops (ravel, avg_pool1d, adaptive_avg_pool1d measured), fails a later in-place op with grad
    /// on, which eager's does not; inference_mode's results are inference tensors (docs/dispatch.md).</summary>
    public TResult InvokeGraph(in TArgs arguments)
    {
        if (_checkTree is not null && _checkTree(arguments) is { } misfit)
            throw new InvalidOperationException($"{Info.Name}: the module tree is not the one its twin was built for: {misfit}");
        // Per-thread buffers, cleared after the call so they hold no tensor alive: a twin call allocates no array.
        TwinValue[] argv = TwinBuffers.Arguments(_argumentCount);
        try
        {
            _writeArguments(arguments, argv.AsSpan(0, _argumentCount));
            return GraphWith(argv);
        }
        finally
        {
            Array.Clear(argv, 0, _argumentCount);
        }
    }

    /// <summary>Runs the TorchScript twin on arguments already written.</summary>
    private TResult GraphWith(TwinValue[] argv)
    {
        TwinValue[] results = TwinBuffers.Results(_resultCount);
        try
        {
            Span<TwinValue> outs = results.AsSpan(0, _resultCount);
            int count;
            try
            {
                count = _twin.Invoke(argv.AsSpan(0, _argumentCount), outs);
            }
            catch (ExternalException error)
            {
                throw TwinErrors.Map(error, Info);
            }
            return Results(outs, count, "graph twin");
        }
        finally
        {
            Array.Clear(results, 0, _resultCount);
        }
    }

    /// <summary>Runs the twin's ONNX Runtime form alone, whatever the mode (tests and benchmarks compare it with the
    /// eager body): the model emitted from the twin's graph IR for this call's signature, built on first use. Its
    /// results carry no autograd history: the route serves calls that need no gradient. Where the call has no ONNX
    /// form, a <see cref="TwinUnavailableException"/> says why; ONNX Runtime's errors are ExternalExceptions.</summary>
    public TResult InvokeOnnx(in TArgs arguments)
    {
        if (_checkTree is not null && _checkTree(arguments) is { } misfit)
            throw new InvalidOperationException($"{Info.Name}: the module tree is not the one its twin was built for: {misfit}");
        Twins.Onnx.OnnxTwin onnx = OnnxTwin ?? throw new TwinUnavailableException($"{Info.Name} has no ONNX form: {_onnxUnavailable}");
        TwinValue[] argv = TwinBuffers.Arguments(_argumentCount), results = TwinBuffers.Results(_resultCount);
        try
        {
            Span<TwinValue> args = argv.AsSpan(0, _argumentCount), outs = results.AsSpan(0, _resultCount);
            _writeArguments(arguments, args);
            if (onnx.Ensure(args, background: false, out string? reason, out Twins.Onnx.OnnxTwin.Specialization? ready) == Twins.Onnx.OnnxReadiness.NoForm)
                throw new TwinUnavailableException($"{Info.Name} has no ONNX form for this call: {reason}");
            return Results(outs, onnx.Invoke(ready!, args, outs), "ONNX twin");
        }
        finally
        {
            Array.Clear(argv, 0, _argumentCount);
            Array.Clear(results, 0, _resultCount);
        }
    }

    /// <summary>The method's result from a twin's <paramref name="count"/> outputs; a wrong count frees them and throws.</summary>
    private TResult Results(Span<TwinValue> outs, int count, string twin)
    {
        if (count != _resultCount)
        {
            for (int k = 0; k < Math.Min(count, _resultCount); k++) outs[k].Tensor?.Dispose();
            throw new ExternalException($"{Info.Location}: the {twin} of {Info.Name} returned {count} values, {_resultCount} expected");
        }
        return _readResult(outs);
    }

    /// <summary>The ONNX model of this call's signature with the weights it reads as initializers (OnnxExport).</summary>
    private byte[] ExportModel(in TArgs arguments)
    {
        Twins.Onnx.OnnxTwin onnx = OnnxTwin ?? throw new TwinUnavailableException($"{Info.Name} has no ONNX form: {_onnxUnavailable}");
        var argv = new TwinValue[_argumentCount];
        _writeArguments(arguments, argv);
        try
        {
            return onnx.Export(argv);
        }
        catch (Twins.Onnx.NoOnnxFormException unsupported)
        {
            throw new TwinUnavailableException($"{Info.Name} has no ONNX form for this call: {unsupported.Message}");
        }
    }

    // Set by the ONNX Runtime route's call on this thread: its session had not settled (read by the probe that made it).
    [ThreadStatic] private static bool t_onnxSettling;

    private Twins.Onnx.OnnxTwin? _onnx;
    private string? _onnxUnavailable;
    private int _onnxMade;
    private readonly object _onnxGate = new();

    /// <summary>The ONNX Runtime route's twin, made from the graph IR on first use; null where there is none.</summary>
    internal Twins.Onnx.OnnxTwin? OnnxTwin
    {
        get
        {
            if (Volatile.Read(ref _onnxMade) == 1) return _onnx;
            lock (_onnxGate)
            {
                if (_onnxMade == 0)
                {
                    _onnx = Twins.Onnx.OnnxTwin.For(Info, _parameterCount, out _onnxUnavailable);
                    Volatile.Write(ref _onnxMade, 1);
                }
            }
            return _onnx;
        }
    }

    /// <summary>Runs the eager body alone, whatever the mode, freeing its intermediates when it returns.</summary>
    public TResult InvokeEager(in TArgs arguments) => EagerScope.Run(_eager, arguments);

    /// <summary>The signature of a call from its twin arguments: the parameters' tensors with their sizes, the
    /// state's without (SignatureBuilder).</summary>
    private SignatureState SignatureOf(ReadOnlySpan<TwinValue> arguments, out ulong rawSpecialization)
    {
        var builder = new SignatureBuilder(_captureAllowed, specialize: _onnxOffered);
        builder.AddArguments(arguments, _parameterCount);
        rawSpecialization = builder.RawSpecialization;
        (ulong key, bool cuda, bool needsGrad) = builder.Finish();
        if (_dispatch.TryGet(key, out SignatureState? known)) return known;
        string description = Describe(arguments);
        return _dispatch.Get(key, cuda, () => description, captureAllowed: _captureAllowed && cuda, onnxBlocked: OnnxBlocked(cuda, needsGrad), needsGrad: needsGrad);
    }

    /// <summary>Why the ONNX Runtime route may not serve a signature's calls, or null where it may.</summary>
    private string? OnnxBlocked(bool cuda, bool needsGrad)
    {
        if (_dispatch.Options.Mode is not (DispatchMode.Auto or DispatchMode.Onnx)) return "the ONNX Runtime route is not offered in this mode";
        if (Info.TwinGraph is null) return "its generated code carries no graph IR (rebuild with this HybridGen)";
        if (cuda) return "its tensors are on CUDA (the ONNX Runtime route runs on the CPU)";
        if (needsGrad)
            return "the calls need gradients (grad mode on and a tensor that requires grad): under no_grad (or with parameters that do not require grad) ONNX Runtime could serve them";
        return null;
    }

    /// <summary>"float32[64,256] cpu, float32[256] cpu grad, float": for the report (once per new signature). A
    /// module's state is summed up ("+ 40 state inputs, 12 tensors, 8 with grad"), not listed.</summary>
    private string Describe(ReadOnlySpan<TwinValue> argv)
    {
        // Plain loops, no LINQ: this runs on a method's first call, where each generic instantiation over TwinValue
        // is one more method for the JIT to compile before the first result.
        int stateCount = _argumentCount - _parameterCount;
        var text = new System.Text.StringBuilder();
        int listed = stateCount <= 4 ? _argumentCount : _parameterCount;
        for (int k = 0; k < listed; k++) text.Append(k == 0 ? "" : ", ").Append(argv[k].Describe());
        if (stateCount <= 4) return text.ToString();
        int tensors = 0, grad = 0;
        for (int k = _parameterCount; k < _argumentCount; k++)
        {
            if (argv[k].Tensor is not { } tensor) continue;
            tensors++;
            if (tensor.requires_grad) grad++;
        }
        return text.Append($" + {stateCount} state inputs ({tensors} tensors, {grad} with grad)").ToString();
    }

    private TResult GraphOrFallBack(SignatureState state, in TArgs arguments, TwinValue[] argv, out Route ran)
    {
        // A twin this process may not compile (not validated for this libtorch) runs eager, forced graph mode too.
        ran = Route.Eager;
        if (!PrepareTwin(state)) return EagerInstead(argv, arguments);
        ran = Route.Graph;
        if (_dispatch.Options.Mode == DispatchMode.Graph) return GraphWith(argv);
        try
        {
            return GraphWith(argv);
        }
        catch (ExternalException graphError)
        {
            // Eager decides what the caller sees: its exception if it fails too, else its result.
            ran = Route.Eager;
            TResult result = EagerInstead(argv, arguments);
            FallBack(state, $"its graph twin failed where the eager body did not: {graphError.Message}");
            return result;
        }
    }

    private TResult Probe(SignatureState state, in TArgs arguments, WrittenCall call)
    {
        lock (state)
        {
            if (state.TryGetSteady(out Route route))
            {
                TResult steady = Run(route, state, arguments, call, out Route ran);
                state.CountSteady(ran);
                return steady;
            }
            bool ready = PrepareTwin(state, startCompile: false);
            // A dropped TorchScript route, or an optional one still compiling (validated in a child process first),
            // leaves ONNX Runtime's: probing starts once its model is being built (the first call of a signature
            // starts it). With no route left the signature is decided eager already.
            state.GraphPending = !ready && state.GraphAllowed && _torchScriptOptional && Volatile.Read(ref _compile) != Broken;
            if (!ready && (!state.GraphAllowed || state.GraphPending)) ready = state.OnnxAllowed && state.OnnxBuildStarted;
            if (!ready)
            {
                state.Count(Route.Eager);
                TResult eager = EagerInstead(call.Arguments, arguments);
                // The compile starts once this call has its result: on a machine with few cores, a compile thread
                // started before it would compete with the first call itself (measured: ~10 ms of a 50 ms first
                // call on 2 cores), and a program that calls the method once gets its result just as soon.
                StartBackgroundCompile();
                // So does the build of this call's ONNX model, so it is ready by the time probing reaches it
                // (HybridRuntime.WaitForTwins waits for it too).
                if (state.OnnxAllowed) StartOnnxBuild(state, arguments);
                return eager;
            }
            ProbeStep step = state.NextStep();
            // Under grad a route costs its forward and its backward (measured: the composed transformer's TorchScript
            // twin 9 % faster than eager on the forward, 27 % on both; at 2 threads eager was chosen where the twin
            // was 7 % faster on both): a probing call's own graph is back-propagated, timed where the call is, and on
            // warm-up calls too (TorchScript optimizes its backward on its first runs). Not for a call nested in
            // another's timed probing call: its backward is part of that call's time.
            bool nested = ProbeBackward.InTimedProbe;
            Route ranOn;
            List<torch.Tensor>? gradInputs = state.TimesBackward && !nested ? ProbeBackward.Inputs(call.Arguments.AsSpan(0, _argumentCount)) : null;
            if (state.Cuda) torch.cuda.synchronize();
            bool busy = BackgroundCompiles.Busy;
            // ONNX Runtime right after libtorch runs while libtorch's workers still spin (LibtorchSpin): not timed.
            bool spinning = step.Timed && step.Route == Route.Onnx && LibtorchSpin.SkipTiming();
            long start = Stopwatch.GetTimestamp();
            t_onnxSettling = false;
            TResult result;
            double microseconds;
            using (step.Timed ? ProbeBackward.EnterTimedProbe() : default)
            {
                result = Run(step.Route, state, arguments, call, out ranOn);
                if (state.Cuda) torch.cuda.synchronize();
                microseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000;
                if (gradInputs is not null && ranOn == step.Route)
                {
                    if (ProbeBackward.Time(result, gradInputs, state.Cuda, out double backward) is { } why) state.StopTimingBackward(why);
                    else microseconds += backward;
                }
            }
            // A step that fell back to eager is counted as eager and its time is not the route's (the fallback has
            // ended probing for this signature). An ONNX Runtime call before its session settled (weights still
            // inputs, the frozen session not built yet) is a warm-up: its time is not the route's lasting one.
            bool timed = ranOn == step.Route && !(ranOn == Route.Onnx && t_onnxSettling) && !(nested && state.TimesBackward) && !spinning;
            if (ranOn is Route.Eager or Route.Graph) LibtorchSpin.LibtorchRan();
            // Nor is a call's time while HybridGen's own background work (a compile, an ONNX build, a weight freeze)
            // shares the cores with it: probing medians read 16-76 % above the rounds after them and sometimes chose
            // TorchScript where ONNX Runtime was faster (measured; this is a likely cause). A bounded number of times,
            // so probing ends.
            if (timed && (busy || BackgroundCompiles.Busy) && state.DiscardBusyTiming()) timed = false;
            if (state.Record(timed ? step : new ProbeStep(ranOn, Timed: false), microseconds)) OnDecision(state);
            // A signature met once the twin was compiled: its ONNX model starts building after this call's result.
            if (state.OnnxAllowed) StartOnnxBuild(state, arguments);
            // An optional twin probed without: its compile (and validation) starts after this call's result too.
            if (state.GraphPending) StartBackgroundCompile();
            return result;
        }
    }

    // The twin's compile: not started, running on a thread-pool thread, done, or failed (_brokenTwin says why).
    private const int NotCompiled = 0, Compiling = 1, Compiled = 2, Broken = 3;
    private int _compile;

    /// <summary>Whether this call may run the twin: compiles it (once) on first need. In auto mode the compile runs
    /// on a thread-pool thread (<see cref="DispatchOptions.BackgroundCompile"/>) and calls run eager until it is
    /// done, without counting as a fallback; a twin that does not compile makes every signature eager-only.</summary>
    private bool PrepareTwin(SignatureState state, bool startCompile = true)
    {
        int compile = Volatile.Read(ref _compile);
        if (compile == Compiled) return true;
        if (!state.GraphAllowed) return false;
        if (compile != Broken)
        {
            if (_dispatch.Options.Mode == DispatchMode.Auto && _dispatch.Options.BackgroundCompile)
            {
                if (startCompile) StartBackgroundCompile();
                if (Volatile.Read(ref _compile) != Broken) return Volatile.Read(ref _compile) == Compiled;
            }
            else if (CompileTwin())
            {
                return true;
            }
        }
        if (_torchScriptOptional && _dispatch.Options.Mode == DispatchMode.Auto) DropTorchScript(state);
        else FallBack(state, _brokenTwin!);
        return false;
    }

    private int _droppedReported;

    /// <summary>An optional TorchScript twin that cannot be compiled: the signature keeps its other routes, and the
    /// reason is reported once for the method.</summary>
    private void DropTorchScript(SignatureState state)
    {
        state.DisableGraph(_brokenTwin!);
        if (Interlocked.Exchange(ref _droppedReported, 1) == 0)
            HybridRuntime.Warn($"{Info.Name} ({Info.Location}) has no TorchScript route (the calls ONNX Runtime cannot serve, such as those under grad, run eager): {_brokenTwin}", isWarning: true);
    }

    /// <summary>Starts the twin's compile on a thread-pool thread, once (auto mode with background compiles).</summary>
    private void StartBackgroundCompile()
    {
        if (_dispatch.Options.Mode != DispatchMode.Auto || !_dispatch.Options.BackgroundCompile) return;
        if (Volatile.Read(ref _compile) == NotCompiled && Interlocked.CompareExchange(ref _compile, Compiling, NotCompiled) == NotCompiled)
            BackgroundCompiles.Start(Info.Name, CompileTwin);
    }

    private bool CompileTwin()
    {
        try
        {
            _twin.Prepare();
            Volatile.Write(ref _compile, Compiled);
            // Signatures that decided while this optional twin was being validated probe again, with it.
            if (_torchScriptOptional)
                foreach (SignatureState state in _dispatch.States) state.ProbeAgainWithGraph();
            return true;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // TwinUnavailableException says why; anything else is a HybridGen bug, which must still settle the twin
            // (a compile left 'running' would keep its signatures probing).
            _brokenTwin = error is TwinUnavailableException ? error.Message : $"its twin could not be prepared ({error.GetType().Name}: {error.Message})";
            Volatile.Write(ref _compile, Broken);
            return false;
        }
    }

    private void FallBack(SignatureState state, string reason)
    {
        if (state.FallBack(reason))
        {
            HybridRuntime.Warn($"{Info.Name} ({Info.Location}) runs eager for [{state.Description}]: {reason}", isWarning: true);
            HybridEventSource.Log.Fallback();
        }
    }

    private void OnDecision(SignatureState state)
    {
        // A decision made without a pending TorchScript twin is not final: not logged as one, nor kept in a profile.
        if (!state.DecidedWithoutGraph) HybridRuntime.Decided(Info, state);
    }

    IReadOnlyCollection<SignatureState> IHybridFunction.Signatures => _dispatch.States;
}

/// <summary>What the runtime's registry knows of every hybrid function, whatever its signature.</summary>
public interface IHybridFunction
{
    HybridMethodInfo Info { get; }
    DispatchOptions Options { get; }
    internal IReadOnlyCollection<SignatureState> Signatures { get; }
}
