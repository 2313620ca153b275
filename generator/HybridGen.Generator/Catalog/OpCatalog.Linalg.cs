// Op catalog rows: matrix products, decompositions and torch.linalg (docs/architecture.md, decision 2).
// TorchSharp-specific findings:
// - addmm/addmv/addr/addbmm/baddbmm take float beta and alpha (aten: keyword-only Scalars); torch.addmm has no
//   defaults for them; torch.addmv names its operands mat1, mat2 though they are a matrix and a vector.
// - Tensor.baddbmm(batch1, batch2) and torch.baddbmm(input, batch1, batch2) call the native side with their
//   arguments rotated: eager computes batch2 * beta + alpha * (input @ batch1). The rows spell what eager does.
// - Tensor.pinverse(rcond, hermitian): aten's pinverse has no hermitian; only the default is spelled.
// - linalg.vecdot, lu_solve, solve_triangular carry a Tensor out parameter: only calls without it are spelled.
// - linalg.matrix_norm(dims = null): aten wants a list, so the no-dims call is its own row.
// Left out: Tensor.cross(Scalar other, long dim) and torch.cross(Tensor, Scalar, long) (TorchSharp types
// the other operand as a Scalar), tensordot(long dims) and tensordot(ValueTuple[]) (no aten overload / no
// tuple lowering), linalg.eigh/eigvalsh (char UPLO), linalg.qr (QRMode enum), linalg.lstsq, linalg.svd/eig
// (results not unique across implementations; complex), lu/lu_factor/ldl_*, *_ex, tensorsolve, cond(string).

namespace HybridGen.Generator.Catalog;

internal static partial class OpCatalog
{
    private static readonly OpRow[] s_linalg =
    {
        // Products.
        new("Tensor", "matmul", "aten::matmul", Example: "x.matmul(m)"),
        new("torch", "matmul", "aten::matmul", Example: "torch.matmul(x, m)"),
        new("Tensor", "mm", "aten::mm", Example: "x.mm(m)"),
        new("torch", "mm", "aten::mm", Example: "torch.mm(x, m)"),
        new("Tensor", "bmm", "aten::bmm", Example: "x.view(1, 3, 4).bmm(m.view(1, 4, 4))"),
        new("torch", "bmm", "aten::bmm", Example: "torch.bmm(x.view(1, 3, 4), m.view(1, 4, 4))"),
        new("Tensor", "mv", "aten::mv", Example: "x.mv(m[0])"),
        new("torch", "mv", "aten::mv", Example: "torch.mv(m, x[1])"),
        new("Tensor", "dot", "aten::dot", Example: "x[0].dot(y[1])"),
        new("torch", "dot", "aten::dot", Example: "torch.dot(x[2], m[3])"),
        new("Tensor", "vdot", "aten::vdot", Example: "x[0].vdot(y[1])"),
        new("torch", "vdot", "aten::vdot", Example: "torch.vdot(x[2], m[3])"),
        new("Tensor", "inner", "aten::inner", Example: "x[0].inner(y[1])"),
        new("torch", "inner", "aten::inner", Example: "torch.inner(x[2], m[3])"),
        new("Tensor", "outer", "aten::outer", Example: "x[0].outer(y[1])"),
        new("torch", "outer", "aten::outer", Example: "torch.outer(x[2], m[3])"),
        new("Tensor", "ger", "aten::ger", Example: "x[0].ger(y[1])"),
        new("torch", "ger", "aten::ger", Example: "torch.ger(x[2], m[3])"),
        new("Tensor", "kron", "aten::kron", Example: "x.kron(m[..2, ..2])"),
        new("torch", "kron", "aten::kron", Example: "torch.kron(x[0], y[1])"),
        new("Tensor", "addmm", "aten::addmm(self, mat1, mat2, beta=beta, alpha=alpha)", Example: "y.addmm(x, m, 0.5f, 2)"),
        new("torch", "addmm", "aten::addmm(input, mat1, mat2, beta=beta, alpha=alpha)", Example: "torch.addmm(m[0], x, m, 1, 1)"),
        new("Tensor", "addmm_", "aten::addmm_(self, mat1, mat2, beta=beta, alpha=alpha)", Facts: OpFacts.InPlace, Example: "y.clone().addmm_(x, m, 0.5f, 2)"),
        new("Tensor", "addmv", "aten::addmv(self, mat, vec, beta=beta, alpha=alpha)", Example: "x[0, ..3].addmv(x, m[1])"),
        new("torch", "addmv", "aten::addmv(input, mat1, mat2, beta=beta, alpha=alpha)", Example: "torch.addmv(y[1, ..3], x, m[1], 2, 0.5f)"),
        new("Tensor", "addmv_", "aten::addmv_(self, mat, vec, beta=beta, alpha=alpha)", Facts: OpFacts.InPlace, Example: "x[0, ..3].clone().addmv_(x, m[1])"),
        new("Tensor", "addr", "aten::addr(self, vec1, vec2, beta=beta, alpha=alpha)", Example: "x.addr(y[.., 0], m[1])"),
        new("torch", "addr", "aten::addr(input, vec1, vec2, beta=beta, alpha=alpha)", Example: "torch.addr(x, y[.., 0], m[1], 0.5f)"),
        new("Tensor", "addr_", "aten::addr_(self, vec1, vec2, beta=beta, alpha=alpha)", Facts: OpFacts.InPlace, Example: "x.clone().addr_(y[.., 0], m[1])"),
        new("Tensor", "baddbmm", "aten::baddbmm(batch2, self, batch1, beta=beta, alpha=alpha)", Example: "x.view(1, 3, 4).baddbmm(m.view(1, 4, 4), y.view(1, 3, 4))"),
        new("torch", "baddbmm", "aten::baddbmm(batch2, input, batch1, beta=beta, alpha=alpha)", Example: "torch.baddbmm(x.view(1, 3, 4), m.view(1, 4, 4), y.view(1, 3, 4), 0.5f, 2)"),
        new("Tensor", "addbmm", "aten::addbmm(self, batch1, batch2, beta=beta, alpha=alpha)", Example: "y.addbmm(x.view(1, 3, 4), m.view(1, 4, 4))"),
        new("torch", "addbmm", "aten::addbmm(input, batch1, batch2, beta=beta, alpha=alpha)", Example: "torch.addbmm(y, x.view(1, 3, 4), m.view(1, 4, 4), 2, 0.5f)"),
        new("torch", "einsum", "aten::einsum", Example: "torch.einsum(\"ij,jk->ik\", x, m)"),
        new("torch", "chain_matmul", "aten::chain_matmul", Example: "torch.chain_matmul(x, m, m)"),
        new("Tensor", "tensordot", "aten::tensordot", Overload: "Tensor,*,*", Example: "x.tensordot(m, new long[] { 1 }, new long[] { 0 })"),
        new("torch", "tensordot", "aten::tensordot", Overload: "Tensor,Tensor,*,*", Example: "torch.tensordot(x, m, new long[] { 1 }, new long[] { 1 })"),
        new("torch", "cdist", "aten::cdist", Example: "torch.cdist(x, y)"),
        new("Tensor", "matrix_power", "aten::matrix_power", Example: "m.matrix_power(3)"),
        new("torch", "matrix_power", "aten::matrix_power", Example: "torch.matrix_power(m, 2)"),
        // Decompositions and inverses (Tensor and torch.* forms).
        new("Tensor", "det", "aten::det", Example: "m.det()"),
        new("torch", "det", "aten::det", Example: "torch.det(m)"),
        new("Tensor", "logdet", "aten::logdet", Example: "m.mm(m.t()).add(torch.eye(4)).logdet()"),
        new("torch", "logdet", "aten::logdet", Example: "torch.logdet(m.mm(m.t()).add(torch.eye(4)))"),
        new("Tensor", "inverse", "aten::inverse", Example: "m.inverse()"),
        new("torch", "inverse", "aten::inverse", Example: "torch.inverse(m)"),
        new("Tensor", "pinverse", "aten::pinverse(self, rcond)", Example: "x.pinverse()"),
        new("torch", "pinverse", "aten::pinverse(input, rcond)", Example: "torch.pinverse(x, 0.0001)"),
        new("Tensor", "cholesky", "aten::cholesky", Example: "m.mm(m.t()).add(torch.eye(4)).cholesky()"),
        new("torch", "cholesky", "aten::cholesky", Overload: "Tensor", Example: "torch.cholesky(m.mm(m.t()).add(torch.eye(4)))"),
        new("torch", "cholesky", "aten::cholesky", Overload: "Tensor,*", Example: "torch.cholesky(m.mm(m.t()).add(torch.eye(4)), true)"),
        new("Tensor", "cholesky_inverse", "aten::cholesky_inverse", Example: "m.mm(m.t()).add(torch.eye(4)).cholesky().cholesky_inverse()"),
        new("Tensor", "matrix_exp", "aten::matrix_exp", Example: "m.matrix_exp()"),
        // torch.linalg (aten spells them linalg_*).
        new("linalg", "cholesky", "aten::linalg_cholesky", Example: "linalg.cholesky(m.mm(m.t()).add(torch.eye(4)))"),
        new("linalg", "det", "aten::linalg_det", Example: "linalg.det(m)"),
        new("linalg", "slogdet", "aten::linalg_slogdet", Example: "linalg.slogdet(m).Item2"),
        new("linalg", "inv", "aten::linalg_inv", Example: "linalg.inv(m)"),
        new("linalg", "pinv", "aten::linalg_pinv(input, atol=atol, rtol=rtol, hermitian=hermitian)", Overload: "Tensor,*,*,*", Example: "linalg.pinv(x)"),
        new("linalg", "matrix_exp", "aten::linalg_matrix_exp", Example: "linalg.matrix_exp(m)"),
        new("linalg", "matrix_rank", "aten::linalg_matrix_rank(input, atol=atol, rtol=rtol, hermitian=hermitian)", Overload: "Tensor,*,*,*", Example: "linalg.matrix_rank(m)"),
        new("linalg", "solve", "aten::linalg_solve(A, B, left=left)", Example: "linalg.solve(m, x.t())"),
        new("linalg", "solve_triangular", "aten::linalg_solve_triangular(A, B, upper=upper, left=left, unitriangular=unitriangular)", Example: "linalg.solve_triangular(m.triu().add(torch.eye(4)), x.t(), true)"),
        new("linalg", "cross", "aten::linalg_cross(input, other, dim=dim)", Example: "linalg.cross(x[.., ..3], y[.., ..3])"),
        new("linalg", "vecdot", "aten::linalg_vecdot(x, y, dim=dim)", Example: "linalg.vecdot(x, y)"),
        new("linalg", "multi_dot", "aten::linalg_multi_dot", Example: "linalg.multi_dot(new[] { x, m, m })"),
        new("linalg", "vector_norm", "aten::linalg_vector_norm", Example: "linalg.vector_norm(x, 1, new long[] { 1 })"),
        new("linalg", "norm", "aten::linalg_norm", Overload: "Tensor,Scalar,*,*", Example: "linalg.norm(x, 2.0, new long[] { 1 }, true)"),
        new("linalg", "norm", "aten::linalg_norm", Overload: "Tensor,*,*,*", Example: "linalg.norm(x, \"fro\")"),
        new("linalg", "norm", "aten::linalg_norm(input, None, dims, keepdim)", Overload: "Tensor,*,*", Example: "linalg.norm(x)"),
        new("linalg", "matrix_norm", "aten::linalg_matrix_norm(input, ord, keepdim=keepdim)", Overload: "Tensor,*,*,*", Example: "linalg.matrix_norm(x)"),
        new("linalg", "matrix_norm", "aten::linalg_matrix_norm(input, ord, dims, keepdim)", Overload: "Tensor,Scalar,*,*", Example: "linalg.matrix_norm(x.view(1, 3, 4), 1.0, new long[] { 1, 2 })"),
        new("linalg", "svdvals", "aten::linalg_svdvals", Example: "linalg.svdvals(x)"),
        new("linalg", "diagonal", "aten::linalg_diagonal(input, offset=offset, dim1=dim1, dim2=dim2)", Example: "linalg.diagonal(m, 1)"),
        new("linalg", "tensorinv", "aten::linalg_tensorinv", Example: "linalg.tensorinv(m.view(2, 2, 4), 2)"),
        new("linalg", "vander", "aten::linalg_vander(input, N=N)", Example: "linalg.vander(x[0], 3)"),
        new("linalg", "householder_product", "aten::linalg_householder_product", Example: "linalg.householder_product(m, m[0, ..2])"),
        new("linalg", "cond", "aten::linalg_cond", Overload: "Tensor", Example: "linalg.cond(m)"),
        new("linalg", "cond", "aten::linalg_cond", Overload: "Tensor,Scalar", Example: "linalg.cond(m, 1)"),
    };
}
