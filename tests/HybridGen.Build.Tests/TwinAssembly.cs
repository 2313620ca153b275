using System;
using System.Reflection;
using System.Reflection.Emit;

namespace HybridGen
{
    /// <summary>A stand-in for HybridGen.Runtime's attribute: what the build reads is its name and four strings.</summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class HybridTwinAttribute : Attribute
    {
        public HybridTwinAttribute(string name, string location, string function, string source) { }
    }
}

namespace HybridGen.Build.Tests
{
    /// <summary>One twin as the generator records it: [assembly: HybridGen.HybridTwin(name, location, function, source)].</summary>
    internal sealed record Twin(string Name, string Location, string Function, string Source);

    /// <summary>Writes an assembly that records twins the way a HybridGen-built one does (the attribute is
    /// referenced from another assembly, as the runtime's is).</summary>
    internal static class TwinAssembly
    {
        public static void Write(string path, params Twin[] twins)
        {
            var assembly = new PersistedAssemblyBuilder(new AssemblyName("Twins"), typeof(object).Assembly);
            assembly.DefineDynamicModule("Twins");
            ConstructorInfo constructor = typeof(HybridTwinAttribute).GetConstructor(new[] { typeof(string), typeof(string), typeof(string), typeof(string) })!;
            foreach (Twin twin in twins)
                assembly.SetCustomAttribute(new CustomAttributeBuilder(constructor, new object[] { twin.Name, twin.Location, twin.Function, twin.Source }));
            assembly.Save(path);
        }

        public static readonly Twin Good = new("N.Good", "Good.cs(3)", "good", "def good(x: Tensor) -> Tensor:\n    # Good.cs(4): x + 1\n    return torch.add(x, 1)\n");

        public static readonly Twin Bad = new("N.Bad", "Bad.cs(5)", "bad",
            "def bad(x: Tensor) -> Tensor:\n    # Bad.cs(6): var y = x * 2;\n    y = torch.mul(x, 2)\n    # Bad.cs(7): return torch.no_such_op(y);\n    return torch.no_such_op(y)\n");

        public static readonly Twin After = new("N.After", "After.cs(2)", "after", "def after(x: Tensor) -> Tensor:\n    # After.cs(3): x - 1\n    return torch.sub(x, 1)\n");
    }
}
