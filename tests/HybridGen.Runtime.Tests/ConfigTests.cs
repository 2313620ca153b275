using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using HybridGen;

namespace HybridGen.Runtime.Tests;

public class ConfigTests
{
    [Fact]
    public void AValidFileParses()
    {
        DispatchConfig config = DispatchConfig.Parse("""
            {
              // comments are allowed
              "mode": "auto", "warmupCalls": 3, "probeCalls": 7, "margin": 0.1, "reprobeInterval": 500, "signatureCap": 8,
              "profile": "/tmp/p.json",
              "methods": { "A.B.C": { "mode": "graph", "probeCalls": 2, "timeBackward": false } }
            }
            """);
        Assert.Equal(DispatchMode.Auto, config.Global.Mode);
        Assert.Equal(3, config.Global.WarmupCalls);
        Assert.Equal(0.1, config.Global.Margin);
        Assert.Equal(500, config.Global.ReprobeInterval);
        Assert.Equal("/tmp/p.json", config.ProfilePath);
        Assert.Equal(DispatchMode.Graph, config.Methods["A.B.C"].Mode);
        Assert.Equal(2, config.Methods["A.B.C"].ProbeCalls);
        Assert.False(config.Methods["A.B.C"].TimeBackward);
        Assert.Null(config.Global.TimeBackward);
        Assert.False(HybridRuntime.Resolve("A.B.C", null, config, environmentMode: null).TimeBackward);
        Assert.True(HybridRuntime.Resolve("Other", null, config, environmentMode: null).TimeBackward); // the default
    }

    [Fact]
    public void PrecedenceIsDefaultsAttributeGlobalMethodEnvironment()
    {
        DispatchConfig config = DispatchConfig.Parse("""{ "probeCalls": 7, "margin": 0.2, "methods": { "M": { "margin": 0.3, "mode": "eager" } } }""");
        var attribute = new DispatchOverrides { Mode = DispatchMode.Graph, ProbeCalls = 3, WarmupCalls = 4, SignatureCap = 5 };

        DispatchOptions other = HybridRuntime.Resolve("Other", attribute, config, environmentMode: null);
        Assert.Equal(DispatchMode.Graph, other.Mode);   // attribute (no config for it)
        Assert.Equal(4, other.WarmupCalls);             // attribute
        Assert.Equal(7, other.ProbeCalls);              // global config beats the attribute
        Assert.Equal(0.2, other.Margin);                // global config
        Assert.Equal(5, other.SignatureCap);            // attribute
        Assert.Equal(new DispatchOptions().ReprobeInterval, other.ReprobeInterval); // default

        DispatchOptions m = HybridRuntime.Resolve("M", attribute, config, environmentMode: null);
        Assert.Equal(DispatchMode.Eager, m.Mode);       // per-method config beats attribute
        Assert.Equal(0.3, m.Margin);                    // per-method beats global

        DispatchOptions forced = HybridRuntime.Resolve("M", attribute, config, environmentMode: DispatchMode.Auto);
        Assert.Equal(DispatchMode.Auto, forced.Mode);   // HYBRIDGEN_MODE beats everything
    }

    [Theory]
    [InlineData("{ \"mode\": \"fast\" }", 1, "'mode' must be \"auto\", \"eager\" or \"graph\"")]
    [InlineData("{\n  \"probeCalls\": 0\n}", 2, "'probeCalls' must be 1 or more, not 0")]
    [InlineData("{\n\n  \"margin\": \"big\"\n}", 3, "'margin' has the wrong type")]
    [InlineData("{ \"methods\": {\n \"X\": {\n  \"speed\": 1 } } }", 3, "'methods.X.speed' is not a setting")]
    [InlineData("{ \"probeCalls\": 3,\n \"warmupCalls\": }", 2, "is not valid JSON")]
    [InlineData("[1, 2]", 1, "the file must hold one JSON object")]
    public void MistakesNameTheFileLineAndKey(string json, int line, string message)
    {
        var e = Assert.Throws<DispatchConfigException>(() => DispatchConfig.Parse(json, "conf/hybridgen.json"));
        Assert.StartsWith($"conf/hybridgen.json({line}): ", e.Message);
        Assert.Contains(message, e.Message);
        Assert.Equal(line, e.Line);
    }

    [Theory]
    [InlineData("graph", DispatchMode.Graph, false)]
    [InlineData("EAGER", DispatchMode.Eager, false)]
    [InlineData(" auto ", DispatchMode.Auto, false)]
    [InlineData(null, null, false)]
    [InlineData("fast", null, true)]
    [InlineData("3", null, true)]
    public void TheModeVariableIsParsed(string? value, DispatchMode? expected, bool warns)
    {
        var warnings = new List<string>();
        Assert.Equal(expected, DispatchOptions.ModeFromEnvironment(name => name == "HYBRIDGEN_MODE" ? value : null, warnings.Add));
        Assert.Equal(warns, warnings.Count == 1);
    }

    [Fact]
    public void AMissingFileIsAClearError()
    {
        var e = Assert.Throws<DispatchConfigException>(() => DispatchConfig.Load("/nonexistent/hybridgen.json"));
        Assert.Contains("/nonexistent/hybridgen.json", e.Message);
    }
}
