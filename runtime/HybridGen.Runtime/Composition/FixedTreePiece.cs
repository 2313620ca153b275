using System;
using System.Linq.Expressions;
using HybridGen.Graph;
using HybridGen.Twins;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.Composition;

/// <summary>
/// A module class whose forward has a twin built at build time for a fixed tree (a <see cref="HybridFunction{TArgs,TResult}"/>,
/// no run-time submodules) used as a piece of a larger tree composed at run time: a block of your own inside a
/// Sequential filled from a list. Its program is the build's; its state is read through the generated argument
/// writer, given the module and a stand-in for the input (which the writer copies and this piece ignores); its tree
/// check is the generated one.
/// </summary>
internal sealed class FixedTreePiece<TArgs, TResult> : IModulePiece
{
    private readonly HybridFunction<TArgs, TResult> _function;
    private readonly GraphArgumentWriter<TArgs> _writeArguments;
    private readonly TreeCheck<TArgs>? _checkTree;
    private readonly int _argumentCount;
    private Func<object, Tensor, TArgs>? _arguments;
    private GraphProgram? _program;
    [ThreadStatic] private static TwinValue[]? t_scratch;
    private static Tensor? s_standIn;

    private FixedTreePiece(HybridFunction<TArgs, TResult> function, GraphArgumentWriter<TArgs> writeArguments, TreeCheck<TArgs>? checkTree,
        int argumentCount, int parameterCount)
    {
        _function = function;
        _writeArguments = writeArguments;
        _checkTree = checkTree;
        _argumentCount = argumentCount;
        ParameterCount = parameterCount;
    }

    /// <summary>Registers <paramref name="function"/> as a piece of its module type where it is one: a module's
    /// <c>forward</c> from one tensor to one tensor, with the graph IR the composition reads.</summary>
    public static void RegisterIfPiece(HybridFunction<TArgs, TResult> function, GraphArgumentWriter<TArgs> writeArguments,
        TreeCheck<TArgs>? checkTree, int argumentCount, int parameterCount)
    {
        Type args = typeof(TArgs);
        if (function.Info.TwinGraph is null || typeof(TResult) != typeof(Tensor) || parameterCount != 1) return;
        if (!args.IsGenericType || args.GetGenericTypeDefinition() != typeof(ValueTuple<,>)) return;
        Type owner = args.GenericTypeArguments[0];
        if (!typeof(nn.Module).IsAssignableFrom(owner) || args.GenericTypeArguments[1] != typeof(Tensor)) return;
        string name = function.Info.Name;
        int tree = name.IndexOf(" [", StringComparison.Ordinal);
        if (!(tree < 0 ? name : name.Substring(0, tree)).EndsWith(".forward", StringComparison.Ordinal)) return;
        ModulePieces.Register(owner, new FixedTreePiece<TArgs, TResult>(function, writeArguments, checkTree, argumentCount, parameterCount));
    }

    /// <summary>The call's arguments for a module and an input: <c>(object module, Tensor x) => new
    /// ValueTuple&lt;TModule, Tensor&gt;((TModule)module, x)</c>, compiled when a composition first meets the type.</summary>
    private TArgs Arguments(object owner)
    {
        if (_arguments is null)
        {
            Type args = typeof(TArgs);
            ParameterExpression module = Expression.Parameter(typeof(object)), input = Expression.Parameter(typeof(Tensor));
            _arguments = Expression.Lambda<Func<object, Tensor, TArgs>>(
                Expression.New(args.GetConstructor(args.GenericTypeArguments)!, Expression.Convert(module, args.GenericTypeArguments[0]), input), module, input).Compile();
        }
        return _arguments(owner, StandIn);
    }

    public HybridMethodInfo Info => _function.Info;

    public GraphProgram Program => _program ??= GraphText.Read(Info.TwinGraph!);

    public int ParameterCount { get; }

    public int StateCount => _argumentCount - ParameterCount;

    public string[] ModulePaths { get; } = Array.Empty<string>();

    public void ReadModules(object owner, Span<object?> modules)
    {
    }

    public void WriteState(object owner, Span<TwinValue> values)
    {
        TwinValue[] scratch = t_scratch is { } known && known.Length >= _argumentCount ? known : t_scratch = new TwinValue[Math.Max(_argumentCount, 16)];
        try
        {
            _writeArguments(Arguments(owner), scratch.AsSpan(0, _argumentCount));
            scratch.AsSpan(ParameterCount, StateCount).CopyTo(values);
        }
        finally
        {
            Array.Clear(scratch, 0, _argumentCount);
        }
    }

    // A block whose forward is forced eager (its attribute or hybridgen.json: the way out of a bad twin) is not
    // composed either.
    public string? Misfit(object owner) =>
        _function.Mode == DispatchMode.Eager ? "its forward is forced eager (its mode)" : _checkTree?.Invoke(Arguments(owner));

    public bool HasFixedPart => _checkTree is not null || _function.Mode == DispatchMode.Eager;

    // The input slot's value while the state is read: never run, only copied.
    private static Tensor StandIn => s_standIn ??= empty(0).DetachFromDisposeScope();
}
