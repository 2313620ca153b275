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
        manual_seed(11);
        Tensor x = rand(3, 4) * 0.9 + 0.1, y = rand(3, 4) * 0.9 + 0.1, m = rand(4, 4) * 0.9 + 0.1;
        manual_seed(5);
        var eager = LoweringEquivalenceTests.Flatten(LoweringEquivalenceTests.Call(function, "InvokeEager", new object[] { x, y, m }));
        manual_seed(5);
        var graph = LoweringEquivalenceTests.Flatten(LoweringEquivalenceTests.Call(function, "InvokeGraph", new object[] { x, y, m }));
        if (CatalogCorpus.Methods[method])
        {
            var e = Assert.IsType<Tensor>(Assert.Single(eager));
            var g = Assert.IsType<Tensor>(Assert.Single(graph));
            Assert.Equal(e.dtype, g.dtype);
            Assert.Equal(e.shape, g.shape);
        }
        else
        {
            LoweringEquivalenceTests.AssertSame(eager, graph, method);
        }
    }
}
