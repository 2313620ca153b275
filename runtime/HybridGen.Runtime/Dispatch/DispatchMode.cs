namespace HybridGen;

/// <summary>How a hybridized method chooses among its eager body and its twin's routes (TorchScript, ONNX Runtime).</summary>
public enum DispatchMode
{
    /// <summary>Measure both and keep the faster (the default).</summary>
    Auto,

    /// <summary>Always run the eager body.</summary>
    Eager,

    /// <summary>Always run the graph twin; its errors reach the caller.</summary>
    Graph,

    /// <summary>Always run the twin's ONNX model on ONNX Runtime where the call needs no gradient (grad mode off, or
    /// no tensor requiring grad) and the call has an ONNX form; other calls run eager, and the report says why.
    /// ONNX Runtime's errors reach the caller.</summary>
    Onnx,
}
