using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq.Expressions;
using HybridGen.Graph;
using HybridGen.Twins;
using TorchSharp;

namespace HybridGen.Composition;

/// <summary>
/// Reads one value of a catalog module's state from a live module (Graph/ModuleCatalog's <see cref="ModuleState"/>),
/// as generated code does for a tree the build can see: a compiled delegate per module type and state entry, made
/// once, so a call reads the state without reflection or boxing.
/// </summary>
internal static class ModuleStateReader
{
    private static readonly ConcurrentDictionary<(Type type, ModuleState state, int entry), Func<object, TwinValue>> s_readers = new();

    /// <summary>The reader of <paramref name="state"/> of modules of <paramref name="type"/>: its value, or for a
    /// list setting its entry <paramref name="entry"/> (-1: its length, for <see cref="ModuleState.ListLength"/>).</summary>
    public static Func<object, TwinValue> For(Type type, ModuleState state, int entry = 0) =>
        s_readers.GetOrAdd((type, state, entry), key => Compile(key.type, key.state, key.entry));

    /// <summary>The number of entries of a list setting of <paramref name="module"/> (-1 for null), read once, when
    /// the tree is composed.</summary>
    public static int LengthOf(object module, ModuleState state)
    {
        Type type = module.GetType();
        object? value = type.GetProperty(state.Name)?.GetValue(module) ?? type.GetField(state.Name)?.GetValue(module);
        return value is IReadOnlyList<long> list ? list.Count : -1;
    }

    private static readonly ParameterExpression s_module = Expression.Parameter(typeof(object), "module");

    private static Func<object, TwinValue> Compile(Type type, ModuleState state, int entry)
    {
        Expression typed = Expression.Convert(s_module, type);
        Expression value = Expression.PropertyOrField(typed, state.Name);
        Expression result;
        if (state.FixedEntries > 0 || state.ListLength > 0)
        {
            Expression list = Expression.Convert(value, typeof(IReadOnlyList<long>));
            if (state.WhenNull is { } other)
                list = Expression.Coalesce(list, Expression.Convert(Expression.PropertyOrField(typed, other), typeof(IReadOnlyList<long>)));
            result = state.FixedEntries > 0
                ? Expression.Call(typeof(ModuleSettings), nameof(ModuleSettings.At), null, list, Expression.Constant(entry), Expression.Constant(state.NullValue))
                : entry < 0 ? Expression.Call(typeof(ModuleSettings), nameof(ModuleSettings.Count), null, list)
                : Expression.Call(typeof(ModuleSettings), nameof(ModuleSettings.At), null, list, Expression.Constant(entry));
            result = Expression.Convert(result, typeof(TwinValue));
        }
        else
        {
            result = state.Read switch
            {
                ModuleStateRead.EnumValue => Expression.Convert(Expression.Convert(value, typeof(long)), typeof(TwinValue)),
                ModuleStateRead.PaddingCode => Expression.Convert(Expression.Call(typeof(ModuleSettings), nameof(ModuleSettings.Code), null,
                    Expression.Convert(value, typeof(Padding?))), typeof(TwinValue)),
                _ => state.Kind switch
                {
                    GraphKind.Tensor or GraphKind.OptionalTensor => Expression.Call(typeof(TwinValue), nameof(TwinValue.Optional), null, Expression.Convert(value, typeof(torch.Tensor))),
                    GraphKind.OptionalFloat => Expression.Call(typeof(TwinValue), nameof(TwinValue.Optional), null, Expression.Convert(value, typeof(double?))),
                    GraphKind.OptionalInt => Expression.Call(typeof(TwinValue), nameof(TwinValue.Optional), null, Expression.Convert(value, typeof(long?))),
                    GraphKind.Float => Expression.Convert(Expression.Convert(value, typeof(double)), typeof(TwinValue)),
                    GraphKind.Bool => Expression.Convert(Expression.Convert(value, typeof(bool)), typeof(TwinValue)),
                    _ => Expression.Convert(Expression.Convert(value, typeof(long)), typeof(TwinValue)),
                },
            };
        }
        return Expression.Lambda<Func<object, TwinValue>>(result, s_module).Compile();
    }
}
