using System;
using HybridGen.Torch.Native;

namespace HybridGen.Torch;

public static partial class torch
{
    /// <summary>Whether operations on this thread record gradients. Grad mode is per thread, as in PyTorch: a new
    /// thread (a thread-pool thread too) starts with it enabled.</summary>
    public static bool is_grad_enabled()
    {
        NativeMethods.Check(NativeMethods.hg_grad_mode(-1, out int enabled));
        return enabled != 0;
    }

    /// <summary>Turns gradient recording off on this thread until the returned scope is disposed:
    /// <c>using (torch.no_grad()) { ... }</c>.</summary>
    public static GradScope no_grad() => new(false);

    /// <summary>Turns gradient recording on on this thread until the returned scope is disposed.</summary>
    public static GradScope enable_grad() => new(true);

    /// <summary>Restores this thread's previous grad mode when disposed.</summary>
    public sealed class GradScope : IDisposable
    {
        private readonly bool _previous;
        private bool _disposed;

        internal GradScope(bool enabled)
        {
            NativeMethods.Check(NativeMethods.hg_grad_mode(enabled ? 1 : 0, out int previous));
            _previous = previous != 0;
        }

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            NativeMethods.Check(NativeMethods.hg_grad_mode(_previous ? 1 : 0, out _));
        }
    }
}

public partial class Tensor
{
    /// <summary>Whether operations on this tensor are recorded for <see cref="backward"/>. Setting it is
    /// <c>requires_grad_</c>.</summary>
    public bool requires_grad
    {
        get => Read().RequiresGrad;
        set => requires_grad_(value);
    }

    [AtenOp("aten::requires_grad_")]
    public Tensor requires_grad_(bool requires_grad = true)
    {
        AtenOps.requires_grad_.Call(this, requires_grad).Dispose();
        return this;
    }

    /// <summary>The gradient accumulated by <see cref="backward"/>, or null. Each read is a new handle to it.</summary>
    public Tensor? grad
    {
        get
        {
            NativeMethods.Check(NativeMethods.hg_tensor_grad(Handle, out nint g));
            GC.KeepAlive(this);
            return g == 0 ? null : new Tensor(g);
        }
        set
        {
            NativeMethods.Check(NativeMethods.hg_tensor_set_grad(Handle, value?.Handle ?? 0));
            GC.KeepAlive(this);
            GC.KeepAlive(value);
        }
    }

    /// <summary>Computes the gradients of this tensor (a scalar, unless <paramref name="gradient"/> is given)
    /// with respect to the leaves that require grad, accumulating them into their <see cref="grad"/>.</summary>
    [AtenOp("aten::_backward")]
    public void backward(Tensor? gradient = null, bool? retain_graph = null, bool create_graph = false) =>
        AtenOps._backward.CallVoid(this, Array.Empty<Tensor>(), Arg.Optional(gradient), Arg.Optional(retain_graph), create_graph);

    /// <summary>A tensor sharing this one's storage, cut from the autograd graph.</summary>
    [AtenOp("aten::detach")]
    public Tensor detach() => AtenOps.detach.Call(this);
}
