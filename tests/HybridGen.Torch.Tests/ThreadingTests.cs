using System.Linq;
using System.Threading.Tasks;
using HybridGen.Torch;
using static HybridGen.Torch.torch;

namespace HybridGen.Torch.Tests;

public class ThreadingTests
{
    [Fact]
    public void OpsFromManyThreadsAtOnceGiveCorrectResults()
    {
        using Tensor shared = arange(100).to(ScalarType.Float64);
        double expected = Enumerable.Range(0, 100).Sum(i => 2.0 * i + 1);
        bool[] ok = new bool[16];
        Parallel.For(0, 16, new ParallelOptions { MaxDegreeOfParallelism = 16 }, t =>
        {
            bool all = true;
            for (int i = 0; i < 500; i++)
            {
                using var scope = NewDisposeScope();
                all &= (shared * 2L + 1L).sum().item<double>() == expected;
            }
            ok[t] = all;
        });
        Assert.All(ok, Assert.True);
    }
}
