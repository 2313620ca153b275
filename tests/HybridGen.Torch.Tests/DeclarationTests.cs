using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using HybridGen.Torch;
using HybridGen.Torch.Native;
using static HybridGen.Torch.torch;

namespace HybridGen.Torch.Tests;

/// <summary>Every binding method's [AtenOp] declaration names exactly the ATen ops its eager body calls, so the
/// generator's graph spelling (derived from the declaration) runs the same ops (DESIGN.md decision 2).</summary>
public class DeclarationTests
{
    public static IEnumerable<object[]> DeclaredMethods() =>
        typeof(Tensor).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => m.GetCustomAttribute<AtenOpAttribute>() is not null)
            .Select(m => new object[] { m.DeclaringType!.Name + "." + m.Name + "(" + string.Join(",", m.GetParameters().Select(p => p.ParameterType.Name)) + ")" });

    [Theory]
    [MemberData(nameof(DeclaredMethods))]
    public void DeclarationMatchesTheOpsCalled(string signature)
    {
        MethodInfo method = typeof(Tensor).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Single(m => m.DeclaringType!.Name + "." + m.Name + "(" + string.Join(",", m.GetParameters().Select(p => p.ParameterType.Name)) + ")" == signature);
        string declaration = method.GetCustomAttribute<AtenOpAttribute>()!.Declaration;
        var expected = SchemasIn(declaration);

        using Tensor self = ones(2, 2);
        object?[] arguments = method.GetParameters().Select(p => Sample(p.ParameterType)).ToArray();
        var recorded = new List<string>();
        AtenOp.Recorder = recorded;
        try
        {
            // The sample arguments do not suit every op; an op libtorch rejects was still called, and recorded.
            method.Invoke(method.IsStatic ? null : self, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is TorchException)
        {
        }
        finally
        {
            AtenOp.Recorder = null;
        }
        Assert.Equal(expected.OrderBy(s => s), recorded.OrderBy(s => s));
    }

    private static object? Sample(System.Type type) =>
        type == typeof(Tensor) ? ones(2, 2)
        : type == typeof(double) ? 0.5
        : type == typeof(long) ? 1L
        : type == typeof(bool) ? false
        : type == typeof(string) ? "none"
        : type == typeof(long[]) ? new long[] { 1 }
        : type == typeof(Tensor[]) || type == typeof(IReadOnlyList<Tensor>) ? new[] { ones(2, 2), ones(2, 2) }
        : type == typeof(ScalarType) ? ScalarType.Float32
        : type == typeof(Device) ? CPU
        : type == typeof(nn.Reduction) ? nn.Reduction.Mean
        : null;

    /// <summary>The schema names in a declaration, innermost first (the order they run in).</summary>
    private static List<string> SchemasIn(string declaration) =>
        System.Text.RegularExpressions.Regex.Matches(declaration, @"aten::[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)?")
            .Select(m => m.Value).Reverse().ToList();
}
