using TorchSharp;

namespace HybridGen.Composition;

/// <summary>Before every call of a composed tree: a native module in training mode whose dropout probability lives in
/// libtorch's options (TorchSharp does not expose it) needs it measured (<see cref="NativeDropout"/>, at the first such
/// call); where it cannot be, the call runs eager, since no twin can reproduce its dropout; the tree stays composed
/// (ComposedTree.EagerReason).</summary>
internal sealed class NativeTrainingCheck : TreeCheck
{
    private readonly torch.nn.Module _module;

    public NativeTrainingCheck(torch.nn.Module module) => _module = module;

    public override string? Misfit() => _module.training ? NativeDropout.Misfit(_module) : null;
}
