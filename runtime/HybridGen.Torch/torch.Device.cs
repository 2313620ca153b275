using System;
using System.Globalization;
using HybridGen.Torch.Native;

namespace HybridGen.Torch;

public static partial class torch
{
    /// <summary>c10::DeviceType's codes.</summary>
    public enum DeviceType
    {
        CPU = 0,
        CUDA = 1,
    }

    /// <summary>Where a tensor lives: <c>torch.CPU</c>, <c>torch.CUDA</c> or <c>torch.device("cuda:1")</c>.</summary>
    public readonly record struct Device(DeviceType type, int index = -1)
    {
        public override string ToString() =>
            type.ToString().ToLowerInvariant() + (index >= 0 ? ":" + index.ToString(CultureInfo.InvariantCulture) : "");
    }

    public static readonly Device CPU = new(DeviceType.CPU);
    public static readonly Device CUDA = new(DeviceType.CUDA);

    /// <summary>Parses "cpu", "cuda" or "cuda:N".</summary>
    public static Device device(string description)
    {
        ArgumentNullException.ThrowIfNull(description);
        string[] parts = description.Trim().ToLowerInvariant().Split(':');
        DeviceType type = parts[0] switch
        {
            "cpu" => DeviceType.CPU,
            "cuda" => DeviceType.CUDA,
            _ => throw new ArgumentException($"unknown device '{description}': use cpu, cuda or cuda:N", nameof(description)),
        };
        if (parts.Length == 1) return new Device(type);
        if (parts.Length == 2 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            return new Device(type, index);
        throw new ArgumentException($"bad device index in '{description}'", nameof(description));
    }

    public static partial class cuda
    {
        /// <summary>Whether libtorch was built with CUDA and a GPU is present.</summary>
        public static bool is_available()
        {
            NativeMethods.Check(NativeMethods.hg_cuda_info(out int available, out _));
            return available != 0;
        }

        public static int device_count()
        {
            NativeMethods.Check(NativeMethods.hg_cuda_info(out _, out int count));
            return count;
        }

        /// <summary>Waits for all work queued on the device (all devices with -1).</summary>
        public static void synchronize(long device = -1)
        {
            if (!is_available()) throw new TorchException("CUDA is not available: libtorch was built without it or no GPU is present");
            NativeMethods.Check(NativeMethods.hg_cuda_synchronize(device));
        }
    }

    /// <summary>A random number generator of its own, seeded; pass it to rand, randn, randint, dropout.</summary>
    public sealed class Generator : IDisposable
    {
        private nint _handle;

        public Generator(ulong seed = 67280421310721, Device? device = null)
        {
            NativeMethods.Check(NativeMethods.hg_generator_new((int)(device ?? CPU).type, seed, out _handle));
            initial_seed = seed;
        }

        ~Generator() => Free();

        internal nint Handle => _handle != 0 ? _handle : throw new ObjectDisposedException(nameof(Generator));

        public ulong initial_seed { get; private set; }

        public Generator manual_seed(ulong seed)
        {
            NativeMethods.Check(NativeMethods.hg_generator_seed(Handle, seed));
            GC.KeepAlive(this);
            initial_seed = seed;
            return this;
        }

        public void Dispose()
        {
            Free();
            GC.SuppressFinalize(this);
        }

        private void Free()
        {
            nint handle = System.Threading.Interlocked.Exchange(ref _handle, 0);
            if (handle != 0) NativeMethods.hg_generator_free(handle);
        }
    }

    /// <summary>Seeds the default random generators (CPU and, where present, CUDA).</summary>
    public static void manual_seed(long seed) => NativeMethods.Check(NativeMethods.hg_manual_seed(unchecked((ulong)seed)));

    /// <summary>The version of the libtorch HybridGen's shim was built against.</summary>
    public static string __version__ => System.Runtime.InteropServices.Marshal.PtrToStringUTF8(NativeMethods.hg_torch_version()) ?? "unknown";

    /// <summary>Sets the number of intra-op threads libtorch uses.</summary>
    public static void set_num_threads(int threads)
    {
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "at least one thread");
        NativeMethods.Check(NativeMethods.hg_set_num_threads(threads));
    }

    /// <summary>Starts a scope that disposes the tensors created on this thread until it is disposed.</summary>
    public static DisposeScope NewDisposeScope() => new();

    /// <summary>A scope its creator always disposes (no finalizer backstop): for HybridGen's own use.</summary>
    internal static DisposeScope NewTransientDisposeScope() => new(backstop: false);
}
