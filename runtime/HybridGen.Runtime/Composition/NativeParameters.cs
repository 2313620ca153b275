using System;
using HybridGen.Twins;
using TorchSharp;

namespace HybridGen.Composition;

/// <summary>Reads a native module's parameter by its registered name at every call. TorchSharp registers a native
/// module's parameters under their full names ("self_attn.in_proj_weight") and replaces a registered Parameter object
/// when <c>to(dtype)</c> or <c>to(device)</c> must copy it or its gradient (disposing the old one), so a reader holds
/// the name, not the object; load_state_dict and optimizer steps change the registered objects in place.</summary>
internal static class NativeParameters
{
    public static Func<object, TwinValue> Reader(string name) => module =>
        ((torch.nn.Module)module).get_parameter(name) is { } parameter
            ? parameter
            : throw new InvalidOperationException($"the native {module.GetType().Name} no longer has the parameter '{name}' its composed twin reads");
}
