using System;

namespace HybridGen;

/// <summary>
/// Records an emitted graph twin in the assembly, for the build step that compiles every twin with libtorch
/// (HybridGenValidateTwins) so a twin that does not compile is warning HG0302 at its C# line (its method runs eager), not a run-time surprise.
/// The generator writes one per twin; nothing reads it at run time.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true, Inherited = false)]
public sealed class HybridTwinAttribute : Attribute
{
    public HybridTwinAttribute(string name, string location, string function, string source)
    {
        Name = name;
        Location = location;
        Function = function;
        Source = source;
    }

    public string Name { get; }
    public string Location { get; }
    public string Function { get; }
    public string Source { get; }
}
