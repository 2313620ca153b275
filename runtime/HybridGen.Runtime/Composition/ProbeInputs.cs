using System.Linq;
using static TorchSharp.torch;

namespace HybridGen.Composition;

/// <summary>The private inputs the native modules' probes run on, drawn from a generator of their own with one seed:
/// every probe of a module sees the same input, and the process's generator (the user's) is not touched.</summary>
internal static class ProbeInputs
{
    /// <summary>The seed of the probes' inputs, and of the fixed random state dropout is measured from.</summary>
    public const ulong Seed = 0x5EED;

    /// <summary>Standard-normal tensors of <paramref name="shapes"/>, drawn in that order, in
    /// <paramref name="like"/>'s dtype and on its device.</summary>
    public static Tensor[] Randn(Tensor like, params long[][] shapes)
    {
        using var generator = new Generator(Seed);
        return shapes.Select(shape => randn(shape, generator: generator).to(like.dtype, like.device)).ToArray();
    }
}
