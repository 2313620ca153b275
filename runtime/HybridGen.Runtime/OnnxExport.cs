using System;
using System.IO;
using System.Threading;
using HybridGen.Twins;

namespace HybridGen;

/// <summary>
/// Writes the ONNX model of a hybridized method (issue 20: "Exporting to ONNX", docs/onnx.md): the model the ONNX
/// Runtime route runs, emitted from the twin's graph IR for the signature of one sample call, with the module's
/// current weights as initializers. The file opens in Netron and runs in any ONNX Runtime (opset 17): its inputs are
/// the call's tensor arguments in order, named <c>in_</c> and the C# parameter's name; its outputs are the method's
/// results, tuples flattened. Shapes are those of the sample call.
/// </summary>
public static class OnnxExport
{
    /// <summary>Runs <paramref name="sampleCall"/> once and writes to <paramref name="path"/> the ONNX model of the
    /// first hybridized method it calls (<c>() =&gt; model.forward(sample)</c>). The call itself runs eager; its
    /// results are disposed. Throws <see cref="TwinUnavailableException"/> (with the reason) where the method has no
    /// ONNX form for that call, and <see cref="InvalidOperationException"/> where the call reaches no hybridized
    /// method.</summary>
    public static void Save(string path, Func<object?> sampleCall)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        if (sampleCall is null) throw new ArgumentNullException(nameof(sampleCall));
        byte[]? model = Capture(sampleCall, out string? method);
        if (model is null) throw new InvalidOperationException("the sample call reached no hybridized method, so there is nothing to export");
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        // Written whole to a temporary file, then renamed over the target: no reader sees half a model.
        string temporary = full + ".tmp";
        File.WriteAllBytes(temporary, model);
        File.Move(temporary, full, overwrite: true);
    }

    /// <summary>The ONNX model of the first hybridized method <paramref name="sampleCall"/> reaches, or null.</summary>
    public static byte[]? Capture(Func<object?> sampleCall, out string? method)
    {
        var request = new Request();
        Request? outer = t_request;
        t_request = request;
        Interlocked.Increment(ref s_active);
        try
        {
            object? result = sampleCall();
            (result as IDisposable)?.Dispose();
        }
        finally
        {
            Interlocked.Decrement(ref s_active);
            t_request = outer;
        }
        if (request.Failure is { } failure) throw failure;
        method = request.Method;
        return request.Model;
    }

    private sealed class Request
    {
        public byte[]? Model;
        public string? Method;
        public Exception? Failure;
        public bool Taken;
    }

    [ThreadStatic] private static Request? t_request;
    private static int s_active;

    /// <summary>Whether an export waits on this thread for its first hybridized call (one volatile read when none does).</summary>
    internal static bool Waiting => Volatile.Read(ref s_active) != 0 && t_request is { Taken: false };

    /// <summary>Called by the dispatcher at a call's start while <see cref="Waiting"/>: the export takes the call's model.</summary>
    internal static void Offer(string method, Func<byte[]> model)
    {
        if (t_request is not { Taken: false } request) return;
        request.Taken = true;
        request.Method = method;
        try
        {
            request.Model = model();
        }
        catch (Exception error)
        {
            request.Failure = error;
        }
    }
}
