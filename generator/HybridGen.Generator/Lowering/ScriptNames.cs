using System.Collections.Generic;

namespace HybridGen.Generator.Lowering;

/// <summary>Maps C# identifiers to TorchScript names that cannot clash with Python keywords or the builtins
/// the twin uses.</summary>
internal static class ScriptNames
{
    private static readonly HashSet<string> s_reserved = new()
    {
        "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
        "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
        "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
        "torch", "Tensor", "List", "Tuple", "Optional", "int", "float", "bool", "str", "range", "len", "print",
    };

    public static string For(string csharpName)
    {
        string name = csharpName.TrimStart('@');
        // A leading underscore pair is how the twin names its own temporaries; keep user names out of it.
        return s_reserved.Contains(name) || name.StartsWith("__") ? "v_" + name : name;
    }
}
