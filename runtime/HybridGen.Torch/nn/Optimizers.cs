using System;
using System.Collections.Generic;
using System.Linq;
using static HybridGen.Torch.torch;

namespace HybridGen.Torch.Optimizers;

/// <summary>The base of optimizers: the parameters it updates and their per-parameter state.</summary>
public abstract class Optimizer : IDisposable
{
    protected Optimizer(IEnumerable<nn.Parameter> parameters)
    {
        Parameters = (parameters ?? throw new ArgumentNullException(nameof(parameters))).ToArray();
        if (Parameters.Count == 0) throw new ArgumentException("the optimizer got no parameters", nameof(parameters));
    }

    protected IReadOnlyList<nn.Parameter> Parameters { get; }

    /// <summary>Clears every parameter's gradient.</summary>
    public void zero_grad()
    {
        foreach (nn.Parameter p in Parameters) p.grad = null;
    }

    /// <summary>Updates every parameter that has a gradient (without recording it for autograd).</summary>
    public void step()
    {
        BeginStep();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            for (int k = 0; k < Parameters.Count; k++)
            {
                Tensor? grad = Parameters[k].grad;
                if (grad is not null) Update(k, Parameters[k], grad);
            }
        }
    }

    /// <summary>Called once at the start of each step.</summary>
    protected virtual void BeginStep() { }

    /// <summary>Updates one parameter in place; runs inside a dispose scope with grad mode off.</summary>
    protected abstract void Update(int index, nn.Parameter parameter, Tensor grad);

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

/// <summary>Stochastic gradient descent with optional momentum and weight decay (PyTorch's formulation).</summary>
public sealed class SGD : Optimizer
{
    private readonly double _lr, _momentum, _weightDecay;
    private readonly Tensor?[] _velocity;

    internal SGD(IEnumerable<nn.Parameter> parameters, double lr, double momentum, double weightDecay) : base(parameters)
    {
        if (lr <= 0) throw new ArgumentOutOfRangeException(nameof(lr), lr, "the learning rate must be positive");
        (_lr, _momentum, _weightDecay) = (lr, momentum, weightDecay);
        _velocity = new Tensor?[Parameters.Count];
    }

    protected override void Update(int index, nn.Parameter parameter, Tensor grad)
    {
        Tensor g = _weightDecay != 0 ? grad.add(parameter, _weightDecay) : grad;
        if (_momentum != 0)
        {
            if (_velocity[index] is { } v) v.mul_(_momentum).add_(g);
            else _velocity[index] = g.clone().DetachFromDisposeScope();
            g = _velocity[index]!;
        }
        parameter.add_(g, -_lr);
    }

    public override void Dispose()
    {
        foreach (Tensor? v in _velocity) v?.Dispose();
        base.Dispose();
    }
}

/// <summary>Adam (Kingma and Ba), with PyTorch's bias correction and optional L2 weight decay.</summary>
public sealed class Adam : Optimizer
{
    private readonly double _lr, _beta1, _beta2, _eps, _weightDecay;
    private readonly Tensor?[] _m, _v;
    private long _step;

    internal Adam(IEnumerable<nn.Parameter> parameters, double lr, double beta1, double beta2, double eps, double weightDecay) : base(parameters)
    {
        if (lr <= 0) throw new ArgumentOutOfRangeException(nameof(lr), lr, "the learning rate must be positive");
        (_lr, _beta1, _beta2, _eps, _weightDecay) = (lr, beta1, beta2, eps, weightDecay);
        _m = new Tensor?[Parameters.Count];
        _v = new Tensor?[Parameters.Count];
    }

    protected override void BeginStep() => _step++;

    protected override void Update(int index, nn.Parameter parameter, Tensor grad)
    {
        Tensor g = _weightDecay != 0 ? grad.add(parameter, _weightDecay) : grad;
        Tensor m = _m[index] ??= zeros_like(parameter).DetachFromDisposeScope();
        Tensor v = _v[index] ??= zeros_like(parameter).DetachFromDisposeScope();
        m.mul_(_beta1).add_(g, 1 - _beta1);
        v.mul_(_beta2).addcmul_(g, g, 1 - _beta2);
        double correction1 = 1 - Math.Pow(_beta1, _step);
        double correction2 = 1 - Math.Pow(_beta2, _step);
        Tensor denominator = (v.sqrt() / Math.Sqrt(correction2)).add_(_eps);
        parameter.addcdiv_(m, denominator, -_lr / correction1);
    }

    public override void Dispose()
    {
        foreach (Tensor? t in _m.Concat(_v)) t?.Dispose();
        base.Dispose();
    }
}
