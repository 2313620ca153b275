using System;
using System.IO;
using System.Linq;
using HybridGen.Twins;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using T = TorchSharp.torch.Tensor;

namespace HybridGen.EndToEnd.Tests;

/// <summary>
/// OnnxExport (issue 20, item 6): the written file loads in a fresh ONNX Runtime session of its own (not HybridGen's)
/// and, fed the sample input, gives what the eager body gives, with the weights the model had when it was written.
/// </summary>
public class OnnxExportTests
{
    [Theory]
    [InlineData("MnistCnn")]
    [InlineData("TinyResNet")]
    [InlineData("EncoderLayer")]
    public void TheWrittenModelRunsInAFreshSessionAndAgreesWithEager(string name)
    {
        (nn.Module<T, T> model, T sample) = name switch
        {
            "MnistCnn" => ((nn.Module<T, T>)new MnistCnn(), randn(2, 1, 16, 16)),
            "TinyResNet" => (new TinyResNet(), randn(2, 3, 16, 16)),
            _ => (new EncoderLayer(), randn(2, 6, 32)),
        };
        model.eval();
        string path = Path.Combine(Path.GetTempPath(), $"hybridgen-export-{Guid.NewGuid():N}", name + ".onnx");
        try
        {
            using (no_grad()) OnnxExport.Save(path, () => model.forward(sample));
            Assert.True(File.Exists(path));
            Assert.False(File.Exists(path + ".tmp"));
            using T expected = ExpectedOf(model, sample);
            using var session = new InferenceSession(path);
            Assert.StartsWith("in_", session.InputMetadata.Keys.Single());           // in_ and the C# parameter's name
            var input = new DenseTensor<float>(sample.data<float>().ToArray(), sample.shape.Select(d => (int)d).ToArray());
            using var results = session.Run(new[] { NamedOnnxValue.CreateFromTensor(session.InputMetadata.Keys.Single(), input) });
            float[] actual = results.Single().AsEnumerable<float>().ToArray();
            float[] wanted = expected.data<float>().ToArray();
            Assert.Equal(wanted.Length, actual.Length);
            for (int k = 0; k < wanted.Length; k++)
                Assert.True(Math.Abs(wanted[k] - actual[k]) <= 1e-5 + 1e-4 * Math.Abs(wanted[k]), $"element {k}: eager {wanted[k]}, exported {actual[k]}");

            // The file holds the weights of the moment it was written: changed weights are not in it.
            using (no_grad()) foreach (var p in model.parameters()) p.add_(1.0);
            using T changed = ExpectedOf(model, sample);
            Assert.NotEqual(changed.data<float>().ToArray()[0], actual[0]);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    private static T ExpectedOf(nn.Module<T, T> model, T sample)
    {
        using var _ = no_grad();
        return model.forward(sample).detach().clone();
    }

    [Fact]
    public void ACallWithNoOnnxFormSaysWhyAndWritesNothing()
    {
        var model = new TinyResNet();
        model.train();                                       // batch norm in training mode has no ONNX form
        string path = Path.Combine(Path.GetTempPath(), $"hybridgen-export-{Guid.NewGuid():N}.onnx");
        using T sample = randn(2, 3, 16, 16);
        var error = Assert.Throws<TwinUnavailableException>(() => OnnxExport.Save(path, () => model.forward(sample)));
        Assert.Contains("training mode", error.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void ACallThatReachesNoHybridizedMethodIsAnError()
    {
        using T x = ones(2);
        Assert.Throws<InvalidOperationException>(() => OnnxExport.Save(Path.GetTempFileName(), () => x.relu()));
    }
}
