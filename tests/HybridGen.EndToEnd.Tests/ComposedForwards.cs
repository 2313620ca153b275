using System.Reflection;
using HybridGen.Composition;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>The generated pieces of hybridized module forwards whose trees are composed at run time, and their eager
/// bodies, for tests that run one route alone.</summary>
internal static class ComposedForwards
{
    /// <summary>The ComposedFunction generated for <typeparamref name="TModel"/>'s forward.</summary>
    public static ComposedFunction<TArgs, Tensor> Of<TModel, TArgs>() =>
        (ComposedFunction<TArgs, Tensor>)typeof(TModel).GetField("__hybrid_forward", BindingFlags.NonPublic | BindingFlags.Static)!.GetValue(null)!;

    /// <summary>The model's eager body (its private ForwardEager) on <paramref name="arguments"/>.</summary>
    public static Tensor Eager(object model, params object[] arguments) =>
        (Tensor)model.GetType().GetMethod("ForwardEager", BindingFlags.NonPublic | BindingFlags.Instance)!.Invoke(model, arguments)!;
}
