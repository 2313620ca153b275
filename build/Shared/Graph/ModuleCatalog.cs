using System;
using System.Collections.Generic;
using System.Linq;

namespace HybridGen.Graph;

// The module catalog, compiled into the generator (which lowers a submodule call of a kind it can see at build time)
// and the runtime (which composes the twin of a module tree that only exists at run time: Composition/ModuleComposer).
// Plain data; how generated code reads a state is the generator's (Catalog/ModuleCatalog.Lookup.cs), how the
// runtime reads one is Composition/ModuleStateReader's.

/// <summary>
/// A state of a submodule that a twin takes as a graph input at every call (so an optimizer step,
/// <c>load_state_dict</c>, <c>train()</c>/<c>eval()</c> or a changed setting is seen by the next call): its name (the
/// member that holds it), how it is read (<see cref="Read"/>), its TorchScript annotation and how it is carried.
/// A <see cref="ListLength"/> above zero marks a <c>long[]</c> setting (a stride, a kernel size): TorchSharp's
/// TorchScript calls carry no lists of numbers, so it travels as its length (-1: null) and that many ints, and the
/// twin rebuilds the list (the runtime function <c>__hg_int_list</c>), <see cref="NullAs"/> standing in for null; a
/// <see cref="FixedEntries"/> above zero marks one of a fixed length, passed as that many ints.
/// </summary>
internal sealed record ModuleState(string Name, string Annotation, GraphKind Kind)
{
    public int ListLength { get; init; }
    public string NullAs { get; init; } = "[]";

    /// <summary>How the member's value becomes the state's: as it is, an enum as its number, or a convolution's
    /// padding type as Runtime's ModuleSettings.Code gives it.</summary>
    public ModuleStateRead Read { get; init; }

    public static ModuleState Of(string member, string annotation, GraphKind kind) => new(member, annotation, kind);
    public static ModuleState Tensor(string member) => Of(member, "Tensor", GraphKind.Tensor);
    public static ModuleState OptionalTensor(string member) => Of(member, "Optional[Tensor]", GraphKind.OptionalTensor);
    public static ModuleState Bool(string member) => Of(member, "bool", GraphKind.Bool);
    public static ModuleState Int(string member) => Of(member, "int", GraphKind.Int);
    public static ModuleState Float(string member) => Of(member, "float", GraphKind.Float);
    public static ModuleState Enum(string member) => new(member, "int", GraphKind.Int) { Read = ModuleStateRead.EnumValue };

    /// <summary>A <c>long[]</c> setting of at most <paramref name="max"/> entries (more fail in the twin, which then
    /// runs eager).</summary>
    public static ModuleState Ints(string member, int max, string nullAs = "[]") =>
        new(member, "int", GraphKind.Int) { ListLength = max, NullAs = nullAs };

    /// <summary>A <c>long[]</c> setting with exactly <paramref name="entries"/> entries (a 2-d layer's stride), passed as
    /// that many ints and spelled as a list literal, without the twin-side rebuilding <see cref="Ints"/> needs (the
    /// TorchScript interpreter charges per instruction). Null means the setting <paramref name="whenNull"/> (another
    /// member of the module) or else <paramref name="nullValue"/> per entry, as TorchSharp's forward does; another
    /// length fails the call's tree check, and the call runs eager.</summary>
    public static ModuleState Fixed(string member, int entries, string? whenNull = null, long nullValue = 0) =>
        new(member, "int", GraphKind.Int) { FixedEntries = entries, WhenNull = whenNull, NullValue = nullValue };

    public int FixedEntries { get; init; }

    /// <summary>Reads the first <see cref="FixedEntries"/> entries, whatever the length (no tree check): a setting
    /// TorchSharp's forward reads that way (ConvTranspose's output_padding, of which it passes the first entry).</summary>
    public bool FirstEntriesOnly { get; init; }
    public string? WhenNull { get; init; }
    public long NullValue { get; init; }
}

/// <summary>How a module state's member becomes the state (<see cref="ModuleState.Read"/>).</summary>
internal enum ModuleStateRead { Value, EnumValue, PaddingCode }

/// <summary>One argument of a module row's call: a tensor input of forward, a state, a constant, or a setting fixed
/// at construction. A state converts implicitly, so rows list their arguments as the call takes them.</summary>
internal abstract record ModuleArgument(string Name)
{
    /// <summary>Forward's tensor input <c>Index</c> (0: <c>input</c>; then <c>in1</c>, <c>in2</c>: None
    /// where the call leaves them out).</summary>
    public sealed record Input(int Index) : ModuleArgument(Index == 0 ? "input" : "in" + Index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>A state, a graph input read at every call.</summary>
    public sealed record OfState(ModuleState State) : ModuleArgument(State.Name);

    /// <summary>A constant of the row (TorchScript's literal spelling: <c>2</c>, <c>True</c>).</summary>
    public sealed record Literal(string LiteralName, string Text) : ModuleArgument(LiteralName);

    /// <summary>A setting read from the construction call (<see cref="ModuleRow.Constructed"/>), as a literal.</summary>
    public sealed record Setting(string SettingName) : ModuleArgument(SettingName);

    public static implicit operator ModuleArgument(ModuleState state) => new OfState(state);
}

/// <summary>
/// A TorchSharp module whose <c>forward</c> (or <c>call</c>) a twin can run: the function its forward is (a
/// TorchScript op or a runtime function of TorchScriptHelpers) and that function's arguments, each named. The
/// lowering makes it one <see cref="HybridGen.Graph.GraphModuleOp"/>: the call, with the module kind and the names,
/// which the ONNX emitter maps per kind.
/// </summary>
internal sealed record ModuleRow(string MetadataName, string Callee, params ModuleArgument[] Arguments)
{
    /// <summary>Settings that live in the native module's options, which TorchSharp does not expose after
    /// construction (Embedding's padding_idx): read from the construction call, where each must be a constant, and
    /// passed as literals (<see cref="ModuleArgument.Setting"/>). Each is the construction parameter's name.</summary>
    public string[] Constructed { get; init; } = System.Array.Empty<string>();

    /// <summary>The states, in argument order.</summary>
    public IEnumerable<ModuleState> States => Arguments.OfType<ModuleArgument.OfState>().Select(a => a.State);

    /// <summary>How many tensor inputs forward takes (EmbeddingBag: input, offsets, per_sample_weights).</summary>
    public int Inputs => Arguments.OfType<ModuleArgument.Input>().Max(a => a.Index) + 1;

    /// <summary>A twin runtime function the call is (TorchScriptHelpers), or null for a TorchScript op.</summary>
    public string? Helper => Callee.StartsWith("__hg_", StringComparison.Ordinal) ? Callee : null;

    /// <summary>Whether forward always returns a new tensor; else (Identity, Flatten's view, in-place activations)
    /// the result may share its input's storage, and is the body's own only where the input is.</summary>
    public bool Allocates { get; init; }

    /// <summary>The short name users know it by (<c>Conv2d</c>).</summary>
    public string Name => MetadataName.Substring(MetadataName.LastIndexOf('.') + 1);
}

/// <summary>TorchSharp's native module kinds whose settings only the live module shows (libtorch keeps them in its
/// C++ options, which TorchSharp does not expose): a call of one is a run-time submodule the build leaves as a hole,
/// and the runtime's composition reads the live module (Composition/NativeTransformer, NativeRecurrent) and spells
/// it. The recurrent kinds return tuples (output and hidden state).</summary>
internal static class RunTimeNativeKinds
{
    public const string TransformerEncoder = "TorchSharp.Modules.TransformerEncoder";
    public const string TransformerEncoderLayer = "TorchSharp.Modules.TransformerEncoderLayer";
    public const string Gru = "TorchSharp.Modules.GRU";
    public const string Lstm = "TorchSharp.Modules.LSTM";
    public const string Rnn = "TorchSharp.Modules.RNN";
    // Managed, but its sizes and scale factors are arrays the build cannot read as constants: read off the live module.
    public const string Upsample = "TorchSharp.Modules.Upsample";

    // Six arguments (query, key, value, key padding mask, need_weights, attention mask) and a System.Tuple result.
    public const string MultiheadAttention = "TorchSharp.Modules.MultiheadAttention";

    public static readonly string[] MetadataNames = { TransformerEncoder, TransformerEncoderLayer, Gru, Lstm, Rnn, Upsample, MultiheadAttention };
}

/// <summary>The module kinds a twin calls (docs/modules.md lists them; ModuleKindTests runs each eager vs twin).</summary>
internal static partial class ModuleCatalog
{
    private static readonly ModuleArgument In = new ModuleArgument.Input(0);

    private static ModuleArgument Literal(string name, string text) => new ModuleArgument.Literal(name, text);

    private static ModuleArgument Setting(string name) => new ModuleArgument.Setting(name);

    public static readonly IReadOnlyList<ModuleRow> Rows = new[]
    {
        // TorchSharp's ConvTranspose2d.forward (without an output size) passes output_padding[0] alone: aten applies it
        // to both dimensions. Only zeros padding exists there (its constructor refuses the others).
        new ModuleRow("TorchSharp.Modules.ConvTranspose2d", "torch.conv_transpose2d", In, ModuleState.Tensor("weight"), ModuleState.OptionalTensor("bias"),
            ModuleState.Fixed("stride", 2), ModuleState.Fixed("padding", 2), ModuleState.Fixed("output_padding", 1) with { FirstEntriesOnly = true },
            ModuleState.Int("groups"), ModuleState.Fixed("dilation", 2)) { Allocates = true },
        new ModuleRow("TorchSharp.Modules.Linear", "torch.linear", In, ModuleState.Tensor("weight"), ModuleState.OptionalTensor("bias")) { Allocates = true },
        Conv("TorchSharp.Modules.Conv1d", 1),
        Conv("TorchSharp.Modules.Conv2d", 2),
        Conv("TorchSharp.Modules.Conv3d", 3),
        BatchNorm("TorchSharp.Modules.BatchNorm1d", 2, 3),
        BatchNorm("TorchSharp.Modules.BatchNorm2d", 4, 4),
        BatchNorm("TorchSharp.Modules.BatchNorm3d", 5, 5),
        new ModuleRow("TorchSharp.Modules.LayerNorm", "torch.layer_norm", In,
            ModuleState.Ints("normalized_shape", 4), ModuleState.OptionalTensor("weight"), ModuleState.OptionalTensor("bias"), ModuleState.Float("eps"),
            Literal("cudnn_enable", "True")) { Allocates = true },
        new ModuleRow("TorchSharp.Modules.GroupNorm", ModuleFunctions.GroupNorm, In,
            ModuleState.Int("num_groups"), ModuleState.OptionalTensor("weight"), ModuleState.OptionalTensor("bias"), ModuleState.Float("eps"))
        { Allocates = true },
        new ModuleRow("TorchSharp.Modules.Dropout", ModuleFunctions.Dropout, In, ModuleState.Float("p"), ModuleState.Bool("training"), ModuleState.Bool("inplace")),
        new ModuleRow("TorchSharp.Modules.ReLU", ModuleFunctions.Relu, In, ModuleState.Bool("inplace")),
        // GELU.Approximate: none = 0, tanh = 1.
        new ModuleRow("TorchSharp.Modules.GELU", ModuleFunctions.Gelu, In, ModuleState.Enum("approximate"), ModuleState.Bool("inplace")),
        new ModuleRow("TorchSharp.Modules.Tanh", ModuleFunctions.Tanh, In, ModuleState.Bool("inplace")),
        new ModuleRow("TorchSharp.Modules.Sigmoid", ModuleFunctions.Sigmoid, In, ModuleState.Bool("inplace")),
        new ModuleRow("TorchSharp.Modules.SiLU", ModuleFunctions.Silu, In, ModuleState.Bool("inplace")),
        new ModuleRow("TorchSharp.Modules.LeakyReLU", ModuleFunctions.LeakyRelu, In, ModuleState.Float("negative_slope"), ModuleState.Bool("inplace")),
        new ModuleRow("TorchSharp.Modules.Softmax", "torch.softmax", In, ModuleState.Int("dim")) { Allocates = true },
        new ModuleRow("TorchSharp.Modules.LogSoftmax", "torch.log_softmax", In, ModuleState.Int("dim")) { Allocates = true },
        // TorchSharp's functional forms: a null stride is the kernel size ([] in aten), a null padding zeros, a null
        // dilation ones.
        new ModuleRow("TorchSharp.Modules.MaxPool2d", "torch.max_pool2d", In,
            ModuleState.Fixed("kernel_size", 2), ModuleState.Fixed("stride", 2, whenNull: "kernel_size"), ModuleState.Fixed("padding", 2),
            ModuleState.Fixed("dilation", 2, nullValue: 1), ModuleState.Bool("ceil_mode")) { Allocates = true },
        new ModuleRow("TorchSharp.Modules.AvgPool2d", "torch.avg_pool2d", In,
            ModuleState.Fixed("kernel_size", 2), ModuleState.Fixed("stride", 2, whenNull: "kernel_size"), ModuleState.Fixed("padding", 2),
            ModuleState.Bool("ceil_mode"), ModuleState.Bool("count_include_pad"), ModuleState.Of("divisor_override", "Optional[int]", GraphKind.OptionalInt)) { Allocates = true },
        new ModuleRow("TorchSharp.Modules.AdaptiveAvgPool2d", "torch.adaptive_avg_pool2d", In, ModuleState.Fixed("output_size", 2)) { Allocates = true },
        // Native forwards: TorchSharp's Embedding and EmbeddingBag run libtorch's C++ modules, whose settings
        // cannot change after construction, so the construction's constants are the settings.
        new ModuleRow("TorchSharp.Modules.Embedding", ModuleFunctions.Embedding, In, ModuleState.Tensor("weight"),
            Setting("padding_idx"), Setting("scale_grad_by_freq"), Setting("sparse"))
        { Allocates = true, Constructed = new[] { "padding_idx", "max_norm", "scale_grad_by_freq", "sparse" } },
        new ModuleRow("TorchSharp.Modules.EmbeddingBag", ModuleFunctions.EmbeddingBag, In, new ModuleArgument.Input(1), new ModuleArgument.Input(2),
            ModuleState.Tensor("weight"), Setting("scale_grad_by_freq"), Setting("mode"), Setting("sparse"), Setting("include_last_offset"), Setting("padding_index"))
        {
            Allocates = true,
            Constructed = new[] { "max_norm", "scale_grad_by_freq", "mode", "sparse", "include_last_offset", "padding_index" },
        },
        new ModuleRow("TorchSharp.Modules.Flatten", "torch.flatten", In, ModuleState.Int("start_dim"), ModuleState.Int("end_dim")),
        new ModuleRow("TorchSharp.Modules.Identity", "torch.alias", In),
    };

    // TorchSharp's Conv1d/Conv2d/Conv3d.forward step for step (ModuleFunctions.Convolution): the padding modes (an
    // explicit pad, then an unpadded convolution), Padding.Same/Valid, explicit padding.
    private static ModuleRow Conv(string type, int dims) =>
        new(type, ModuleFunctions.Convolution, In, Literal("dims", dims.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ModuleState.Tensor("weight"), ModuleState.OptionalTensor("bias"), ModuleState.Enum("padding_mode"),
            new ModuleState("padding_type", "int", GraphKind.Int) { Read = ModuleStateRead.PaddingCode },
            ModuleState.Fixed("stride", dims), ModuleState.Fixed("padding", dims), ModuleState.Fixed("dilation", dims),
            ModuleState.Fixed("kernel_size", dims), ModuleState.Int("groups"))
        { Allocates = true };

    // The input ranks TorchSharp's ValidateInputDimensions accepts: a wrong one fails in the twin too (then eager
    // runs and throws its own ArgumentException), instead of aten quietly normalizing it.
    private static ModuleRow BatchNorm(string type, int minDim, int maxDim) =>
        new(type, ModuleFunctions.BatchNorm, In, Literal("min_dim", minDim.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Literal("max_dim", maxDim.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ModuleState.OptionalTensor("weight"), ModuleState.OptionalTensor("bias"), ModuleState.OptionalTensor("running_mean"),
            ModuleState.OptionalTensor("running_var"), ModuleState.OptionalTensor("num_batches_tracked"),
            ModuleState.Of("momentum", "Optional[float]", GraphKind.OptionalFloat), ModuleState.Float("eps"), ModuleState.Bool("training"),
            ModuleState.Bool("track_running_stats"))
        { Allocates = true };
}

/// <summary>Where a catalog row's state values come from when its call is spelled (<see cref="ModuleCatalog.Call"/>):
/// in the generator, graph inputs that generated code reads through the module's members; in the runtime's
/// composition, graph inputs that compiled readers take from the live module.</summary>
internal interface IModuleStateSource
{
    /// <summary>The whole state (a tensor, a number, a flag).</summary>
    GraphExpr Value(ModuleState state);

    /// <summary>Entry <paramref name="entry"/> of a list setting, or its length (-1 for null) where
    /// <paramref name="entry"/> is -1.</summary>
    GraphExpr Entry(ModuleState state, int entry);

    /// <summary>A fixed-length list setting (<see cref="ModuleState.FixedEntries"/>, not
    /// <see cref="ModuleState.FirstEntriesOnly"/>) is read entry by entry: its length must be confirmed.</summary>
    void ConfirmLength(ModuleState state);

    /// <summary>A setting only the construction call shows (<see cref="ModuleRow.Constructed"/>), as a literal.</summary>
    GraphExpr Setting(string name);

    /// <summary>A runtime function (<see cref="ModuleFunctions"/>) the call needs.</summary>
    void UseRuntime(string name);
}

internal static partial class ModuleCatalog
{
    private static readonly Dictionary<string, ModuleRow> s_byMetadataName = Rows.ToDictionary(r => r.MetadataName, StringComparer.Ordinal);

    /// <summary>The row of the module type with this metadata name (a .NET type's FullName), or null.</summary>
    public static ModuleRow? Find(string? metadataName) =>
        metadataName is not null && s_byMetadataName.TryGetValue(metadataName, out ModuleRow? row) ? row : null;

    /// <summary>The row's call on <paramref name="inputs"/> (forward's tensors; those left out are None), each state
    /// from <paramref name="states"/>, in the row's argument order: a fixed-length list setting as a list of its
    /// entries, a list of up to <see cref="ModuleState.ListLength"/> entries as its length and entries, rebuilt by
    /// <see cref="ModuleFunctions.IntList"/>.</summary>
    public static GraphModuleOp Call(ModuleRow row, IReadOnlyList<GraphExpr> inputs, IModuleStateSource states)
    {
        if (row.Helper is { } helper) states.UseRuntime(helper);
        var names = new List<string>();
        var values = new List<GraphExpr>();
        foreach (ModuleArgument argument in row.Arguments)
        {
            names.Add(argument.Name);
            switch (argument)
            {
                case ModuleArgument.Input input:
                    values.Add(input.Index < inputs.Count ? inputs[input.Index] : GraphLiteral.None);
                    continue;
                case ModuleArgument.Literal literal:
                    values.Add(new GraphLiteral(literal.Text));
                    continue;
                case ModuleArgument.Setting setting:
                    values.Add(states.Setting(setting.SettingName));
                    continue;
            }
            ModuleState state = ((ModuleArgument.OfState)argument).State;
            if (state.FixedEntries > 0)
            {
                if (!state.FirstEntriesOnly) states.ConfirmLength(state);
                values.Add(new GraphList(Enumerable.Range(0, state.FixedEntries).Select(k => states.Entry(state, k)).ToEquatableArray()));
            }
            else if (state.ListLength > 0)
            {
                states.UseRuntime(ModuleFunctions.IntList);
                GraphExpr length = states.Entry(state, -1);
                var entries = Enumerable.Range(0, state.ListLength).Select(k => states.Entry(state, k)).ToEquatableArray();
                values.Add(GraphCall.Of(ModuleFunctions.IntList, length, new GraphList(entries), new GraphLiteral(state.NullAs)));
            }
            else
            {
                values.Add(states.Value(state));
            }
        }
        return new GraphModuleOp(row.Name, row.Callee, names.ToEquatableArray(), values.ToEquatableArray());
    }
}

/// <summary>The runtime functions (TorchScript sources in TorchScriptHelpers) that module rows
/// call, by name: a row's callee is one of these or a TorchScript op.</summary>
internal static class ModuleFunctions
{
    public const string BatchNorm = "__hg_batch_norm", Convolution = "__hg_convolution", Embedding = "__hg_embedding",
        EmbeddingBag = "__hg_embedding_bag", Relu = "__hg_relu", Tanh = "__hg_tanh", Sigmoid = "__hg_sigmoid", Silu = "__hg_silu",
        LeakyRelu = "__hg_leaky_relu", Gelu = "__hg_gelu", Dropout = "__hg_dropout", GroupNorm = "__hg_group_norm", IntList = "__hg_int_list",
        TransformerEncoderLayer = "__hg_transformer_encoder_layer", Gru = "__hg_gru", Lstm = "__hg_lstm", Rnn = "__hg_rnn", Upsample = "__hg_upsample",
        MultiheadAttention = "__hg_multi_head_attention";
}

/// <summary>How a value is carried into the graph.</summary>
internal enum GraphKind
{
    Tensor,
    Int,
    Float,
    Bool,
    TensorList,
    IntList,
    FloatList,

    /// <summary>A tensor that may be null (a module's optional bias): None in the graph.</summary>
    OptionalTensor,

    /// <summary>A double that may be null (batch norm's momentum): None in the graph.</summary>
    OptionalFloat,

    /// <summary>A long that may be null (average pooling's divisor_override): None in the graph.</summary>
    OptionalInt,

    /// <summary>Carriable in principle (tuples) but not as a graph input yet.</summary>
    Other,
}
