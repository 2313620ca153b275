using System;
using System.Collections.Generic;
using System.Linq;

namespace HybridGen.Torch;

using HybridGen.Torch.Optimizers;

public static partial class torch
{
    /// <summary>Optimizers: they update parameters from their gradients (<c>optimizer.step()</c>).</summary>
    public static partial class optim
    {
        public static SGD SGD(IEnumerable<nn.Parameter> parameters, double lr, double momentum = 0, double weight_decay = 0) =>
            new(parameters, lr, momentum, weight_decay);

        public static Adam Adam(IEnumerable<nn.Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0) =>
            new(parameters, lr, beta1, beta2, eps, weight_decay);
    }
}
