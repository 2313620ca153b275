using System;
using System.Collections.Generic;
using HybridGen.Torch.Native;

namespace HybridGen.Torch;

/// <summary>
/// Disposes, when it is disposed, every tensor created on this thread while it was the innermost scope, except
/// those moved out (<see cref="Tensor.MoveToOuterDisposeScope"/>) or detached
/// (<see cref="Tensor.DetachFromDisposeScope"/>). Start one with <c>torch.NewDisposeScope()</c>; scopes nest.
/// A scope that is never disposed frees its tensors' native storage when it is collected (every tensor it owns
/// refers to it, so that happens only once none of them is reachable).
/// </summary>
public sealed class DisposeScope : IDisposable
{
    // The owned tensors; each knows its index here (Tensor.ScopeIndex), so removal is a swap with the last.
    private readonly List<Tensor> _owned = new();
    private bool _disposed;

    // The backstop for a scope nobody disposes: a finalizable companion (allocating a finalizable object costs
    // ~130 ns, so scopes HybridGen opens and always disposes itself go without).
    private readonly ScopeGuard? _guard;

    internal DisposeScope(bool backstop = true)
    {
        if (backstop) _guard = new ScopeGuard(this);
        TensorThreadState state = TensorThreadState.Current;
        Outer = state.Scope;
        state.Scope = this;
    }

    /// <summary>The scope this one was started in, if any.</summary>
    public DisposeScope? Outer { get; }

    /// <summary>How many tensors this scope will dispose.</summary>
    public int Count => _owned.Count;

    private sealed class ScopeGuard
    {
        private readonly DisposeScope _scope;
        public ScopeGuard(DisposeScope scope) => _scope = scope;

        ~ScopeGuard()
        {
            // Only native handles are freed here: the tensors are as unreachable as the scope.
            foreach (Tensor tensor in _scope._owned) tensor.FreeFromFinalizer();
        }
    }

    /// <summary>Gives a new tensor to the current scope; false when there is none.</summary>
    internal static bool Track(Tensor tensor, TensorThreadState state)
    {
        DisposeScope? scope = state.Scope;
        if (scope is null || scope._disposed) return false;
        scope.Add(tensor);
        return true;
    }

    internal void Adopt(Tensor tensor)
    {
        if (_disposed)
        {
            tensor.Unowned();
            return;
        }
        Add(tensor);
        tensor.Owned();
    }

    private void Add(Tensor tensor)
    {
        tensor.OwningScope = this;
        tensor.ScopeIndex = _owned.Count;
        _owned.Add(tensor);
    }

    internal void Forget(Tensor tensor)
    {
        if (!ReferenceEquals(tensor.OwningScope, this)) return;
        int index = tensor.ScopeIndex;
        Tensor last = _owned[^1];
        _owned[index] = last;
        last.ScopeIndex = index;
        _owned.RemoveAt(_owned.Count - 1);
        tensor.OwningScope = null;
        tensor.Unowned();
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
        if (_guard is not null) GC.SuppressFinalize(_guard);
        // Scopes end in the order they began; one disposed out of order still stops being current.
        TensorThreadState state = TensorThreadState.Current;
        if (ReferenceEquals(state.Scope, this)) state.Scope = Outer;
        while (state.Scope is { _disposed: true }) state.Scope = state.Scope.Outer;
    }
}
