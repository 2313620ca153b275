using TorchSharp;

namespace HybridGen.Composition;

/// <summary>Before every call of a composed tree: a native module in training mode whose dropout probability lives in
/// libtorch's options (TorchSharp does not expose it) sends the call to eager, since no twin can reproduce its
/// dropout; the tree stays composed (ComposedTree.EagerReason).</summary>
internal sealed class NativeTrainingCheck : TreeCheck
{
    private readonly torch.nn.Module _module;
    private readonly string _path;

    public NativeTrainingCheck(torch.nn.Module module, string path)
    {
        _module = module;
        _path = path;
    }

    public override string? Misfit() => _module.training
        ? $"'{_path}' is a native {_module.GetType().Name} in training mode, whose dropout probability lives in libtorch's options (TorchSharp does not expose it): calls in training mode run eager"
        : null;
}
