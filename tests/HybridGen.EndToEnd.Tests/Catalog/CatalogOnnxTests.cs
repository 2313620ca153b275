using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using HybridGen.Tests;
using HybridGen.Twins;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// Every row of the op catalog on the ONNX Runtime route (issue 20): the row's example, under no_grad, eager against
/// the ONNX model the runtime emits from the twin's graph IR. A row either agrees (values within rtol 1e-4 and atol
/// 1e-5, same dtype and shape: ORT's kernels are not libtorch's, so float32 results differ in the last bits) or has
/// no ONNX form, with the emitter's reason; never a wrong value. docs/onnx-ops.md lists each row's answer
/// (HYBRIDGEN_UPDATE_GOLDEN=1 rewrites it). Random ops have no ONNX form (no graph gives eager's numbers).
/// </summary>
public class CatalogOnnxTests
{
    [Fact]
    public void EveryRowAgreesWithEagerOrSaysWhyItHasNoOnnxForm()
    {
        _ = HostKernels.ChangeFromRunToRun; // the oracle's host probe runs a backward pass: not under the rows' no_grad
        var table = new StringBuilder();
        var wrong = new List<string>();
        int agreed = 0;
        foreach ((string method, bool random) in CatalogCorpus.Methods.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            string answer = Check(method, random, wrong);
            if (answer == "yes") agreed++;
            table.Append("| ").Append(method).Append(" | ").Append(answer.Replace("|", "\\|")).Append(" |\n");
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} rows disagree with eager on ONNX Runtime:\n" + string.Join("\n", wrong));
        string page = Page(agreed, CatalogCorpus.Methods.Count, table.ToString());
        string path = RepoPaths.Of("docs", "onnx-ops.md");
        if (Environment.GetEnvironmentVariable("HYBRIDGEN_UPDATE_GOLDEN") == "1") File.WriteAllText(path, page);
        Assert.True(File.Exists(path) && File.ReadAllText(path).Replace("\r", "") == page,
            "docs/onnx-ops.md is not current; rerun with HYBRIDGEN_UPDATE_GOLDEN=1 to rewrite it");
        Assert.True(agreed >= 150, $"only {agreed} catalog rows have an ONNX form");
    }

    private static string Check(string method, bool random, List<string> wrong)
    {
        if (random) return "no: random (no graph gives eager's numbers)";
        object function = LoweringEquivalenceTests.Function(typeof(CatalogCorpus), method);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var generator = new torch.Generator(11);
        Tensor x = rand(new long[] { 3, 4 }, generator: generator) * 0.9 + 0.1, y = rand(new long[] { 3, 4 }, generator: generator) * 0.9 + 0.1,
            m = rand(new long[] { 4, 4 }, generator: generator) * 0.9 + 0.1;
        List<object> Run(string path) => LoweringEquivalenceTests.Flatten(LoweringEquivalenceTests.Call(function, path, new object[] { x, y, m }));
        try
        {
            Run("InvokeOnnx");
        }
        catch (TwinUnavailableException unavailable)
        {
            string reason = unavailable.Message;
            int colon = reason.IndexOf(": ", StringComparison.Ordinal);
            return "no: " + (colon >= 0 ? reason.Substring(colon + 2) : reason);
        }
        catch (Exception error) when (error is System.Runtime.InteropServices.ExternalException or ArgumentException)
        {
            // Eager fails too on these inputs (an example that throws): both routes refuse it.
            try { Run("InvokeEager"); }
            catch (Exception) { return "yes (eager and ONNX Runtime both refuse the example's inputs)"; }
            wrong.Add($"{method}: ONNX Runtime failed where eager did not: {error.Message}");
            return "wrong";
        }
        try
        {
            EagerOracle.AssertAgree(method + " (ONNX Runtime)", () => Run("InvokeEager"), () => Run("InvokeOnnx"));
            return "yes";
        }
        catch (Exception disagreement) when (disagreement is not OutOfMemoryException)
        {
            wrong.Add($"{method}: {disagreement.Message}");
            return "wrong";
        }
    }

    private static string Page(int agreed, int rows, string table) =>
        "# The op catalog on ONNX Runtime\n\n"
        + "Written by `CatalogOnnxTests` (HYBRIDGEN_UPDATE_GOLDEN=1 rewrites it): each row of the op catalog (docs/ops.md, the\n"
        + "same numbering), run through its example under `no_grad` on the ONNX Runtime route and compared with TorchSharp's\n"
        + "eager call (rtol 1e-4, atol 1e-5). \"yes\": the ONNX model agrees; \"no\": the emitter's reason, and a call that needs\n"
        + "the row takes the TorchScript or eager route. A call has an ONNX form when every op it runs has one.\n\n"
        + $"{agreed} of {rows} rows have an ONNX form.\n\n"
        + "| Row | ONNX Runtime |\n|---|---|\n" + table;
}
