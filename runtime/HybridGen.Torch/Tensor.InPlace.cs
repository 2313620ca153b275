using HybridGen.Torch.Native;

namespace HybridGen.Torch;

// In-place ops (trailing underscore, as in PyTorch): they change this tensor and return it.
public partial class Tensor
{
    private Tensor InPlace(Tensor alias)
    {
        alias.Dispose(); // the op returns a second handle to this same tensor
        return this;
    }

    [AtenOp("aten::add_.Tensor(self, other, alpha=alpha)")] public Tensor add_(Tensor other, double alpha = 1) => InPlace(AtenOps.add__Tensor.Call(this, other, alpha));
    [AtenOp("aten::add_.Scalar")] public Tensor add_(double other) => InPlace(AtenOps.add__Scalar.Call(this, other));
    [AtenOp("aten::sub_.Tensor(self, other, alpha=alpha)")] public Tensor sub_(Tensor other, double alpha = 1) => InPlace(AtenOps.sub__Tensor.Call(this, other, alpha));
    [AtenOp("aten::mul_.Tensor")] public Tensor mul_(Tensor other) => InPlace(AtenOps.mul__Tensor.Call(this, other));
    [AtenOp("aten::mul_.Scalar")] public Tensor mul_(double other) => InPlace(AtenOps.mul__Scalar.Call(this, other));
    [AtenOp("aten::div_.Tensor")] public Tensor div_(Tensor other) => InPlace(AtenOps.div__Tensor.Call(this, other));
    [AtenOp("aten::div_.Scalar")] public Tensor div_(double other) => InPlace(AtenOps.div__Scalar.Call(this, other));
    [AtenOp("aten::addcmul_(self, tensor1, tensor2, value=value)")]
    public Tensor addcmul_(Tensor tensor1, Tensor tensor2, double value = 1) => InPlace(AtenOps.addcmul_.Call(this, tensor1, tensor2, value));
    [AtenOp("aten::addcdiv_(self, tensor1, tensor2, value=value)")]
    public Tensor addcdiv_(Tensor tensor1, Tensor tensor2, double value = 1) => InPlace(AtenOps.addcdiv_.Call(this, tensor1, tensor2, value));
    [AtenOp("aten::zero_")] public Tensor zero_() => InPlace(AtenOps.zero_.Call(this));
    [AtenOp("aten::fill_.Scalar")] public Tensor fill_(double value) => InPlace(AtenOps.fill__Scalar.Call(this, value));
    [AtenOp("aten::copy_")] public Tensor copy_(Tensor source) => InPlace(AtenOps.copy_.Call(this, source));
    [AtenOp("aten::uniform_(self, from, to, generator=generator)")]
    public Tensor uniform_(double from = 0, double to = 1, torch.Generator? generator = null) => InPlace(AtenOps.uniform_.Call(this, from, to, Arg.Optional(generator)));
    [AtenOp("aten::normal_(self, mean, std, generator=generator)")]
    public Tensor normal_(double mean = 0, double std = 1, torch.Generator? generator = null) => InPlace(AtenOps.normal_.Call(this, mean, std, Arg.Optional(generator)));
}
