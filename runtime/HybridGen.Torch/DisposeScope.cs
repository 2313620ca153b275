using System;
using System.Collections.Generic;

namespace HybridGen.Torch;

/// <summary>
/// Disposes, when it is disposed, every tensor created on this thread while it was the innermost scope, except
/// those moved out (<see cref="Tensor.MoveToOuterDisposeScope"/>) or detached
/// (<see cref="Tensor.DetachFromDisposeScope"/>). Start one with <c>torch.NewDisposeScope()</c>; scopes nest.
/// </summary>
public sealed class DisposeScope : IDisposable
{
    [ThreadStatic] private static DisposeScope? t_current;
    private readonly HashSet<Tensor> _owned = new(ReferenceEqualityComparer.Instance);
    private bool _disposed;

    internal DisposeScope()
    {
        Outer = t_current;
        t_current = this;
    }

    /// <summary>The scope this one was started in, if any.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>How many tensors this scope will dispose.</summary>
    public int Count => _owned.Count;

    internal static void Track(Tensor tensor) => t_current?.Adopt(tensor);

    internal void Adopt(Tensor tensor)
    {
        if (_disposed) return;
        _owned.Add(tensor);
        tensor.OwningScope = this;
    }

    internal void Forget(Tensor tensor)
    {
        _owned.Remove(tensor);
        if (ReferenceEquals(tensor.OwningScope, this)) tensor.OwningScope = null;
    }

    /// <summary>Includes a tensor created elsewhere in this scope.</summary>
    public Tensor Include(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        tensor.OwningScope?.Forget(tensor);
        Adopt(tensor);
        return tensor;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (Tensor tensor in _owned)
        {
            tensor.OwningScope = null;
            tensor.Dispose();
        }
        _owned.Clear();
        // Scopes end in the order they began; one disposed out of order still stops being current.
        if (ReferenceEquals(t_current, this)) t_current = Outer;
        while (t_current is { _disposed: true }) t_current = t_current.Outer;
    }
}
