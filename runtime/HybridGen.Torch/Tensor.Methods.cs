using HybridGen.Torch.Native;

namespace HybridGen.Torch;

// Tensor methods (x.matmul(w), x.relu(), ...), each the ATen op it declares.
public sealed partial class Tensor
{
    [AtenOp("aten::matmul")] public Tensor matmul(Tensor other) => AtenOps.matmul.Call(this, other);
    [AtenOp("aten::relu")] public Tensor relu() => AtenOps.relu.Call(this);
    [AtenOp("aten::tanh")] public Tensor tanh() => AtenOps.tanh.Call(this);
    [AtenOp("aten::sigmoid")] public Tensor sigmoid() => AtenOps.sigmoid.Call(this);
    [AtenOp("aten::neg")] public Tensor neg() => AtenOps.neg.Call(this);
    [AtenOp("aten::sum")] public Tensor sum() => AtenOps.sum.Call(this);
}
