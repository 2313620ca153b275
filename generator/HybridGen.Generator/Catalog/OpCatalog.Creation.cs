// Op catalog rows: factories (docs/architecture.md, decision 2). dtype, device and generator are keyword-only in aten.
// TorchSharp-specific findings:
// - Every factory has requires_grad and most have names (named dimensions), which aten's factories lack: only
//   calls leaving them at their defaults (false, null) are spelled.
// - The size forms: long[] size, a single long/int size, and (rows, columns), (dim0, dim1, dim2[, dim3]) as
//   separate ints, which TorchScript takes as varargs for the size list (torch.zeros(2, 3, dtype=…)).
// - torch.eye(rows, columns = -1): the default is its own row (eye(n)).
// - TorchSharp's own arange/randint/randperm default dtypes are checked against aten's (eager vs graph).
// - torch.randint with dtype null gives int64 in TorchSharp but float32 through aten (None is not aten's default
//   long): left out until the DSL can spell a default for a null argument.
// Left out: torch.randint (above), full(long size, value) and new_full(long size, value) (a lone int is no size
// list before another positional argument), full(rows, columns, value) and the other multi-int full/new_full forms (varargs only work for a
// trailing list), randint(…, Size size), randperm(long n, Tensor out, …), normal(mean, std, ReadOnlySpan size),
// the tensor(...)/as_tensor/from_array constructors (host data), the ReadOnlySpan size overloads (no lowering).

namespace HybridGen.Generator.Catalog;

internal static partial class OpCatalog
{
    private static readonly OpRow[] s_creation =
    {
        // Filled tensors of a given size (requires_grad and names must be left at their defaults).
        // torch.tensor of a C# array (written in the body, so its values are in the twin): the dtype TorchSharp
        // gives each element type, spelled out (TorchScript would make float32 of a list of floats, int64 of ints).
        new("torch", "tensor", "aten::tensor(dataArray, dtype=4)", Overload: "long[],*,*,*,*", Example: "x + torch.tensor(new long[] { 1, 0, 3, 2 })"),
        new("torch", "tensor", "aten::tensor(rawArray, dtype=3)", Overload: "int[],*,*,*,*", Example: "x + torch.tensor(new int[] { 1, 0, 3, 2 })"),
        new("torch", "tensor", "aten::tensor(rawArray, dtype=6)", Overload: "float[],*,*,*,*", Example: "x * torch.tensor(new float[] { 1, -1, 0.5f, 2 })"),
        new("torch", "tensor", "aten::tensor(rawArray, dtype=7)", Overload: "double[],*,*,*,*", Example: "x * torch.tensor(new double[] { 1, -1, 0.5, 2 })"),
        new("torch", "tensor", "aten::tensor(rawArray, dtype=11)", Overload: "bool[],*,*,*,*", Example: "x.masked_fill(torch.tensor(new bool[] { true, false, false, true }), 0.0)"),
        new("torch", "zeros", "aten::requires_grad_(aten::zeros(size, dtype=dtype, device=device), requires_grad)", Overload: "Scalar,*,*,*,*", Example: "torch.zeros(5, ScalarType.Int64)"),
        new("torch", "zeros", "aten::requires_grad_(aten::zeros(size, dtype=dtype, device=device), requires_grad)", Overload: "*,*,*,*,*", Example: "torch.zeros(new long[] { 3, 4 })"),
        new("torch", "zeros", "aten::requires_grad_(aten::zeros(rows, columns, dtype=dtype, device=device), requires_grad)", Example: "torch.zeros(2, 3, ScalarType.Float64, torch.CPU)"),
        new("torch", "zeros", "aten::requires_grad_(aten::zeros(dim0, dim1, dim2, dtype=dtype, device=device), requires_grad)", Example: "torch.zeros(2, 1, 3)"),
        new("torch", "zeros", "aten::requires_grad_(aten::zeros(dim0, dim1, dim2, dim3, dtype=dtype, device=device), requires_grad)", Example: "torch.zeros(1, 2, 1, 3, ScalarType.Bool)"),
        new("torch", "zeros_like", "aten::requires_grad_(aten::zeros_like(input, dtype=dtype, device=device), requires_grad)", Example: "torch.zeros_like(x)"),
        new("Tensor", "zeros_like", "aten::requires_grad_(aten::zeros_like(self, dtype=dtype, device=device), requires_grad)", Example: "x.zeros_like(ScalarType.Int32)"),
        new("torch", "ones", "aten::requires_grad_(aten::ones(size, dtype=dtype, device=device), requires_grad)", Overload: "Scalar,*,*,*,*", Example: "torch.ones(5, ScalarType.Int64)"),
        new("torch", "ones", "aten::requires_grad_(aten::ones(size, dtype=dtype, device=device), requires_grad)", Overload: "*,*,*,*,*", Example: "torch.ones(new long[] { 3, 4 })"),
        new("torch", "ones", "aten::requires_grad_(aten::ones(rows, columns, dtype=dtype, device=device), requires_grad)", Example: "torch.ones(2, 3, ScalarType.Float64, torch.CPU)"),
        new("torch", "ones", "aten::requires_grad_(aten::ones(dim0, dim1, dim2, dtype=dtype, device=device), requires_grad)", Example: "torch.ones(2, 1, 3)"),
        new("torch", "ones", "aten::requires_grad_(aten::ones(dim0, dim1, dim2, dim3, dtype=dtype, device=device), requires_grad)", Example: "torch.ones(1, 2, 1, 3, ScalarType.Bool)"),
        new("torch", "ones_like", "aten::requires_grad_(aten::ones_like(input, dtype=dtype, device=device), requires_grad)", Example: "torch.ones_like(x)"),
        new("Tensor", "ones_like", "aten::requires_grad_(aten::ones_like(self, dtype=dtype, device=device), requires_grad)", Example: "x.ones_like(ScalarType.Int32)"),
        new("torch", "empty", "aten::requires_grad_(aten::empty(size, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Uninitialized, Overload: "Scalar,*,*,*,*", Example: "torch.empty(7)"),
        new("torch", "empty", "aten::requires_grad_(aten::empty(size, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Uninitialized, Overload: "*,*,*,*,*", Example: "torch.empty(new long[] { 3, 4 }, ScalarType.Float64)"),
        new("torch", "empty", "aten::requires_grad_(aten::empty(rows, columns, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Uninitialized, Example: "torch.empty(2, 3)"),
        new("torch", "empty", "aten::requires_grad_(aten::empty(dim0, dim1, dim2, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Uninitialized, Example: "torch.empty(2, 1, 3)"),
        new("torch", "empty_like", "aten::requires_grad_(aten::empty_like(input, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Uninitialized, Example: "torch.empty_like(x, ScalarType.Int64)"),
        new("Tensor", "empty_like", "aten::requires_grad_(aten::empty_like(self, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Uninitialized, Example: "x.empty_like()"),
        new("torch", "full", "aten::requires_grad_(aten::full(size, value, dtype=dtype, device=device), requires_grad)", Overload: "*,Scalar,*,*,*,*", Example: "torch.full(new long[] { 3, 4 }, 0.5)"),
        new("torch", "full_like", "aten::requires_grad_(aten::full_like(input, value, dtype=dtype, device=device), requires_grad)", Example: "torch.full_like(x, 7)"),
        new("Tensor", "full_like", "aten::requires_grad_(aten::full_like(self, value, dtype=dtype, device=device), requires_grad)", Example: "x.full_like(0.5, ScalarType.Float64)"),
        new("Tensor", "new_zeros", "aten::requires_grad_(aten::new_zeros(self, size, dtype=dtype, device=device), requires_grad)", Overload: "Scalar,*,*,*", Example: "x.new_zeros(5)"),
        new("Tensor", "new_zeros", "aten::requires_grad_(aten::new_zeros(self, size, dtype=dtype, device=device), requires_grad)", Overload: "*,*,*,*", Example: "x.new_zeros(new long[] { 2, 2 }, ScalarType.Int32)"),
        new("Tensor", "new_ones", "aten::requires_grad_(aten::new_ones(self, size, dtype=dtype, device=device), requires_grad)", Overload: "Scalar,*,*,*", Example: "x.new_ones(5)"),
        new("Tensor", "new_empty", "aten::requires_grad_(aten::new_empty(self, size, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Uninitialized, Example: "x.new_empty(new long[] { 2, 2 }, ScalarType.Int32)"),
        new("Tensor", "new_zeros", "aten::requires_grad_(aten::new_zeros(self, rows, columns, dtype=dtype, device=device), requires_grad)", Example: "x.new_zeros(2, 3)"),
        new("Tensor", "new_zeros", "aten::requires_grad_(aten::new_zeros(self, dim0, dim1, dim2, dtype=dtype, device=device), requires_grad)", Example: "x.new_zeros(2, 1, 3, ScalarType.Int64)"),
        new("Tensor", "new_ones", "aten::requires_grad_(aten::new_ones(self, rows, columns, dtype=dtype, device=device), requires_grad)", Example: "x.new_ones(2, 3)"),
        new("Tensor", "new_ones", "aten::requires_grad_(aten::new_ones(self, dim0, dim1, dim2, dtype=dtype, device=device), requires_grad)", Example: "x.new_ones(2, 1, 3, ScalarType.Int64)"),
        new("Tensor", "new_empty", "aten::requires_grad_(aten::new_empty(self, rows, columns, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Uninitialized, Example: "x.new_empty(2, 3)"),
        new("Tensor", "new_empty", "aten::requires_grad_(aten::new_empty(self, dim0, dim1, dim2, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Uninitialized, Example: "x.new_empty(2, 1, 3, ScalarType.Int64)"),
        new("Tensor", "new_full", "aten::requires_grad_(aten::new_full(self, size, value, dtype=dtype, device=device), requires_grad)", Overload: "*,Scalar,*,*,*", Example: "x.new_full(new long[] { 2, 3 }, 1.5)"),
        // Ranges and identity matrices.
        new("torch", "arange", "aten::requires_grad_(aten::arange(stop, dtype=dtype, device=device), requires_grad)", Example: "torch.arange(5)"),
        new("torch", "arange", "aten::requires_grad_(aten::arange(start, stop, dtype=dtype, device=device), requires_grad)", Example: "torch.arange(1.5, 4.0)"),
        new("torch", "arange", "aten::requires_grad_(aten::arange(start, stop, step, dtype=dtype, device=device), requires_grad)", Example: "torch.arange(0, 12, 3, ScalarType.Float32)"),
        new("torch", "linspace", "aten::requires_grad_(aten::linspace(start, end, steps, dtype=dtype, device=device), requires_grad)", Example: "torch.linspace(0, 1, 5)"),
        new("torch", "logspace", "aten::requires_grad_(aten::logspace(start, end, steps, base, dtype=dtype, device=device), requires_grad)", Example: "torch.logspace(0, 2, 3, 2)"),
        new("torch", "eye", "aten::requires_grad_(aten::eye(rows, dtype=dtype, device=device), requires_grad)", Example: "torch.eye(3)"),
        new("torch", "eye", "aten::requires_grad_(aten::eye(rows, columns, dtype=dtype, device=device), requires_grad)", Example: "torch.eye(2, 4, ScalarType.Int64)"),
        new("torch", "tril_indices", "aten::tril_indices(row, col, offset, dtype=dtype, device=device)", Example: "torch.tril_indices(3, 3)"),
        new("torch", "triu_indices", "aten::triu_indices(row, col, offset, dtype=dtype, device=device)", Example: "torch.triu_indices(3, 4, 1)"),
        // Random tensors (a non-null generator is not lowered; requires_grad and names left at their defaults).
        new("torch", "rand", "aten::requires_grad_(aten::rand(size, generator=generator, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Overload: "Scalar,*,*,*,*,*", Example: "torch.rand(6, ScalarType.Float64)"),
        new("torch", "rand", "aten::requires_grad_(aten::rand(size, generator=generator, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Overload: "*,*,*,*,*,*", Example: "torch.rand(new long[] { 3, 4 })"),
        new("torch", "rand", "aten::requires_grad_(aten::rand(rows, columns, generator=generator, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "torch.rand(2, 3)"),
        new("torch", "rand", "aten::requires_grad_(aten::rand(dim0, dim1, dim2, generator=generator, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "torch.rand(2, 1, 3)"),
        new("torch", "rand", "aten::requires_grad_(aten::rand(dim0, dim1, dim2, dim3, generator=generator, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "torch.rand(1, 2, 1, 3)"),
        new("torch", "rand_like", "aten::requires_grad_(aten::rand_like(input, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "torch.rand_like(x)"),
        new("Tensor", "rand_like", "aten::requires_grad_(aten::rand_like(self, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "x.rand_like(ScalarType.Float64)"),
        new("torch", "randn", "aten::requires_grad_(aten::randn(size, generator=generator, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Overload: "Scalar,*,*,*,*,*", Example: "torch.randn(6, ScalarType.Float64)"),
        new("torch", "randn", "aten::requires_grad_(aten::randn(size, generator=generator, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Overload: "*,*,*,*,*,*", Example: "torch.randn(new long[] { 3, 4 })"),
        new("torch", "randn", "aten::requires_grad_(aten::randn(rows, columns, generator=generator, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "torch.randn(2, 3)"),
        new("torch", "randn", "aten::requires_grad_(aten::randn(dim0, dim1, dim2, generator=generator, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "torch.randn(2, 1, 3)"),
        new("torch", "randn", "aten::requires_grad_(aten::randn(dim0, dim1, dim2, dim3, generator=generator, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "torch.randn(1, 2, 1, 3)"),
        new("torch", "randn_like", "aten::requires_grad_(aten::randn_like(input, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "torch.randn_like(x)"),
        new("Tensor", "randn_like", "aten::requires_grad_(aten::randn_like(self, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "x.randn_like(ScalarType.Float64)"),
        new("torch", "randint_like", "aten::requires_grad_(aten::randint_like(input, low, high, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "torch.randint_like(x, 0, 10)"),
        new("Tensor", "randint_like", "aten::requires_grad_(aten::randint_like(self, low, high, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Example: "x.randint_like(1, 3, ScalarType.Int64)"),
        new("torch", "randperm", "aten::requires_grad_(aten::randperm(n, generator=generator, dtype=dtype, device=device), requires_grad)", Facts: OpFacts.Random, Overload: "Scalar,*,*,*,*", Example: "torch.randperm(6)"),
    };
}
