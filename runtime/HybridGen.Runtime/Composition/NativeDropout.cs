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
/// dropout draws from another generator) is not found: its calls in training mode run eager, reported once. A module
/// whose first calls are in training mode has its other settings (heads, activation, nonlinearity) measured together
/// with the probability (<see cref="MeasureJointly"/>, over the common probabilities).
/// <para>The process's random state is saved before and restored after, so the user's random sequence stays what it
/// would have been (unless another thread draws from it meanwhile); the twin then draws what the native forward draws,
/// in its order (aten's dropout on the same shapes).</para>
/// </summary>
internal static class NativeDropout
{
    /// <summary>The module's own training-mode forward (null) or the kind's reference with probability p, on the
    /// same private input each time.</summary>
    internal delegate Tensor Probe(double? p);

    /// <summary>Where a measurement stands: answered for good (<see cref="Done"/>; <see cref="Failure"/> null where it
    /// succeeded), or still open (<see cref="Failure"/> the last disturbance, <see cref="Attempts"/> so far).</summary>
    private class Attempt
    {
        public volatile bool Done;
        public string? Failure;
        public int Attempts;
    }

    private sealed class Entry : Attempt
    {
        public Entry(nn.Module module, string path, Probe probe)
        {
            Path = path;
            ProbeRun = probe;
            foreach ((string name, Parameter _) in module.named_parameters())
            {
                FirstParameter = name;
                break;
            }
        }

        public readonly string Path;
        public readonly Probe ProbeRun;
        public readonly string? FirstParameter;
        public double Probability = -1.0;
    }

    private sealed class JointState : Attempt
    {
    }

    /// <summary>A measurement disturbed from outside (another thread drew from the generator, the module left
    /// training mode): tried again at a later call, a few times.</summary>
    private sealed class DisturbedException : Exception
    {
        public DisturbedException(string message) : base(message) { }
    }

    private const int Attempts = 3;

    private static readonly ConditionalWeakTable<nn.Module, Entry> s_entries = new();
    private static readonly double[] s_candidates = Candidates();
    // The common probabilities (multiples of 0.05): where every candidate setting is tried at each.
    private static readonly double[] s_common = s_candidates.AsSpan(0, 20).ToArray();

    // Every measurement sets and restores the one default generator: one at a time, or one could restore the
    // other's fixed state as the user's.
    private static readonly object s_generator = new();

    /// <summary>Records how to measure <paramref name="module"/>'s probability (the first composition's way stays).</summary>
    public static void Register(nn.Module module, string path, Probe probe) => s_entries.TryAdd(module, new Entry(module, path, probe));

    /// <summary>Records a probability measured together with the module's other settings (a module first called in
    /// training mode: <see cref="MeasureJointly"/>).</summary>
    public static void Record(nn.Module module, string path, Probe probe, double probability) =>
        s_entries.AddOrUpdate(module, new Entry(module, path, probe) { Probability = probability, Done = true });

    /// <summary>The state input a composed twin reads at every call: the measured probability in training mode on the
    /// CPU (measured now where this is the first such call), else -1 (the twin's runtime functions use none in eval
    /// mode and refuse training mode with a negative one).</summary>
    public static TwinValue Reader(object module)
    {
        var native = (nn.Module)module;
        return native.training && Measure(native) is { } p ? p : -1.0;
    }

    /// <summary>Null where a call in training mode can run the twin (the probability is known, the module on the
    /// CPU), else why not.</summary>
    public static string? Misfit(nn.Module module)
    {
        string kind = module.GetType().Name;
        if (!s_entries.TryGetValue(module, out Entry? entry))
            return $"a native {kind} in training mode whose dropout probability was never registered for measuring (a HybridGen bug; please report it)";
        // The device first: a module measured on the CPU and moved to a GPU trains eager there, and one first trained on
        // a GPU is measured once it is back on the CPU.
        if (DeviceOf(module) is { } device)
            return $"'{entry.Path}' is a native {kind} in training mode on {device}, where its dropout draws from the device's generator in a way the twin's does not follow: its calls in training mode there run eager";
        return Measure(module) is null
            ? $"'{entry.Path}' is a native {kind} in training mode whose dropout probability (in libtorch's options, " +
                $"which TorchSharp does not expose) could not be measured: {entry.Failure}; its calls in training mode run eager"
            : null;
    }

    /// <summary>The probability, measured at the first call that asks on the CPU; null where it cannot be (yet).</summary>
    internal static double? Measure(nn.Module module)
    {
        if (!s_entries.TryGetValue(module, out Entry? entry)) return null;
        if (!entry.Done && DeviceOf(module) is null)
            lock (s_generator)
                if (!entry.Done)
                    Settle(entry, () => entry.Probability = Search(module, 1, (_, p) => entry.ProbeRun(p), s_candidates,
                        "no probability on a grid of 0.001 reproduces its output").Probability);
        return entry.Done && entry.Failure is null ? entry.Probability : null;
    }

    /// <summary>Runs a measurement (under the generator's lock) and settles its attempt: true where it succeeded. One
    /// disturbed from outside stays open, to be tried again at a later call, <see cref="Attempts"/> times at most;
    /// any other failure is final, and says why.</summary>
    private static bool Settle(Attempt attempt, Action measure)
    {
        try
        {
            measure();
            attempt.Failure = null;
            attempt.Done = true;
            return true;
        }
        catch (DisturbedException error) when (++attempt.Attempts < Attempts)
        {
            attempt.Failure = error.Message;
            return false;
        }
        catch (Exception error)
        {
            attempt.Failure = Describe(error);
            attempt.Done = true;
            return false;
        }
    }

    /// <summary>Null where the module's parameters are on the CPU (or it has none), else their device.</summary>
    private static string? DeviceOf(nn.Module module)
    {
        Parameter? first;
        if (s_entries.TryGetValue(module, out Entry? entry))
        {
            if (entry.FirstParameter is null) return null;
            first = module.get_parameter(entry.FirstParameter);
        }
        else
        {
            first = null;
            foreach ((string _, Parameter parameter) in module.named_parameters())
            {
                first = parameter;
                break;
            }
        }
        return first is null || first.device_type == DeviceType.CPU ? null : first.device.ToString();
    }

    private static string Describe(Exception error) => error switch
    {
        CompositionException or DisturbedException => error.Message,
        System.Runtime.InteropServices.ExternalException => "libtorch refused the probe: " + error.Message.Split('\n')[0],
        _ => $"{error.GetType().Name}: {error.Message} (a HybridGen bug; please report it)",
    };

    private static readonly ConditionalWeakTable<nn.Module, JointState> s_joint = new();

    /// <summary>
    /// Measures a module's settings and dropout probability together (its first calls are in training mode, where
    /// dropout hides the settings): the one candidate setting and probability whose reference
    /// (<paramref name="probeOf"/> the setting) reproduces the module's training-mode output, the probabilities the
    /// common ones only (multiples of 0.05: every setting is tried at each, so the full grid would cost too much on the
    /// caller's thread). The setting found goes to <paramref name="found"/> and the probability is recorded. On the
    /// caller's thread; true once there is a final answer, found or not (<see cref="JointFailure"/> says why not): a
    /// measurement disturbed by another thread's draws is tried again at a later call (three attempts), and a module
    /// not on the CPU waits until it is.
    /// </summary>
    public static bool MeasureJointly<T>(nn.Module module, string path, IReadOnlyList<T> candidates, Func<T, Probe> probeOf, Action<T> found)
    {
        JointState state = s_joint.GetValue(module, _ => new JointState());
        lock (s_generator)
        {
            if (state.Done) return true;
            if (DeviceOf(module) is { } device)
            {
                state.Failure = $"it is on {device}, and only a module on the CPU is measured";
                return false;
            }
            (int Setting, double Probability) result = default;
            if (Settle(state, () => result = Search(module, candidates.Count, (k, p) => probeOf(candidates[k])(p), s_common,
                "no multiple of 0.05 as its probability reproduces its output with any of its candidate settings")))
            {
                found(candidates[result.Setting]);
                Record(module, path, probeOf(candidates[result.Setting]), result.Probability);
            }
            return state.Done;
        }
    }

    /// <summary>
    /// Why a module in training mode whose other settings (<paramref name="settings"/>: "heads and activation") are not
    /// known yet stops its tree's composition, and when to try again: once they are known (<paramref name="known"/>)
    /// or the module is in eval mode, or, until its joint measurement has failed for good, when
    /// <paramref name="measuredInTraining"/> (asked on the caller's thread) has an answer.
    /// </summary>
    public static CompositionException NotMeasuredYet(nn.Module module, string described, string settings, bool plural, Func<bool> known, Func<bool> measuredInTraining) =>
        JointFailure(module) is { } failure
            ? new CompositionException($"{described} in training mode whose {settings} could not be measured with its dropout probability ({failure}): " +
                "the tree is composed at its first call in eval mode; calls until then run eager")
            {
                RetryWhen = () => known() || !module.training,
            }
            : new CompositionException($"{described} in training mode: its {settings} {(plural ? "are" : "is")} measured with its dropout probability at its " +
                "next call (where that is a multiple of 0.05), else at its first call in eval mode; calls until then run eager")
            {
                RetryWhen = () => known() || !module.training || measuredInTraining(),
            };

    /// <summary>Why measuring <paramref name="module"/> in training mode failed for good, or null.</summary>
    public static string? JointFailure(nn.Module module) => s_joint.TryGetValue(module, out JointState? state) && state.Done ? state.Failure : null;

    /// <summary>Runs <paramref name="probe"/> from a fixed random state and puts the process's state back after, as
    /// the measurements do (a training-mode forward whose result is read for something other than dropout).</summary>
    public static T FromFixedRandomState<T>(Func<T> probe)
    {
        lock (s_generator)
            return WithFixedRandomState(_ => probe());
    }

    /// <summary>Saves the process's random state, sets the fixed one, runs <paramref name="body"/> (given the fixed
    /// state, to set again before each draw) and restores the saved state, whatever happens.</summary>
    private static T WithFixedRandomState<T>(Func<Tensor, T> body)
    {
        using var scope = NewDisposeScope();
        Tensor saved = random.get_rng_state();
        try
        {
            Tensor start;
            using (var fixedState = new Generator(ProbeInputs.Seed)) start = fixedState.get_state();
            random.set_rng_state(start);
            return body(start);
        }
        finally
        {
            random.set_rng_state(saved);
        }
    }

    private static (int Setting, double Probability) Search(nn.Module module, int settings, Func<int, double?, Tensor> probe, double[] candidates, string noneAgrees)
    {
        using var noGrad = no_grad();
        return WithFixedRandomState(start =>
        {
            Tensor Draw(int setting, double? p)
            {
                random.set_rng_state(start);
                return probe(setting, p);
            }
            Tensor expected = Draw(0, null);
            // The same state twice gives the same masks, unless another thread drew from the generator in between.
            if (!Draw(0, null).allclose(expected, rtol: 1e-6, atol: 1e-7))
                throw new DisturbedException("its output from one random state changed between two runs (another thread drawing from the generator meanwhile?)");
            if (!module.training) throw new DisturbedException("it was put in eval mode while it was measured");
            bool Matches(int setting, double p)
            {
                using var inner = NewDisposeScope();                 // thousands of reference forwards at worst
                return Agrees(Draw(setting, p), expected);
            }
            foreach (double p in candidates)
                for (int setting = 0; setting < settings; setting++)
                {
                    if (!Matches(setting, p)) continue;
                    // Half a step either side must not agree: a probability off the grid but near it (0.1002) is not
                    // taken for the grid point, and one the probe cannot tell apart is refused.
                    if (Matches(setting, p + 0.0005) || p > 0 && Matches(setting, p - 0.0005))
                        throw new CompositionException($"its output does not tell {p} from probabilities 0.0005 away");
                    for (int other = setting + 1; other < settings; other++)
                        if (Matches(other, p))
                            throw new CompositionException("its weights do not tell its settings apart in training mode");
                    return (setting, p);
                }
            throw new CompositionException(noneAgrees);
        });
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
