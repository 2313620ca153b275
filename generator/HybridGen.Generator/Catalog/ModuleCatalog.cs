using System;
using System.Collections.Generic;
using System.Linq;
using HybridGen.Generator.Lowering;
using HybridGen.Generator.Model;
using Microsoft.CodeAnalysis;

namespace HybridGen.Generator.Catalog;

/// <summary>
/// A state of a submodule that a twin takes as a graph input at every call (so an optimizer step,
/// <c>load_state_dict</c>, <c>train()</c>/<c>eval()</c> or a changed setting is seen by the next call): its name,
/// the C# expression that reads it (<c>{0}</c> is the module), its TorchScript annotation and how it is carried.
/// A <see cref="ListLength"/> above zero marks a <c>long[]</c> setting (a stride, a kernel size): TorchSharp's
/// TorchScript calls carry no lists of numbers, so it travels as its length (-1: null) and that many ints, and the
/// twin rebuilds the list (<see cref="RuntimeHelpers.IntList"/>), <see cref="NullAs"/> standing in for null; a
/// <see cref="FixedEntries"/> above zero marks one of a fixed length, passed as that many ints.
/// </summary>
internal sealed record ModuleState(string Name, string Access, string Annotation, GraphKind Kind)
{
    public int ListLength { get; init; }
    public string NullAs { get; init; } = "[]";

    public static ModuleState Of(string member, string annotation, GraphKind kind) => new(member, "{0}." + member, annotation, kind);
    public static ModuleState Tensor(string member) => Of(member, "Tensor", GraphKind.Tensor);
    public static ModuleState OptionalTensor(string member) => Of(member, "Optional[Tensor]", GraphKind.OptionalTensor);
    public static ModuleState Bool(string member) => Of(member, "bool", GraphKind.Bool);
    public static ModuleState Int(string member) => Of(member, "int", GraphKind.Int);
    public static ModuleState Float(string member) => Of(member, "float", GraphKind.Float);
    public static ModuleState Enum(string member) => new(member, "(long){0}." + member, "int", GraphKind.Int);

    /// <summary>A <c>long[]</c> setting of at most <paramref name="max"/> entries (more fail in the twin, which then
    /// runs eager).</summary>
    public static ModuleState Ints(string member, int max, string nullAs = "[]") =>
        new(member, "{0}." + member, "int", GraphKind.Int) { ListLength = max, NullAs = nullAs };

    /// <summary>A <c>long[]</c> setting with exactly <paramref name="entries"/> entries (a 2-d layer's stride), passed as
    /// that many ints and spelled as a list literal, without the twin-side rebuilding <see cref="Ints"/> needs (the
    /// TorchScript interpreter charges per instruction). Null means <paramref name="whenNull"/> (C#, <c>{0}</c> the
    /// module: another setting) or else <paramref name="nullValue"/> per entry, as TorchSharp's forward does; another
    /// length fails the call's tree check, and the call runs eager.</summary>
    public static ModuleState Fixed(string member, int entries, string? whenNull = null, long nullValue = 0) =>
        new(member, "{0}." + member, "int", GraphKind.Int) { FixedEntries = entries, WhenNull = whenNull, NullValue = nullValue };

    public int FixedEntries { get; init; }
    public string? WhenNull { get; init; }
    public long NullValue { get; init; }
}

/// <summary>
/// A TorchSharp module whose <c>forward</c> (or <c>call</c>) a twin can spell: the spelling, in which <c>{0}</c> is
/// the input and <c>{1}</c>... are the states in order.
/// </summary>
internal sealed record ModuleRow(string MetadataName, string Spelling, params ModuleState[] States)
{
    /// <summary>Settings that live in the native module's options, which TorchSharp does not expose after
    /// construction (Embedding's padding_idx): read from the construction call, where each must be a constant,
    /// and spelled as literals (<c>{name}</c> in the spelling). Each is the construction parameter's name.</summary>
    public string[] Constructed { get; init; } = System.Array.Empty<string>();

    /// <summary>How many tensor inputs forward takes (EmbeddingBag: input, offsets, per_sample_weights; <c>{in1}</c>,
    /// <c>{in2}</c> in the spelling, None where the call leaves them out).</summary>
    public int Inputs { get; init; } = 1;

    /// <summary>A twin runtime function the spelling calls (Lowering/RuntimeHelpers), or null.</summary>
    public string? Helper { get; init; }

    /// <summary>Whether forward always returns a new tensor; else (Identity, Flatten's view, in-place activations)
    /// the result may share its input's storage, and is the body's own only where the input is.</summary>
    public bool Allocates { get; init; }

    /// <summary>The short name users know it by (<c>Conv2d</c>).</summary>
    public string Name => MetadataName.Substring(MetadataName.LastIndexOf('.') + 1);
}

/// <summary>The module kinds a twin calls (docs/modules.md lists them; ModuleKindTests runs each eager vs twin).</summary>
internal static class ModuleCatalog
{
    public static readonly IReadOnlyList<ModuleRow> Rows = new[]
    {
        new ModuleRow("TorchSharp.Modules.Linear", "torch.linear({0}, {1}, {2})", ModuleState.Tensor("weight"), ModuleState.OptionalTensor("bias")) { Allocates = true },
        Conv("TorchSharp.Modules.Conv1d", 1),
        Conv("TorchSharp.Modules.Conv2d", 2),
        BatchNorm("TorchSharp.Modules.BatchNorm1d", 2, 3),
        BatchNorm("TorchSharp.Modules.BatchNorm2d", 4, 4),
        new ModuleRow("TorchSharp.Modules.LayerNorm", "torch.layer_norm({0}, {1}, {2}, {3}, {4}, True)",
            ModuleState.Ints("normalized_shape", 4), ModuleState.OptionalTensor("weight"), ModuleState.OptionalTensor("bias"), ModuleState.Float("eps")) { Allocates = true },
        new ModuleRow("TorchSharp.Modules.GroupNorm", RuntimeHelpers.GroupNorm + "({0}, {1}, {2}, {3}, {4})",
            ModuleState.Int("num_groups"), ModuleState.OptionalTensor("weight"), ModuleState.OptionalTensor("bias"), ModuleState.Float("eps"))
        { Helper = RuntimeHelpers.GroupNorm, Allocates = true },
        new ModuleRow("TorchSharp.Modules.Dropout", RuntimeHelpers.Dropout + "({0}, {1}, {2}, {3})",
            ModuleState.Float("p"), ModuleState.Bool("training"), ModuleState.Bool("inplace")) { Helper = RuntimeHelpers.Dropout },
        new ModuleRow("TorchSharp.Modules.ReLU", RuntimeHelpers.Relu + "({0}, {1})", ModuleState.Bool("inplace")) { Helper = RuntimeHelpers.Relu },
        // GELU.Approximate: none = 0, tanh = 1.
        new ModuleRow("TorchSharp.Modules.GELU", RuntimeHelpers.Gelu + "({0}, {1}, {2})",
            ModuleState.Enum("approximate"), ModuleState.Bool("inplace")) { Helper = RuntimeHelpers.Gelu },
        new ModuleRow("TorchSharp.Modules.Tanh", RuntimeHelpers.Tanh + "({0}, {1})", ModuleState.Bool("inplace")) { Helper = RuntimeHelpers.Tanh },
        new ModuleRow("TorchSharp.Modules.Sigmoid", RuntimeHelpers.Sigmoid + "({0}, {1})", ModuleState.Bool("inplace")) { Helper = RuntimeHelpers.Sigmoid },
        new ModuleRow("TorchSharp.Modules.SiLU", RuntimeHelpers.Silu + "({0}, {1})", ModuleState.Bool("inplace")) { Helper = RuntimeHelpers.Silu },
        new ModuleRow("TorchSharp.Modules.LeakyReLU", RuntimeHelpers.LeakyRelu + "({0}, {1}, {2})",
            ModuleState.Float("negative_slope"), ModuleState.Bool("inplace")) { Helper = RuntimeHelpers.LeakyRelu },
        new ModuleRow("TorchSharp.Modules.Softmax", "torch.softmax({0}, {1})", ModuleState.Int("dim")) { Allocates = true },
        new ModuleRow("TorchSharp.Modules.LogSoftmax", "torch.log_softmax({0}, {1})", ModuleState.Int("dim")) { Allocates = true },
        // TorchSharp's functional forms: a null stride is the kernel size ([] in aten), a null padding zeros, a null
        // dilation ones.
        new ModuleRow("TorchSharp.Modules.MaxPool2d", "torch.max_pool2d({0}, {1}, {2}, {3}, {4}, {5})",
            ModuleState.Fixed("kernel_size", 2), ModuleState.Fixed("stride", 2, whenNull: "{0}.kernel_size"), ModuleState.Fixed("padding", 2),
            ModuleState.Fixed("dilation", 2, nullValue: 1), ModuleState.Bool("ceil_mode")) { Allocates = true },
        new ModuleRow("TorchSharp.Modules.AvgPool2d", "torch.avg_pool2d({0}, {1}, {2}, {3}, {4}, {5}, {6})",
            ModuleState.Fixed("kernel_size", 2), ModuleState.Fixed("stride", 2, whenNull: "{0}.kernel_size"), ModuleState.Fixed("padding", 2),
            ModuleState.Bool("ceil_mode"), ModuleState.Bool("count_include_pad"), ModuleState.Of("divisor_override", "Optional[int]", GraphKind.OptionalInt)) { Allocates = true },
        new ModuleRow("TorchSharp.Modules.AdaptiveAvgPool2d", "torch.adaptive_avg_pool2d({0}, {1})", ModuleState.Fixed("output_size", 2)) { Allocates = true },
        // Native forwards: TorchSharp's Embedding and EmbeddingBag run libtorch's C++ modules, whose settings
        // cannot change after construction, so the construction's constants are the settings.
        new ModuleRow("TorchSharp.Modules.Embedding", RuntimeHelpers.Embedding + "({0}, {1}, {padding_idx}, {scale_grad_by_freq}, {sparse})",
            ModuleState.Tensor("weight"))
        { Helper = RuntimeHelpers.Embedding, Allocates = true, Constructed = new[] { "padding_idx", "max_norm", "scale_grad_by_freq", "sparse" } },
        new ModuleRow("TorchSharp.Modules.EmbeddingBag", RuntimeHelpers.EmbeddingBag + "({0}, {in1}, {in2}, {1}, {scale_grad_by_freq}, {mode}, {sparse}, {include_last_offset}, {padding_index})",
            ModuleState.Tensor("weight"))
        {
            Helper = RuntimeHelpers.EmbeddingBag, Allocates = true, Inputs = 3,
            Constructed = new[] { "max_norm", "scale_grad_by_freq", "mode", "sparse", "include_last_offset", "padding_index" },
        },
        new ModuleRow("TorchSharp.Modules.Flatten", "torch.flatten({0}, {1}, {2})", ModuleState.Int("start_dim"), ModuleState.Int("end_dim")),
        new ModuleRow("TorchSharp.Modules.Identity", "torch.alias({0})"),
    };

    // TorchSharp's Conv1d/Conv2d.forward step for step (RuntimeHelpers.Convolution): the padding modes (an
    // explicit pad, then an unpadded convolution), Padding.Same/Valid, explicit padding.
    private static ModuleRow Conv(string type, int dims) =>
        new(type, RuntimeHelpers.Convolution + "({0}, " + dims + ", {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9})",
            ModuleState.Tensor("weight"), ModuleState.OptionalTensor("bias"), ModuleState.Enum("padding_mode"),
            new ModuleState("padding_type", "global::HybridGen.ModuleSettings.Code({0}.padding_type)", "int", GraphKind.Int),
            ModuleState.Fixed("stride", dims), ModuleState.Fixed("padding", dims), ModuleState.Fixed("dilation", dims),
            ModuleState.Fixed("kernel_size", dims), ModuleState.Int("groups"))
        { Helper = RuntimeHelpers.Convolution, Allocates = true };

    // The input ranks TorchSharp's ValidateInputDimensions accepts: a wrong one fails in the twin too (then eager
    // runs and throws its own ArgumentException), instead of aten quietly normalizing it.
    private static ModuleRow BatchNorm(string type, int minDim, int maxDim) =>
        new(type, RuntimeHelpers.BatchNorm + "({0}, " + minDim + ", " + maxDim + ", {1}, {2}, {3}, {4}, {5}, {6}, {7}, {8}, {9})",
            ModuleState.OptionalTensor("weight"), ModuleState.OptionalTensor("bias"), ModuleState.OptionalTensor("running_mean"),
            ModuleState.OptionalTensor("running_var"), ModuleState.OptionalTensor("num_batches_tracked"),
            ModuleState.Of("momentum", "Optional[float]", GraphKind.OptionalFloat), ModuleState.Float("eps"), ModuleState.Bool("training"),
            ModuleState.Bool("track_running_stats"))
        { Helper = RuntimeHelpers.BatchNorm, Allocates = true };

    /// <summary>The row for a module type, or null (then a call of its forward is unknown: HG0108).</summary>
    public static ModuleRow? Find(ITypeSymbol? type)
    {
        if (type is not INamedTypeSymbol { ContainingNamespace.Name: "Modules" } named) return null; // TorchSharp.Modules
        return Rows.FirstOrDefault(r => Analysis.KnownTypes.Is(named, r.MetadataName));
    }

    /// <summary>Whether a call is a module's forward (or call, which runs hooks and then forward).</summary>
    public static bool IsForward(IMethodSymbol method) => method.Name is "forward" or "call" && method.Parameters.Length is >= 1 and <= 3;
}
