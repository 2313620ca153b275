using System;
using System.Collections.Generic;
using System.Linq;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Catalog;

/// <summary>A state read of a submodule that a twin takes as a graph input at every call (so an optimizer step,
/// <c>load_state_dict</c> or <c>train()</c>/<c>eval()</c> is seen by the next call): the module's member, its
/// TorchScript annotation and how it is carried.</summary>
internal sealed record ModuleState(string Member, string Annotation, GraphKind Kind);

/// <summary>
/// A TorchSharp module whose <c>forward</c> (or <c>call</c>) a twin can spell when it is a field or property of the
/// hybridized module with that concrete type: the spelling, in which <c>{0}</c> is the input and <c>{1}</c>...
/// are the states in order.
/// </summary>
internal sealed record ModuleRow(string MetadataName, string Spelling, params ModuleState[] States)
{
    /// <summary>A twin runtime function the spelling calls (Lowering/RuntimeHelpers), or null.</summary>
    public string? Helper { get; init; }
}

/// <summary>The module kinds a twin calls (issue 12 is widening this list; docs/modules.md).</summary>
internal static class ModuleCatalog
{
    public static readonly IReadOnlyList<ModuleRow> Rows = new[]
    {
        new ModuleRow("TorchSharp.Modules.Linear", "torch.linear({0}, {1}, {2})",
            new ModuleState("weight", "Tensor", GraphKind.Tensor), new ModuleState("bias", "Optional[Tensor]", GraphKind.OptionalTensor)),
        new ModuleRow("TorchSharp.Modules.ReLU", "(torch.relu_({0}) if {1} else torch.relu({0}))",
            new ModuleState("inplace", "bool", GraphKind.Bool)),
        new ModuleRow("TorchSharp.Modules.Tanh", "(torch.tanh_({0}) if {1} else torch.tanh({0}))", new ModuleState("inplace", "bool", GraphKind.Bool)),
        new ModuleRow("TorchSharp.Modules.Sigmoid", "(torch.sigmoid_({0}) if {1} else torch.sigmoid({0}))", new ModuleState("inplace", "bool", GraphKind.Bool)),
        new ModuleRow("TorchSharp.Modules.SiLU", "(torch.silu_({0}) if {1} else torch.silu({0}))", new ModuleState("inplace", "bool", GraphKind.Bool)),
        new ModuleRow("TorchSharp.Modules.LeakyReLU", "(torch.leaky_relu_({0}, {1}) if {2} else torch.leaky_relu({0}, {1}))",
            new ModuleState("negative_slope", "float", GraphKind.Float), new ModuleState("inplace", "bool", GraphKind.Bool)),
        new ModuleRow("TorchSharp.Modules.Softmax", "torch.softmax({0}, {1})", new ModuleState("dim", "int", GraphKind.Int)),
        new ModuleRow("TorchSharp.Modules.LogSoftmax", "torch.log_softmax({0}, {1})", new ModuleState("dim", "int", GraphKind.Int)),
        new ModuleRow("TorchSharp.Modules.Flatten", "torch.flatten({0}, {1}, {2})",
            new ModuleState("start_dim", "int", GraphKind.Int), new ModuleState("end_dim", "int", GraphKind.Int)),
        new ModuleRow("TorchSharp.Modules.Identity", "torch.alias({0})"),
        BatchNorm("TorchSharp.Modules.BatchNorm1d", 2, 3),
        BatchNorm("TorchSharp.Modules.BatchNorm2d", 4, 4),
        new ModuleRow("TorchSharp.Modules.Dropout", "(torch.dropout_({0}, {1}, {2}) if {3} else torch.dropout({0}, {1}, {2}))",
            new ModuleState("p", "float", GraphKind.Float), new ModuleState("training", "bool", GraphKind.Bool),
            new ModuleState("inplace", "bool", GraphKind.Bool)),
    };

    // The input ranks TorchSharp's ValidateInputDimensions accepts: a wrong one fails in the twin too (then eager
    // runs and throws its own ArgumentException), instead of aten quietly normalizing it.
    private static ModuleRow BatchNorm(string type, int minDim, int maxDim) =>
        new(type, "__hg_batch_norm({0}, " + minDim + ", " + maxDim + ", {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9})",
            new ModuleState("weight", "Optional[Tensor]", GraphKind.OptionalTensor), new ModuleState("bias", "Optional[Tensor]", GraphKind.OptionalTensor),
            new ModuleState("running_mean", "Optional[Tensor]", GraphKind.OptionalTensor), new ModuleState("running_var", "Optional[Tensor]", GraphKind.OptionalTensor),
            new ModuleState("num_batches_tracked", "Optional[Tensor]", GraphKind.OptionalTensor), new ModuleState("momentum", "Optional[float]", GraphKind.OptionalFloat),
            new ModuleState("eps", "float", GraphKind.Float), new ModuleState("training", "bool", GraphKind.Bool),
            new ModuleState("track_running_stats", "bool", GraphKind.Bool))
        { Helper = Lowering.RuntimeHelpers.BatchNorm };

    /// <summary>The row for a module type, or null (then a call of its forward is unknown: HG0108).</summary>
    public static ModuleRow? Find(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol { ContainingNamespace.Name: "Modules" } named) return null; // TorchSharp.Modules
        string name = named.ToDisplayString();
        return Rows.FirstOrDefault(r => string.Equals(r.MetadataName, name, StringComparison.Ordinal));
    }

    /// <summary>Whether a call is a module's forward (or call, which runs hooks and then forward).</summary>
    public static bool IsForward(IMethodSymbol method) => method.Name is "forward" or "call" && method.Parameters.Length == 1;
}
