using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// Every row of the op catalog, through its example (CatalogCorpus.g.cs, generated from the catalog): the method
/// gets a twin, and the twin agrees with TorchSharp's eager call on seeded inputs (values allclose, same dtype and
/// shape; random ops: same dtype and shape).
/// </summary>
public class CatalogEquivalenceTests
{
    public static IEnumerable<object[]> Rows() => CatalogCorpus.Methods.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(Rows))]
    public void TheTwinAgreesWithEager(string method)
    {
        object function = LoweringEquivalenceTests.Function(typeof(CatalogCorpus), method);
        using var scope = NewDisposeScope();
        // The inputs are made once and shared by every run (the oracle runs eager twice); random ops are seeded per
        // run, and compared by dtype and shape only.
        manual_seed(11);
        Tensor x = rand(3, 4) * 0.9 + 0.1, y = rand(3, 4) * 0.9 + 0.1, m = rand(4, 4) * 0.9 + 0.1;
        List<object> Run(string path)
        {
            manual_seed(5);
            return LoweringEquivalenceTests.Flatten(LoweringEquivalenceTests.Call(function, path, new object[] { x, y, m }));
        }
        if (CatalogCorpus.Methods[method])
        {
            var e = Assert.IsType<Tensor>(Assert.Single(Run("InvokeEager")));
            var g = Assert.IsType<Tensor>(Assert.Single(Run("InvokeGraph")));
            Assert.Equal(e.dtype, g.dtype);
            Assert.Equal(e.shape, g.shape);
        }
        else
        {
            EagerOracle.AssertAgree(method, () => Run("InvokeEager"), () => Run("InvokeGraph"));
        }
    }
}
