using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TorchSharp;

namespace HybridGen.Dispatch;

/// <summary>
/// The persisted profile (opt-in): for each (method, twin, signature, device) the decision and its medians, so a
/// restarted program skips probing. An entry counts only while its twin (a hash of the emitted TorchScript), the
/// device kind and the libtorch version are the same. Written whole to a temporary file and renamed over the old
/// one, so a reader never sees half a file.
/// </summary>
internal sealed class DispatchProfile
{
    private readonly object _gate = new();
    private readonly string _path;
    private readonly string _libtorch;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    internal sealed record Entry(string Method, string Twin, string Signature, string Device, string Route, double? EagerMedian, double? GraphMedian);

    internal readonly record struct Remembered(Route Route, double? EagerMedian, double? GraphMedian);

    private DispatchProfile(string path, string libtorch)
    {
        _path = path;
        _libtorch = libtorch;
    }

    public string FilePath => _path;

    public static DispatchProfile Open(string path, Action<string> warn, string? libtorch = null)
    {
        var profile = new DispatchProfile(Path.GetFullPath(path), libtorch ?? torch.__version__);
        if (!File.Exists(profile._path)) return profile;
        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllText(profile._path));
            JsonElement root = document.RootElement;
            if (root.GetProperty("libtorch").GetString() != profile._libtorch)
            {
                warn($"the dispatch profile {profile._path} was made with libtorch {root.GetProperty("libtorch").GetString()}, this is {profile._libtorch}: it is ignored and will be rewritten");
                return profile;
            }
            foreach (JsonElement e in root.GetProperty("entries").EnumerateArray())
            {
                var entry = new Entry(e.GetProperty("method").GetString()!, e.GetProperty("twin").GetString()!, e.GetProperty("signature").GetString()!,
                    e.GetProperty("device").GetString()!, e.GetProperty("route").GetString()!, Number(e, "eagerMedian"), Number(e, "graphMedian"));
                profile._entries[Key(entry.Method, entry.Twin, entry.Signature, entry.Device)] = entry;
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or IOException)
        {
            warn($"the dispatch profile {profile._path} could not be read ({e.Message}); it will be rewritten");
            profile._entries.Clear();
        }
        return profile;
    }

    private static double? Number(JsonElement e, string name) =>
        e.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    private static string Key(string method, string twin, string signature, string device) => $"{method}|{twin}|{signature}|{device}";

    private static string Hex(ulong key) => key.ToString("x16", CultureInfo.InvariantCulture);

    public Remembered? Lookup(HybridMethodInfo info, ulong signature, bool cuda)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(Key(info.Name, info.TwinHash, Hex(signature), cuda ? "cuda" : "cpu"), out Entry? entry)) return null;
            Route route = entry.Route switch { "graph" => Route.Graph, "cuda graph" => Route.Captured, "onnx" => Route.Onnx, _ => Route.Eager };
            return new Remembered(route, entry.EagerMedian, entry.GraphMedian);
        }
    }

    public void Record(HybridMethodInfo info, SignatureState state, Route route)
    {
        var entry = new Entry(info.Name, info.TwinHash, Hex(state.Key), state.Cuda ? "cuda" : "cpu",
            route switch { Route.Graph => "graph", Route.Captured => "cuda graph", Route.Onnx => "onnx", _ => "eager" }, state.EagerMedian, state.GraphMedian);
        lock (_gate)
        {
            _entries[Key(entry.Method, entry.Twin, entry.Signature, entry.Device)] = entry;
            Save();
        }
    }

    /// <summary>Writes the whole profile to a temporary file beside it, then renames it into place.</summary>
    private void Save()
    {
        var json = new StringBuilder();
        using (var writer = new Utf8JsonWriter(new StringBuilderStream(json), new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("libtorch", _libtorch);
            writer.WriteStartArray("entries");
            foreach (Entry e in _entries.Values.OrderBy(e => e.Method, StringComparer.Ordinal).ThenBy(e => e.Signature, StringComparer.Ordinal))
            {
                writer.WriteStartObject();
                writer.WriteString("method", e.Method);
                writer.WriteString("twin", e.Twin);
                writer.WriteString("signature", e.Signature);
                writer.WriteString("device", e.Device);
                writer.WriteString("route", e.Route);
                if (e.EagerMedian is { } eager) writer.WriteNumber("eagerMedian", eager);
                if (e.GraphMedian is { } graph) writer.WriteNumber("graphMedian", graph);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        string directory = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(directory);
        string temporary = Path.Combine(directory, $".{Path.GetFileName(_path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(temporary, json.ToString());
        File.Move(temporary, _path, overwrite: true);
    }

    /// <summary>A write-only stream into a StringBuilder (UTF-8 in, text out).</summary>
    private sealed class StringBuilderStream : Stream
    {
        private readonly StringBuilder _target;
        public StringBuilderStream(StringBuilder target) => _target = target;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _target.Append(Encoding.UTF8.GetString(buffer, offset, count));
    }
}
