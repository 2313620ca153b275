using System;
using System.Collections.Generic;
using System.Linq;
using HybridGen.Torch.Native;

namespace HybridGen.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>A trainable tensor: a leaf that requires grad and shares its storage with the data it was made
        /// from. Modules register them; optimizers update them.</summary>
        public sealed class Parameter : Tensor
        {
            public Parameter(Tensor data, bool requires_grad = true) : base(AtenOps.detach.Call(data ?? throw new ArgumentNullException(nameof(data))))
            {
                if (requires_grad) requires_grad_();
            }
        }

        /// <summary>
        /// The base of layers and models: it holds named parameters, buffers and sub-modules, switches between
        /// training and evaluation, and disposes what it holds. Subclasses register what they create in their
        /// constructor.
        /// </summary>
        public abstract class Module : IDisposable
        {
            private readonly List<(string name, Parameter? parameter)> _parameters = new();
            private readonly List<(string name, Tensor buffer)> _buffers = new();
            private readonly List<(string name, Module module)> _modules = new();
            private bool _disposed;

            protected Module(string name) => Name = name;

            public string Name { get; }

            /// <summary>True while training (dropout active, batch norm updating its statistics).</summary>
            public bool training { get; private set; } = true;

            public Parameter? register_parameter(string name, Parameter? parameter)
            {
                CheckName(name);
                _parameters.Add((name, parameter));
                return parameter;
            }

            public Tensor register_buffer(string name, Tensor buffer)
            {
                CheckName(name);
                _buffers.Add((name, buffer ?? throw new ArgumentNullException(nameof(buffer))));
                return buffer;
            }

            public T register_module<T>(string name, T module) where T : Module
            {
                CheckName(name);
                _modules.Add((name, module ?? throw new ArgumentNullException(nameof(module))));
                return module;
            }

            private void CheckName(string name)
            {
                if (string.IsNullOrEmpty(name) || name.Contains('.'))
                    throw new ArgumentException($"'{name}' is not a valid name: it must be non-empty and hold no '.'", nameof(name));
                if (_parameters.Any(p => p.name == name) || _buffers.Any(b => b.name == name) || _modules.Any(m => m.name == name))
                    throw new ArgumentException($"{Name} already has a member named '{name}'", nameof(name));
            }

            /// <summary>Every parameter of this module and its sub-modules, with dotted names ("layer1.weight").</summary>
            public IEnumerable<(string name, Parameter parameter)> named_parameters()
            {
                foreach ((string name, Parameter? p) in _parameters)
                    if (p is not null) yield return (name, p);
                foreach ((string prefix, Module m) in _modules)
                    foreach ((string name, Parameter p) in m.named_parameters())
                        yield return (prefix + "." + name, p);
            }

            public IEnumerable<Parameter> parameters() => named_parameters().Select(p => p.parameter);

            public IEnumerable<(string name, Tensor buffer)> named_buffers()
            {
                foreach (var b in _buffers) yield return b;
                foreach ((string prefix, Module m) in _modules)
                    foreach ((string name, Tensor b) in m.named_buffers())
                        yield return (prefix + "." + name, b);
            }

            public IEnumerable<(string name, Module module)> named_children() => _modules;

            /// <summary>Sets training mode here and in every sub-module.</summary>
            public Module train(bool mode = true)
            {
                training = mode;
                foreach ((_, Module m) in _modules) m.train(mode);
                return this;
            }

            public Module eval() => train(false);

            /// <summary>Clears the gradients of every parameter.</summary>
            public void zero_grad()
            {
                foreach (Parameter p in parameters()) p.grad = null;
            }

            public void Dispose()
            {
                if (_disposed) return;
                _disposed = true;
                foreach ((_, Parameter? p) in _parameters) p?.Dispose();
                foreach ((_, Tensor b) in _buffers) b.Dispose();
                foreach ((_, Module m) in _modules) m.Dispose();
                GC.SuppressFinalize(this);
            }
        }

        /// <summary>A module with one input and one result: implement <see cref="forward"/>, call <see cref="call"/>.</summary>
        public abstract class Module<T, TResult> : Module
        {
            protected Module(string name) : base(name) { }

            public abstract TResult forward(T input);

            public TResult call(T input) => forward(input);
        }

        public static Modules.Linear Linear(long inputSize, long outputSize, bool hasBias = true) => new(inputSize, outputSize, hasBias);

        public static Modules.LayerNorm LayerNorm(long[] normalized_shape, double eps = 1e-5) => new(normalized_shape, eps);

        public static Modules.LayerNorm LayerNorm(long normalized_shape, double eps = 1e-5) => new(new[] { normalized_shape }, eps);

        public static Modules.Embedding Embedding(long num_embeddings, long embedding_dims) => new(num_embeddings, embedding_dims);

        public static Modules.Conv2d Conv2d(long in_channels, long out_channels, long kernelSize, long stride = 1, long padding = 0, bool bias = true) =>
            new(in_channels, out_channels, kernelSize, stride, padding, bias);
    }
}
