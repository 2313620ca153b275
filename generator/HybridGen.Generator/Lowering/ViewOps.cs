using System.Text.RegularExpressions;

namespace HybridGen.Generator.Lowering;

/// <summary>
/// The aten ops whose result can be a view of their input. libtorch tags a view made under no_grad, and an in-place
/// op on it with grad on and an operand that requires grad then fails ("A view was created in no_grad mode and is
/// being modified inplace with grad mode enabled"), where the same view made by eager, in grad mode, is fine. So a
/// twin that can make views runs in the caller's grad mode, never under the dispatcher's no_grad (the runtime's
/// grad-free calls). Ops that return their input itself where nothing changes (contiguous, to, type_as) make no
/// view and are not listed.
/// </summary>
internal static class ViewOps
{
    private static readonly Regex Call = new(
        @"\btorch\.(view|view_as|reshape|reshape_as|flatten|unflatten|t|transpose|swapaxes|swapdims|permute|movedim|moveaxis|" +
        @"squeeze|unsqueeze|expand|expand_as|narrow|select|slice|diagonal|as_strided|unbind|split|split_with_sizes|chunk|" +
        @"tensor_split|hsplit|vsplit|dsplit|unfold|alias|detach|real|imag|view_as_real|view_as_complex|adjoint|" +
        @"squeeze_|unsqueeze_|transpose_|t_|numpy_T|matrix_H|mT|mH)\(",
        RegexOptions.CultureInvariant);

    /// <summary>Whether the twin's TorchScript calls an op that can return a view.</summary>
    public static bool AppearIn(string source) => Call.IsMatch(source);
}
