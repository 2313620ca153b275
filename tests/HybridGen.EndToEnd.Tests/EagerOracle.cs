using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using HybridGen.Tests;
using TorchSharp;
using static TorchSharp.torch;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// The equivalence checks' oracle: the twin is compared with an eager result that agrees with itself on this host
/// (docs/architecture.md, "Tests hold on every host"). On some hosts libtorch's own kernels are wrong and change
/// from run to run, in eager and in the twin alike (oneDNN's convolution backward on AVX-512 AMD hosts,
/// docs/torchsharp.md: <see cref="HostKernels"/> switches it off before the first test). For whatever else may
/// change, each experiment runs eager twice: a value the two eager runs disagree on is not compared, and is noted
/// in the ledger (<see cref="NondeterminismLedger"/>) instead; every other value must agree with the twin.
/// Where the host's kernels were seen to change from run to run (<see cref="HostKernels"/>), a value the twin gets
/// differently in two runs is noted too; elsewhere a twin that disagrees fails, whatever its second run says.
/// </summary>
internal static class EagerOracle
{
    /// <summary>Runs <paramref name="eager"/> twice and <paramref name="twin"/> once (again only where needed) and
    /// compares their values pairwise: tensors by dtype, shape and allclose (NaN equals NaN), the rest by Equals.
    /// Each run must be self-contained (its own inputs, seeds and model copies), since eager runs twice.
    /// <paramref name="toleranceOf"/> gives a value's own (rtol, atol) where it differs from the default.</summary>
    public static void AssertAgree(string what, Func<IReadOnlyList<object?>> eager, Func<IReadOnlyList<object?>> twin,
        double rtol = 1e-4, double atol = 1e-5, Func<int, string>? nameOf = null, Func<int, (double rtol, double atol)>? toleranceOf = null)
    {
        nameOf ??= k => $"value {k}";
        toleranceOf ??= _ => (rtol, atol);
        IReadOnlyList<object?> first = RunEager(what, eager), second = RunEager(what, eager), graph = twin();
        Assert.True(first.Count == graph.Count, $"{what}: eager gave {first.Count} values, the twin {graph.Count}");
        IReadOnlyList<object?>? graphAgain = null;
        for (int k = 0; k < first.Count; k++)
        {
            string name = $"{what}: {nameOf(k)}";
            (double rtol, double atol) t = toleranceOf(k);
            if (Difference(first[k], second[k], t.rtol, t.atol) is string unstable)
            {
                NondeterminismLedger.Note(name, $"eager disagrees with itself ({unstable})");
                continue;
            }
            if (Difference(first[k], graph[k], t.rtol, t.atol) is not string failure) continue;
            if (HostKernels.ChangeFromRunToRun)
            {
                graphAgain ??= twin();
                if (Difference(graph[k], graphAgain[k], t.rtol, t.atol) is string twinUnstable)
                {
                    NondeterminismLedger.Note(name, $"the twin disagrees with itself ({twinUnstable}) on a host whose kernels do");
                    continue;
                }
            }
            Assert.Fail($"{name}: {failure.Replace("first", "eager").Replace("second", "graph")}");
        }
    }

    /// <summary>One eager run. TorchSharp 0.107 passes some number arguments to libtorch as a temporary Scalar whose
    /// handle it reads and then drops (<c>linalg.vector_norm(x, 1)</c>: <c>ord.ToScalar().Handle</c>), so the GC may free
    /// it during the native call and libtorch throws "Unknown scalar type" (docs/torchsharp.md, section 8): that run
    /// is noted and made again; any other exception is the test's.</summary>
    private static IReadOnlyList<object?> RunEager(string what, Func<IReadOnlyList<object?>> eager)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return eager();
            }
            catch (System.Runtime.InteropServices.ExternalException error) when (attempt < 3 && error.Message.StartsWith("Unknown scalar type", StringComparison.Ordinal))
            {
                NondeterminismLedger.NoteHost($"{what}: eager run {attempt} met TorchSharp's freed temporary Scalar (\"Unknown scalar type\"), run again");
            }
        }
    }

    /// <summary>The same for a single tensor result.</summary>
    public static void AssertAgree(string what, Func<Tensor> eager, Func<Tensor> twin, double rtol = 1e-4, double atol = 1e-5) =>
        AssertAgree(what, () => new object?[] { eager() }, () => new object?[] { twin() }, rtol, atol, _ => "result");

    /// <summary>Null where the two values agree; else what differs ("first" and "second" name them).</summary>
    public static string? Difference(object? first, object? second, double rtol, double atol)
    {
        if (first is not Tensor a) return Equals(first, second) ? null : $"first {first}, second {second}";
        if (second is not Tensor b) return $"first is a tensor, second {second ?? "null"}";
        if (a.dtype != b.dtype) return $"dtype: first {a.dtype}, second {b.dtype}";
        if (!a.shape.SequenceEqual(b.shape)) return $"shape: first [{string.Join(",", a.shape)}], second [{string.Join(",", b.shape)}]";
        using Tensor ad = a.detach().to(ScalarType.Float64), bd = b.detach().to(ScalarType.Float64);
        double[] av = ad.data<double>().ToArray(), bv = bd.data<double>().ToArray();
        for (int i = 0; i < av.Length; i++)
        {
            // av[i] == bv[i] first: two equal infinities differ by NaN.
            bool close = av[i] == bv[i] || Math.Abs(av[i] - bv[i]) <= atol + rtol * Math.Abs(av[i]) || (double.IsNaN(av[i]) && double.IsNaN(bv[i]));
            if (!close) return $"element {i}: first {av[i]}, second {bv[i]}";
        }
        return null;
    }
}

/// <summary>
/// What this host's libtorch kernels do, measured once per test process before the first test (module initializer),
/// with the test process's thread count. On some hosts oneDNN's float32 convolution backward-data kernels compute
/// wrong input gradients, and different ones from run to run (docs/torchsharp.md; samples/ConvBackwardCheck is the
/// full check). There the tests switch oneDNN off, as PyTorch's torch.backends.mkldnn.enabled = False does, so eager
/// and twin run libtorch's own convolution, which agrees with float64; test.sh prints that it did. Whatever still
/// changes from run to run afterwards is left to the oracle.
/// </summary>
internal static class HostKernels
{
    // Measured at the first disagreement, which may come under a caller's no_grad: the measure needs gradients.
    private static readonly Lazy<bool> s_changing = new(() =>
    {
        using var grad = enable_grad();
        return Measure().changing;
    });

    /// <summary>Whether a convolution's input gradient changes from run to run here (after the set-up).</summary>
    public static bool ChangeFromRunToRun => s_changing.Value;

    [System.Runtime.CompilerServices.ModuleInitializer]
    internal static void SetUp()
    {
        (bool wrong, _) = Measure();
        if (!wrong) return;
        LibTorchContext.UseOneDnn(false);
        NondeterminismLedger.NoteHost("oneDNN's convolution backward gives wrong input gradients on this host " +
            $"({System.Environment.ProcessorCount} cores, {get_num_threads()} threads): the tests run with oneDNN off (docs/torchsharp.md)");
    }

    /// <summary>Convolution input gradients (a Conv1d(6, 6, 3) and a Conv2d(4, 8, 3): oneDNN picks kernels per shape
    /// and rank), 4 times each in float32 against float64: wrong beyond 1e-4 of their scale, and whether two runs
    /// differed.</summary>
    private static (bool wrong, bool changing) Measure()
    {
        (bool wrong1, bool changing1) = Measure(new long[] { 6, 6, 3 }, new long[] { 2, 6, 17 });
        (bool wrong2, bool changing2) = Measure(new long[] { 8, 4, 3, 3 }, new long[] { 2, 4, 9, 9 });
        return (wrong1 || wrong2, changing1 || changing2);
    }

    private static (bool wrong, bool changing) Measure(long[] weightShape, long[] inputShape)
    {
        using var scope = NewDisposeScope();
        var generator = new torch.Generator(1);
        Tensor weight = randn(weightShape, ScalarType.Float64, generator: generator);
        Tensor input = randn(inputShape, ScalarType.Float64, generator: generator);
        Tensor Gradient(ScalarType dtype)
        {
            Tensor x = input.to(dtype).detach().requires_grad_(true);
            Tensor w = weight.to(dtype);
            (inputShape.Length == 3 ? nn.functional.conv1d(x, w) : nn.functional.conv2d(x, w)).pow(2).mean().backward();
            return x.grad!.to(ScalarType.Float64);
        }
        Tensor reference = Gradient(ScalarType.Float64);
        double scale = reference.abs().max().item<double>();
        bool wrong = false, changing = false;
        Tensor? first = null;
        for (int run = 0; run < 4; run++)
        {
            Tensor gradient = Gradient(ScalarType.Float32);
            wrong |= !((gradient - reference).abs().max().item<double>() <= 1e-4 * scale);
            if (first is null) first = gradient;
            else changing |= !gradient.eq(first).all().item<bool>();
        }
        return (wrong, changing);
    }
}

/// <summary>libtorch's backend switches, which TorchSharp 0.107 does not expose: at::globalContext() and its setters
/// are plain C++ functions exported by libtorch_cpu (the Context* is the implicit first argument).</summary>
internal static class LibTorchContext
{
    [System.Runtime.InteropServices.DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern nint Global();

    [System.Runtime.InteropServices.DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void SetMkldnn(nint context, [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.I1)] bool enabled);

    [System.Runtime.InteropServices.DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void SetNnpack(nint context, [System.Runtime.InteropServices.MarshalAs(System.Runtime.InteropServices.UnmanagedType.I1)] bool enabled);

    /// <summary>oneDNN on or off for the convolutions that follow, process-wide. With it off NNPACK goes off too: on
    /// hosts it does not support, each convolution would print "Could not initialize NNPACK!" and fall back to
    /// libtorch's own kernel anyway.</summary>
    public static void UseOneDnn(bool enabled)
    {
        _ = zeros(1); // TorchSharp loads libtorch on first use
        if (!enabled) SetNnpack(Global(), false);
        SetMkldnn(Global(), enabled);
    }
}

/// <summary>The comparisons the oracle did not make, one line each in TestResults/nondeterminism.log (build/test.sh
/// counts them in its summary) and in the test's own output on standard output.</summary>
internal static class NondeterminismLedger
{
    private static readonly object s_gate = new();
    [ThreadStatic] private static string? s_redirected;

    public static string Path => s_redirected ?? Shared;

    private static string Shared { get; } = RepoPaths.Of("TestResults", "nondeterminism.log");

    /// <summary>Notes made on this thread go to <paramref name="path"/> until disposed (the oracle's own tests, whose
    /// made-up disagreements are not the host's).</summary>
    public static IDisposable RedirectTo(string path)
    {
        s_redirected = path;
        return new Restore();
    }

    private sealed class Restore : IDisposable
    {
        public void Dispose() => s_redirected = null;
    }

    /// <summary>What the test process did about this host's kernels (TestResults/host.log; test.sh prints it).</summary>
    public static void NoteHost(string line)
    {
        Append(RepoPaths.Of("TestResults", "host.log"), line);
    }

    public static void Note(string what, string why)
    {
        string line = $"not compared (libtorch nondeterministic on this host, docs/torchsharp.md): {what}: {why}";
        Append(Path, line);
    }

    private static void Append(string path, string line)
    {
        lock (s_gate)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            File.AppendAllText(path, line + Environment.NewLine);
        }
        Console.WriteLine(line);
    }
}
