namespace HybridGen;

/// <summary>How a hybridized method chooses between its eager body and its graph twin.</summary>
public enum DispatchMode
{
    /// <summary>Measure both and keep the faster (the default).</summary>
    Auto,

    /// <summary>Always run the eager body.</summary>
    Eager,

    /// <summary>Always run the graph twin; its errors reach the caller.</summary>
    Graph,
}
