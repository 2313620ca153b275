using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using HybridGen.Twins;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace HybridGen.Composition;

/// <summary>
/// The dropout probability of a native module that keeps it only in libtorch's options (TransformerEncoderLayer,
/// TransformerEncoder, MultiheadAttention, a GRU/LSTM/RNN of several layers; TorchSharp 0.107 exposes none of them).
/// It is measured once per module, at the module's first call in training mode on a composed tree, on the caller's
/// thread: from one fixed random state, the module's training-mode output on a private input is compared with its
/// arithmetic written out with TorchSharp's functional ops and dropout (the kind's reference, registered at
/// composition) for each candidate probability, from that same state. Dropout's masks and its 1/(1-p) scale both
/// follow the probability, so only the module's own reproduces its output; the candidates are the multiples of 0.001
/// below 1, the common ones first. A probability off that grid (or a module on another device than the CPU, whose
/// dropout draws from another generator) is not found: its calls in training mode run eager, reported once.
/// <para>The process's random state is saved before and restored after, so the user's random sequence stays what it
/// would have been (unless another thread draws from it meanwhile); the twin then draws what the native forward draws,
/// in its order (aten's dropout on the same shapes).</para>
/// </summary>
internal static class NativeDropout
{
    /// <summary>The module's own training-mode forward (null) or the kind's reference with probability p, on the
    /// same private input each time.</summary>
    internal delegate Tensor Probe(double? p);

    private sealed class Entry
    {
        public Entry(string path, Probe probe)
        {
            Path = path;
            ProbeRun = probe;
        }

        public readonly string Path;
        public readonly Probe ProbeRun;
        public volatile bool Measured;
        public double Probability = -1.0;
        public string? Failure;
    }

    private static readonly ConditionalWeakTable<nn.Module, Entry> s_entries = new();
    private static readonly double[] s_candidates = Candidates();

    /// <summary>Records how to measure <paramref name="module"/>'s probability (the first composition's way stays).</summary>
    public static void Register(nn.Module module, string path, Probe probe) => s_entries.TryAdd(module, new Entry(path, probe));

    /// <summary>The state input a composed twin reads at every call: the measured probability in training mode
    /// (measured now where this is the first such call), else -1 (the twin's runtime functions use none in eval mode
    /// and refuse training mode with a negative one).</summary>
    public static TwinValue Reader(object module)
    {
        var native = (nn.Module)module;
        return native.training && Measure(native) is { } p ? p : -1.0;
    }

    /// <summary>Null where a call in training mode can run the twin (the probability is known), else why not.</summary>
    public static string? Misfit(nn.Module module)
    {
        if (Measure(module) is not null) return null;
        string failure = s_entries.TryGetValue(module, out Entry? entry) ? entry.Failure ?? "" : "it was never registered (a HybridGen bug)";
        return $"'{entry?.Path}' is a native {module.GetType().Name} in training mode whose dropout probability (in libtorch's options, " +
            $"which TorchSharp does not expose) could not be measured: {failure}; its calls in training mode run eager";
    }

    /// <summary>The probability, measured at the first call that asks; null where it cannot be.</summary>
    internal static double? Measure(nn.Module module)
    {
        if (!s_entries.TryGetValue(module, out Entry? entry)) return null;
        if (!entry.Measured)
        {
            lock (entry)
            {
                if (!entry.Measured)
                {
                    try
                    {
                        entry.Probability = Search(module, entry.ProbeRun);
                    }
                    catch (Exception error) when (error is CompositionException or System.Runtime.InteropServices.ExternalException)
                    {
                        entry.Failure = error is CompositionException ? error.Message : "libtorch refused the probe: " + error.Message.Split('\n')[0];
                    }
                    entry.Measured = true;
                }
            }
        }
        return entry.Failure is null ? entry.Probability : null;
    }

    /// <summary>Records a probability measured together with the module's other settings (a module first called in
    /// training mode: <see cref="SearchJointly"/>).</summary>
    public static void Record(nn.Module module, string path, Probe probe, double probability) =>
        s_entries.AddOrUpdate(module, new Entry(path, probe) { Probability = probability, Measured = true });

    /// <summary>The one (candidate setting, probability) whose reference (<paramref name="probe"/>: setting index and
    /// probability; null for the module's own forward) reproduces the module's training-mode output, the probabilities
    /// the common ones only (multiples of 0.05): every setting is tried at each, so the full grid would cost too much
    /// on the caller's thread. Throws <see cref="CompositionException"/> where none or several agree.</summary>
    public static (int Setting, double Probability) SearchJointly(nn.Module module, int settings, Func<int, double?, Tensor> probe) =>
        Search(module, settings, probe, s_candidates.AsSpan(0, 20).ToArray());

    private static double Search(nn.Module module, Probe probe) => Search(module, 1, (_, p) => probe(p), s_candidates).Probability;

    private static (int Setting, double Probability) Search(nn.Module module, int settings, Func<int, double?, Tensor> probe, double[] candidates)
    {
        foreach ((string _, Parameter parameter) in module.named_parameters())
        {
            if (parameter.device_type != DeviceType.CPU)
                throw new CompositionException($"it is on {parameter.device}, and only a module on the CPU is measured");
            break;
        }
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        Tensor saved = random.get_rng_state();
        try
        {
            Tensor start;
            using (var fixedState = new Generator(0x5EED)) start = fixedState.get_state();
            Tensor Draw(int setting, double? p)
            {
                random.set_rng_state(start);
                return probe(setting, p);
            }
            Tensor expected = Draw(0, null);
            if (!module.training) throw new CompositionException("it was put in eval mode while it was measured");
            bool Matches(int setting, double p)
            {
                using var inner = NewDisposeScope();                 // thousands of reference forwards at worst
                return Agrees(Draw(setting, p), expected);
            }
            foreach (double p in candidates)
                for (int setting = 0; setting < settings; setting++)
                {
                    if (!Matches(setting, p)) continue;
                    // A neighbour agreeing too would mean the probe cannot tell them apart (it should: the scale differs).
                    long thousandths = (long)Math.Round(p * 1000);
                    if (Matches(setting, (thousandths + 1) / 1000.0) || thousandths > 0 && Matches(setting, (thousandths - 1) / 1000.0))
                        throw new CompositionException($"its output does not tell {p} from its neighbours on the grid");
                    for (int other = setting + 1; other < settings; other++)
                        if (Matches(other, p))
                            throw new CompositionException("its weights do not tell its settings apart in training mode");
                    return (setting, p);
                }
            throw new CompositionException(candidates.Length == s_candidates.Length
                ? "no probability on a grid of 0.001 reproduces its output"
                : "no multiple of 0.05 as its probability reproduces its output with any of its candidate settings");
        }
        finally
        {
            random.set_rng_state(saved);
        }
    }

    private static bool Agrees(Tensor candidate, Tensor expected) =>
        candidate.shape.AsSpan().SequenceEqual(expected.shape) && candidate.allclose(expected, rtol: 1e-4, atol: 1e-5);

    /// <summary>Every multiple of 0.001 in [0, 1), the ones people write first (0.1, 0.2, ..., then halves of those,
    /// hundredths, ...). Each is the division k / 10^n, which is the same double as its decimal literal.</summary>
    private static double[] Candidates()
    {
        var seen = new HashSet<double>();
        var ordered = new List<double>();
        foreach (int steps in new[] { 10, 20, 100, 200, 1000 })
            for (int k = 0; k < steps; k++)
                if (seen.Add((double)k / steps)) ordered.Add((double)k / steps);
        return ordered.ToArray();
    }
}
