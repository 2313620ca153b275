using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace HybridGen;

/// <summary>
/// hybridgen.json: dispatch settings for every method and per method, and where to keep a profile.
/// <code>
/// {
///   "mode": "auto", "warmupCalls": 2, "probeCalls": 5, "margin": 0.05, "reprobeInterval": 10000, "signatureCap": 64, "backgroundCompile": true, "timeBackward": true,
///   "profile": "hybridgen.profile.json",
///   "methods": { "Samples.Blocks.Mlp": { "mode": "graph" } }
/// }
/// </code>
/// A mistake is a <see cref="DispatchConfigException"/> naming the file, the line and the key.
/// </summary>
public sealed class DispatchConfig
{
    public static readonly DispatchConfig Empty = new(new DispatchOverrides(), new Dictionary<string, DispatchOverrides>(), null, null);

    private DispatchConfig(DispatchOverrides global, Dictionary<string, DispatchOverrides> methods, string? profilePath, string? path)
    {
        Global = global;
        Methods = methods;
        ProfilePath = profilePath;
        Path = path;
    }

    public DispatchOverrides Global { get; }
    public IReadOnlyDictionary<string, DispatchOverrides> Methods { get; }

    /// <summary>Where the dispatch profile is kept (relative paths are relative to the config file), or null.</summary>
    public string? ProfilePath { get; }

    public string? Path { get; }

    public static DispatchConfig Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e)
        {
            throw new DispatchConfigException(path, 0, null, e.Message);
        }
        return Parse(bytes, path);
    }

    public static DispatchConfig Parse(string json, string path = "hybridgen.json") => Parse(Encoding.UTF8.GetBytes(json), path);

    private static DispatchConfig Parse(byte[] bytes, string path)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw Error(path, bytes, reader, null, "the file must hold one JSON object");
            var global = new DispatchOverrides();
            var methods = new Dictionary<string, DispatchOverrides>(StringComparer.Ordinal);
            string? profile = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string key = reader.GetString()!;
                reader.Read();
                switch (key)
                {
                    case "profile":
                        if (reader.TokenType != JsonTokenType.String) throw Error(path, bytes, reader, key, "must be a file path (a string)");
                        string value = reader.GetString()!;
                        profile = System.IO.Path.IsPathRooted(value) ? value : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? "", value);
                        break;
                    case "methods":
                        if (reader.TokenType != JsonTokenType.StartObject) throw Error(path, bytes, reader, key, "must be an object of method names");
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                        {
                            string method = reader.GetString()!;
                            reader.Read();
                            if (reader.TokenType != JsonTokenType.StartObject) throw Error(path, bytes, reader, method, "must be an object of settings");
                            var overrides = new DispatchOverrides();
                            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                            {
                                string setting = reader.GetString()!;
                                reader.Read();
                                overrides = Setting(path, bytes, ref reader, $"methods.{method}.{setting}", setting, overrides);
                            }
                            methods[method] = overrides;
                        }
                        break;
                    default:
                        global = Setting(path, bytes, ref reader, key, key, global);
                        break;
                }
            }
            return new DispatchConfig(global, methods, profile, path);
        }
        catch (JsonException e)
        {
            throw new DispatchConfigException(path, (int)(e.LineNumber ?? 0) + 1, null, "is not valid JSON: " + e.Message.Split('.')[0]);
        }
    }

    private static DispatchOverrides Setting(string path, byte[] bytes, ref Utf8JsonReader reader, string fullKey, string key, DispatchOverrides o)
    {
        try
        {
            return key switch
            {
                "mode" => o with { Mode = ParseMode(reader) },
                "warmupCalls" => o with { WarmupCalls = Check(reader.GetInt32(), v => v >= 0, "0 or more") },
                "probeCalls" => o with { ProbeCalls = Check(reader.GetInt32(), v => v >= 1, "1 or more") },
                "margin" => o with { Margin = Check(reader.GetDouble(), v => v is >= 0 and < 1, "in [0, 1)") },
                "reprobeInterval" => o with { ReprobeInterval = Check(reader.GetInt64(), v => v >= 0, "0 or more (0: never)") },
                "signatureCap" => o with { SignatureCap = Check(reader.GetInt32(), v => v >= 1, "1 or more") },
                "backgroundCompile" => o with { BackgroundCompile = reader.TokenType is JsonTokenType.True or JsonTokenType.False ? reader.GetBoolean() : throw new FormatException("must be true or false") },
                "timeBackward" => o with { TimeBackward = reader.TokenType is JsonTokenType.True or JsonTokenType.False ? reader.GetBoolean() : throw new FormatException("must be true or false") },
                _ => throw new FormatException("is not a setting; known: mode, warmupCalls, probeCalls, margin, reprobeInterval, signatureCap, backgroundCompile, timeBackward, profile, methods"),
            };
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw Error(path, bytes, reader, fullKey, e is InvalidOperationException ? $"has the wrong type ({reader.TokenType})" : e.Message);
        }
    }

    private static DispatchMode ParseMode(Utf8JsonReader reader)
    {
        string? text = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        if (text is not null && Enum.TryParse(text, ignoreCase: true, out DispatchMode mode) && Enum.IsDefined(mode) && !int.TryParse(text, out _)) return mode;
        throw new FormatException("must be \"auto\", \"eager\" or \"graph\"");
    }

    private static T Check<T>(T value, Func<T, bool> valid, string expected) =>
        valid(value) ? value : throw new FormatException($"must be {expected}, not {value}");

    private static DispatchConfigException Error(string path, byte[] bytes, Utf8JsonReader reader, string? key, string message)
    {
        int line = 1;
        for (long k = 0; k < reader.TokenStartIndex && k < bytes.Length; k++)
            if (bytes[k] == (byte)'\n') line++;
        return new DispatchConfigException(path, line, key, message);
    }
}

/// <summary>A mistake in hybridgen.json: which file, line and key, and what is wrong.</summary>
public sealed class DispatchConfigException : Exception
{
    public DispatchConfigException(string file, int line, string? key, string problem)
        : base($"{file}({line}): {(key is null ? "" : $"'{key}' ")}{problem}")
    {
        File = file;
        Line = line;
        Key = key;
    }

    public string File { get; }
    public int Line { get; }
    public string? Key { get; }
}
