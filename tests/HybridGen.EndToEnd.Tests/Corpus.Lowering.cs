using System;
using System.Collections.Generic;
using HybridGen;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace HybridGen.EndToEnd.Tests;

// The equivalence corpus: every construct the lowering accepts, and realistic blocks. Each method gets a twin
// (LoweringEquivalenceTests checks that, then compares eager and graph on seeded random inputs).
public static partial class Corpus
{
    static readonly double Scale = 0.5;
    const int Offset = 3;
    static Tensor s_table = ones(4);

    // ---- locals and assignment ----
    [Hybridize(nameof(LocalsChainEager))] public static partial Tensor LocalsChain(Tensor x);
    static Tensor LocalsChainEager(Tensor x)
    {
        var a = x * 2.0;
        var b = a + 1;
        a = a * b;
        return a - b;
    }

    [Hybridize(nameof(CompoundAssignEager))] public static partial Tensor CompoundAssign(Tensor x);
    static Tensor CompoundAssignEager(Tensor x)
    {
        var y = x;
        y += x;
        y *= 2.0;
        y -= 1;
        y /= 3.0;
        return y;
    }

    [Hybridize(nameof(ScalarCountersEager))] public static partial Tensor ScalarCounters(Tensor x, int n);
    static Tensor ScalarCountersEager(Tensor x, int n)
    {
        int k = 0;
        k++;
        k += n;
        k--;
        k *= 2;
        return x * k;
    }

    [Hybridize(nameof(SiblingScopesEager))] public static partial Tensor SiblingScopes(Tensor x, bool flag);
    static Tensor SiblingScopesEager(Tensor x, bool flag)
    {
        if (flag)
        {
            var t = x * 2.0;
            x = t;
        }
        else
        {
            var t = 3;
            x = x + t;
        }
        { var t = 0.25; x = x * t; }
        return x;
    }

    [Hybridize(nameof(TypedLocalsEager))] public static partial Tensor TypedLocals(Tensor x);
    static Tensor TypedLocalsEager(Tensor x)
    {
        Tensor y = x.relu();
        double s = 0.5;
        long m = 3;
        float f = 2;
        return y * s + m - x * f;
    }

    // ---- control flow ----
    [Hybridize(nameof(IfElseEager))] public static partial Tensor IfElse(Tensor x, double threshold);
    static Tensor IfElseEager(Tensor x, double threshold)
    {
        if (threshold > 0)
            return x.relu() * threshold;
        else
            return -x;
    }

    [Hybridize(nameof(IfChainEager))] public static partial Tensor IfChain(Tensor x, int mode);
    static Tensor IfChainEager(Tensor x, int mode)
    {
        Tensor y;
        if (mode == 0) y = x.relu();
        else if (mode == 1) y = x.tanh();
        else if (mode < 0) { y = x.sigmoid(); y = y * 2.0; }
        else y = x;
        return y + 1;
    }

    [Hybridize(nameof(TernaryEager))] public static partial Tensor Ternary(Tensor x, bool useTanh);
    static Tensor TernaryEager(Tensor x, bool useTanh) => useTanh ? x.tanh() : x.sigmoid() * (useTanh ? 1.0 : 2.0);

    [Hybridize(nameof(SwitchOnIntEager))] public static partial Tensor SwitchOnInt(Tensor x, int op);
    static Tensor SwitchOnIntEager(Tensor x, int op)
    {
        Tensor y;
        switch (op)
        {
            case 0:
                y = x.relu();
                break;
            case 1:
            case 2:
                y = x.tanh() * op;
                break;
            default:
                y = x;
                break;
        }
        return y;
    }

    [Hybridize(nameof(ForRangeEager))] public static partial Tensor ForRange(Tensor x, int steps);
    static Tensor ForRangeEager(Tensor x, int steps)
    {
        for (int i = 0; i < steps; i++) x = x * 0.9 + i;
        return x;
    }

    [Hybridize(nameof(ForDescendingEager))] public static partial Tensor ForDescending(Tensor x, int n);
    static Tensor ForDescendingEager(Tensor x, int n)
    {
        for (int i = n; i >= 1; i--) x = x + i;
        for (long j = 0; j <= n; j += 2) x = x * 0.5 + j;
        return x;
    }

    // Results that are lists of tensors: an array, and a read-only list.
    [Hybridize(nameof(HalvesArrayEager))] public static partial Tensor[] HalvesArray(Tensor x);
    static Tensor[] HalvesArrayEager(Tensor x) => x.chunk(2, 0);

    [Hybridize(nameof(ScaledListEager))] public static partial IReadOnlyList<Tensor> ScaledList(Tensor x, int n);
    static IReadOnlyList<Tensor> ScaledListEager(Tensor x, int n)
    {
        var parts = new List<Tensor>();
        for (int i = 0; i < n; i++) parts.Add(x * (i + 1));
        return parts;
    }

    // Two hybridized overloads of one name: each has its own dispatcher, report entry and twin.
    [Hybridize(nameof(ScaleByNumberEager))] public static partial Tensor Scaled(Tensor x, double s);
    static Tensor ScaleByNumberEager(Tensor x, double s) => x * s;

    [Hybridize(nameof(ScaleByTensorEager))] public static partial Tensor Scaled(Tensor x, Tensor s);
    static Tensor ScaleByTensorEager(Tensor x, Tensor s) => x * s + 1;

    // C# re-evaluates a for condition at every iteration: a bound the body changes must not become range(n).
    [Hybridize(nameof(ForBoundChangesEager))] public static partial Tensor ForBoundChanges(Tensor x, int n);
    static Tensor ForBoundChangesEager(Tensor x, int n)
    {
        var y = x;
        for (int i = 0; i < n; i++)
        {
            y = y + 1;
            n = n - 1;
        }
        return y;
    }

    [Hybridize(nameof(ForShapeBoundChangesEager))] public static partial Tensor ForShapeBoundChanges(Tensor x);
    static Tensor ForShapeBoundChangesEager(Tensor x)
    {
        var y = x;
        for (int i = 0; i < y.shape[0]; i++) y = y[1..];
        return y;
    }

    [Hybridize(nameof(ForGeneralEager))] public static partial Tensor ForGeneral(Tensor x, int n);
    static Tensor ForGeneralEager(Tensor x, int n)
    {
        for (int i = 1; i < n; i *= 2)
        {
            if (i == 4) continue;
            x = x + i;
        }
        return x;
    }

    [Hybridize(nameof(WhileLoopEager))] public static partial Tensor WhileLoop(Tensor x, int n);
    static Tensor WhileLoopEager(Tensor x, int n)
    {
        int i = 0;
        while (i < n)
        {
            x = x.tanh() + 0.1;
            i++;
        }
        return x;
    }

    [Hybridize(nameof(DoWhileEager))] public static partial Tensor DoWhile(Tensor x, int n);
    static Tensor DoWhileEager(Tensor x, int n)
    {
        int i = 0;
        do
        {
            i++;
            if (i == 2) continue;
            x = x + 1;
        } while (i < n);
        return x * i;
    }

    [Hybridize(nameof(BreakContinueEager))] public static partial Tensor BreakContinue(Tensor x, int n);
    static Tensor BreakContinueEager(Tensor x, int n)
    {
        for (int i = 0; i < 10; i++)
        {
            if (i % 2 == 1) continue;
            if (i > n) break;
            x = x + i;
        }
        return x;
    }

    [Hybridize(nameof(EarlyReturnEager))] public static partial Tensor EarlyReturn(Tensor x, int n);
    static Tensor EarlyReturnEager(Tensor x, int n)
    {
        for (int i = 0; i < 5; i++)
        {
            if (i == n) return x * i;
            x = x + 1;
        }
        return x;
    }

    [Hybridize(nameof(NestedLoopsEager))] public static partial Tensor NestedLoops(Tensor x, int n);
    static Tensor NestedLoopsEager(Tensor x, int n)
    {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                x = x + i * j;
        return x;
    }

    [Hybridize(nameof(ForeachArrayEager))] public static partial Tensor ForeachArray(Tensor[] xs);
    static Tensor ForeachArrayEager(Tensor[] xs)
    {
        var total = xs[0] * 0.0;
        foreach (var t in xs) total = total + t;
        return total / xs.Length;
    }

    [Hybridize(nameof(ForeachListEager))] public static partial Tensor ForeachList(IReadOnlyList<Tensor> xs);
    static Tensor ForeachListEager(IReadOnlyList<Tensor> xs)
    {
        var total = xs[0];
        foreach (var t in xs) total = total * t;
        return total + xs.Count;
    }

    [Hybridize(nameof(ForeachLocalArrayEager))] public static partial Tensor ForeachLocalArray(Tensor x);
    static Tensor ForeachLocalArrayEager(Tensor x)
    {
        var parts = new[] { x, x * 2.0, x.tanh() };
        var total = x * 0.0;
        foreach (var p in parts) total = total + p;
        return total;
    }

    // ---- scalar arithmetic with C#'s meaning ----
    [Hybridize(nameof(IntDivisionEager))] public static partial Tensor IntDivision(Tensor x, int a, int b);
    static Tensor IntDivisionEager(Tensor x, int a, int b) => x * (a / b) + (a % b);

    [Hybridize(nameof(LongArithmeticEager))] public static partial Tensor LongArithmetic(Tensor x, long a, long b);
    static Tensor LongArithmeticEager(Tensor x, long a, long b) => x * (a * b - a / b + (a << 1) - (b & 3));

    [Hybridize(nameof(DoubleRemainderEager))] public static partial Tensor DoubleRemainder(Tensor x, double a, double b);
    static Tensor DoubleRemainderEager(Tensor x, double a, double b) => x * (a % b) + a / b;

    [Hybridize(nameof(MathFunctionsEager))] public static partial Tensor MathFunctions(Tensor x, double a);
    static Tensor MathFunctionsEager(Tensor x, double a) =>
        x * Math.Sqrt(a) + Math.Max(a, 1.0) - Math.Abs(-a) + Math.Floor(a) + Math.Pow(a, 2) + Math.Exp(-a) + Math.Tanh(a) + Math.Min(2, 3);

    [Hybridize(nameof(MixedIntDoubleEager))] public static partial Tensor MixedIntDouble(Tensor x, int n, double s);
    static Tensor MixedIntDoubleEager(Tensor x, int n, double s)
    {
        double r = n * s + n / 2;
        int back = (int)(s * 10);
        return x * r + back;
    }

    [Hybridize(nameof(BoolLogicEager))] public static partial Tensor BoolLogic(Tensor x, bool a, bool b);
    static Tensor BoolLogicEager(Tensor x, bool a, bool b)
    {
        if ((a && !b) || (a ^ b)) return x;
        return -x;
    }

    [Hybridize(nameof(StaticConstantsEager))] public static partial Tensor StaticConstants(Tensor x);
    static Tensor StaticConstantsEager(Tensor x) => x * Scale + Offset;

    // ---- tensor ops, indexing, lists ----
    [Hybridize(nameof(ReductionsEager))] public static partial Tensor Reductions(Tensor x);
    static Tensor ReductionsEager(Tensor x) =>
        x.sum(1, keepdim: true) / x.shape[1] + x.mean() - x.amax(new long[] { 0 }).sum() + x.std() * x.logsumexp(1).unsqueeze(1);

    [Hybridize(nameof(SlicesEager))] public static partial Tensor Slices(Tensor x);
    static Tensor SlicesEager(Tensor x) => x[1..3, 2..].sum() + x[0, ..] * x[^1, ..] + x[.., 0].sum() + x[TensorIndex.Slice(0, null, 2), 1].sum();

    [Hybridize(nameof(EllipsisNoneEager))] public static partial Tensor EllipsisNone(Tensor x);
    static Tensor EllipsisNoneEager(Tensor x) => x[TensorIndex.Ellipsis, 1] * 2.0 + x[TensorIndex.None].squeeze(0).sum(2) + x[0][1].sum();

    // Host arithmetic on scalar parameters: Math.Round rounds half to even (2.5 → 2), Truncate toward zero, Sign and
    // Clamp as .NET computes them, casts truncate.
    [Hybridize(nameof(HostMathEager))] public static partial Tensor HostMath(Tensor x, double a, int n);
    static Tensor HostMathEager(Tensor x, double a, int n) =>
        x * Math.Round(a) + Math.Truncate(a) + Math.Sign(a) * 10 + Math.Sign(n) * 100 + Math.Clamp(n, -2, 3) * 1000
        + Math.Clamp(a, -1.0, 1.0) + Math.Round(a * 10) / 10 + (int)a + (long)(a * 3) + (float)a + MathF.Round((float)a) * 7
        + Math.Ceiling(a) * 0.5 + Math.Floor(a) * 0.25 + MathF.Truncate((float)a) * 3 + MathF.Sign((float)a) * 5 + MathF.Abs((float)a) * 0.125;

    // TensorIndex forms whose parts are omitted or null (TorchSharp's SequenceToSequence example slices its positional
    // table as pe[Slice(null, t.shape[0]), Slice()]): a part left out is left out of the subscript.
    [Hybridize(nameof(SliceToLengthOfEager))] public static partial Tensor SliceToLengthOf(Tensor pe, Tensor t);
    static Tensor SliceToLengthOfEager(Tensor pe, Tensor t) => t + pe[TensorIndex.Slice(null, t.shape[0]), TensorIndex.Slice()];

    [Hybridize(nameof(SliceOmittedPartsEager))] public static partial Tensor SliceOmittedParts(Tensor x);
    static Tensor SliceOmittedPartsEager(Tensor x) =>
        x[TensorIndex.Slice(1)].sum(0) + x[TensorIndex.Slice(stop: 2)].sum(0) + x[TensorIndex.Slice(step: 2)].sum(0)
        + x[TensorIndex.Slice(null, null, 2), TensorIndex.Slice(1, 3)].sum(0).sum() + x[TensorIndex.Slice(0, 4, null)].sum(0);

    [Hybridize(nameof(SliceNegativeBoundsEager))] public static partial Tensor SliceNegativeBounds(Tensor x, long k);
    static Tensor SliceNegativeBoundsEager(Tensor x, long k) =>
        x[TensorIndex.Slice(-3, -1)].sum(0) + x[TensorIndex.Slice(-k)].sum(0) + x[TensorIndex.Slice(1, -1, 2)].sum(0) + x[^2..].sum(0);

    [Hybridize(nameof(SingleNullAndNewAxisEager))] public static partial Tensor SingleNullAndNewAxis(Tensor x, long i);
    static Tensor SingleNullAndNewAxisEager(Tensor x, long i) =>
        x[TensorIndex.Single(i)] + x[TensorIndex.Single(-1)] + x[TensorIndex.Single(null)]
        + x[TensorIndex.Null, TensorIndex.Single(0)].squeeze(0) + x[TensorIndex.Ellipsis, TensorIndex.None, TensorIndex.Single(0)].sum() + x[i, TensorIndex.Colon];

    [Hybridize(nameof(IndexMethodAndTensorIndexEager))] public static partial Tensor IndexMethodAndTensorIndex(Tensor x, Tensor rows);
    static Tensor IndexMethodAndTensorIndexEager(Tensor x, Tensor rows) =>
        x.index(TensorIndex.Slice(start: 1), TensorIndex.Slice(step: 2)).sum() + x.index(TensorIndex.Tensor(rows), TensorIndex.Colon) + x[TensorIndex.Slice(1..3)].sum();

    // Lists the body makes (a collection initializer, a collection expression), filled by the body and by void
    // helpers it passes them to, and a loop whose Count bound grows as it runs.
    [Hybridize(nameof(ListsTheBodyMakesEager))] public static partial Tensor ListsTheBodyMakes(Tensor x, int extra);
    static Tensor ListsTheBodyMakesEager(Tensor x, int extra)
    {
        var parts = new List<Tensor> { x, x.relu() };
        List<Tensor> more = [x * 3];
        AppendScaled(parts, x, 0.5);
        ScaleAt(parts, 1, -2.0);
        parts[0] = parts[0] + more[0];
        more[0] += parts[2];
        for (int i = 0; i < parts.Count; i++)
            if (parts.Count < 4 + extra) parts.Add(parts[i] * 0.25);
        Tensor sum = more[0];
        for (int i = 0; i < parts.Count; i++) sum = sum + parts[i];
        return sum * parts.Count;
    }

    static void AppendScaled(List<Tensor> into, Tensor t, double scale) => into.Add(t * scale);

    static void ScaleAt(List<Tensor> into, int k, double scale)
    {
        into[k] = into[k] * scale;
    }

    // Intermediates freed with using, as TorchSharp's examples write them (a graph frees nothing).
    [Hybridize(nameof(UsingIntermediatesEager))] public static partial Tensor UsingIntermediates(Tensor x, Tensor pe);
    static Tensor UsingIntermediatesEager(Tensor x, Tensor pe)
    {
        using var a = x.relu() + pe[TensorIndex.Slice(null, x.shape[0]), TensorIndex.Slice()];
        using (var b = a * 2.0)
        {
            using var c = b.tanh();
            return c + a;
        }
    }

    [Hybridize(nameof(TensorIndexEager))] public static partial Tensor TensorIndexing(Tensor x, Tensor rows);
    static Tensor TensorIndexEager(Tensor x, Tensor rows) => x[rows] * 2.0 + x.index_select(0, rows);

    [Hybridize(nameof(CatStackEager))] public static partial Tensor CatStack(Tensor a, Tensor b);
    static Tensor CatStackEager(Tensor a, Tensor b) => cat(new[] { a, b }, 1) + stack(new[] { a, b }).sum(dim: 0).repeat(1, 2); // (sum(0) would be sum(ScalarType): C# converts a literal 0 to any enum)

    [Hybridize(nameof(CollectionExpressionEager))] public static partial Tensor CollectionExpression(Tensor a, Tensor b);
    static Tensor CollectionExpressionEager(Tensor a, Tensor b) => cat([a, b, a * b]);

    [Hybridize(nameof(SplitChunkEager))] public static partial Tensor SplitChunk(Tensor x);
    static Tensor SplitChunkEager(Tensor x) => x.chunk(2, 1)[0] * x.split(1, 0)[1][.., ..2];

    [Hybridize(nameof(ReshapePermuteEager))] public static partial Tensor ReshapePermute(Tensor x);
    static Tensor ReshapePermuteEager(Tensor x) => x.reshape(2, -1).t().contiguous().view(-1) + x.permute(1, 0).flatten();

    [Hybridize(nameof(WhereMaskedFillEager))] public static partial Tensor WhereMaskedFill(Tensor x);
    static Tensor WhereMaskedFillEager(Tensor x) => where(x > 0.0, x, x * 0.1).masked_fill(x < -1.0, 0.0);

    [Hybridize(nameof(DtypeArgumentsEager))] public static partial Tensor DtypeArguments(Tensor x);
    static Tensor DtypeArgumentsEager(Tensor x) => x.sum(new long[] { 1 }, type: ScalarType.Float64) + x.to(ScalarType.Float64).mean();

    [Hybridize(nameof(DeviceArgumentsEager))] public static partial Tensor DeviceArguments(Tensor x);
    static Tensor DeviceArgumentsEager(Tensor x) => x.to(CPU) * 2.0 + x.to(x.device) + x.to(device("cpu")) + zeros(x.shape).to(x.device);

    [Hybridize(nameof(CreationInsideEager))] public static partial Tensor CreationInside(Tensor x);
    static Tensor CreationInsideEager(Tensor x) => x + ones(x.shape) * 2 + zeros_like(x) + full(new long[] { 1 }, 0.5);

    [Hybridize(nameof(IntTensorOpsEager))] public static partial Tensor IntTensorOps(Tensor x);
    static Tensor IntTensorOpsEager(Tensor x) => (x * 3 + 1) % 4 - x / 2;

    [Hybridize(nameof(FunctionalBlockEager))] public static partial Tensor FunctionalBlock(Tensor x, Tensor w);
    static Tensor FunctionalBlockEager(Tensor x, Tensor w) =>
        F.gelu(F.linear(x, w)) + F.silu(x.matmul(w.t())) + F.softmax(x, 1).log() + F.leaky_relu(x, 0.2) + F.elu(x, 1.0);

    // ---- tuples ----
    [Hybridize(nameof(ReturnTupleEager))] public static partial (Tensor, Tensor) ReturnTuple(Tensor x);
    static (Tensor, Tensor) ReturnTupleEager(Tensor x) => (x.relu(), x.tanh());

    [Hybridize(nameof(DeconstructEager))] public static partial Tensor Deconstruct(Tensor x);
    static Tensor DeconstructEager(Tensor x)
    {
        var (a, b) = Halves(x);
        (Tensor c, _) = Halves(a);
        return a * b + c;
    }

    static (Tensor, Tensor) Halves(Tensor t) => (t * 0.5, t - 0.5);

    [Hybridize(nameof(TupleLocalEager))] public static partial Tensor TupleLocal(Tensor x);
    static Tensor TupleLocalEager(Tensor x)
    {
        var pair = (x * 2.0, x + 1.0);
        (Tensor first, Tensor second) named = (x, x.sigmoid());
        return pair.Item1 - pair.Item2 + named.second;
    }

    [Hybridize(nameof(NestedTupleEager))] public static partial ((Tensor, Tensor), Tensor) NestedTuple(Tensor x);
    static ((Tensor, Tensor), Tensor) NestedTupleEager(Tensor x) => ((x, x * 2.0), x * 3.0);

    [Hybridize(nameof(ScalarResultEager))] public static partial (Tensor, long, double) ScalarResult(Tensor x, long n);
    static (Tensor, long, double) ScalarResultEager(Tensor x, long n) => (x * n, n * 2, n / 4.0);

    // ---- helpers ----
    static Tensor Gelu(Tensor t) => F.gelu(t);

    static Tensor Smooth(Tensor t, int steps)
    {
        for (int i = 0; i < steps; i++) t = (t + t.tanh()) * 0.5;
        return t;
    }

    [Hybridize(nameof(HelperCallsEager))] public static partial Tensor HelperCalls(Tensor x);
    static Tensor HelperCallsEager(Tensor x) => Gelu(x) * Gelu(-x) + Smooth(x, 3) + Smooth(x, 1);

    [Hybridize(nameof(InnerEager))] public static partial Tensor Inner(Tensor x);
    static Tensor InnerEager(Tensor x) => x.relu() + 1;

    [Hybridize(nameof(OuterEager))] public static partial Tensor Outer(Tensor x);
    static Tensor OuterEager(Tensor x) => Inner(x) * Inner(-x);

    // ---- scopes ----
    [Hybridize(nameof(DisposeScopeEager))] public static partial Tensor DisposeScopeNoOp(Tensor x);
    static Tensor DisposeScopeEager(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = x.relu() * 2.0;
        return y.MoveToOuterDisposeScope();
    }

    [Hybridize(nameof(ScopeMoveToOuterEager))] public static partial Tensor ScopeMoveToOuter(Tensor x);
    static Tensor ScopeMoveToOuterEager(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var y = (x * 3.0).tanh();
        return scope.MoveToOuter(y);
    }

    [Hybridize(nameof(NoGradBlockEager))] public static partial Tensor NoGradBlock(Tensor x);
    static Tensor NoGradBlockEager(Tensor x)
    {
        Tensor y;
        using (no_grad())
        {
            y = x * 2.0;
        }
        return y + x;
    }

    [Hybridize(nameof(NoGradEarlyReturnEager))] public static partial Tensor NoGradEarlyReturn(Tensor x, bool early);
    static Tensor NoGradEarlyReturnEager(Tensor x, bool early)
    {
        using (no_grad())
        {
            if (early) return x * 2.0;
        }
        return x * 3.0;
    }

    [Hybridize(nameof(StaticFieldEager))] public static partial Tensor StaticField(Tensor x);
    static Tensor StaticFieldEager(Tensor x) => x * s_table;

    public static void SetTable(Tensor table) => s_table = table;

    // ---- shapes in control flow ----
    [Hybridize(nameof(ShapeConditionEager))] public static partial Tensor ShapeCondition(Tensor x);
    static Tensor ShapeConditionEager(Tensor x)
    {
        if (x.dim() == 2) return x.t() * 2.0;
        return x;
    }

    [Hybridize(nameof(HalvingLoopEager))] public static partial Tensor HalvingLoop(Tensor x);
    static Tensor HalvingLoopEager(Tensor x)
    {
        var y = x;
        while (y.shape[0] > 1) y = y[..(int)(y.shape[0] / 2)] + y[(int)(y.shape[0] / 2)..(int)(2 * (y.shape[0] / 2))];
        return y;
    }

    // ---- realistic blocks ----
    [Hybridize(nameof(LayerNormByHandEager))] public static partial Tensor LayerNormByHand(Tensor x, Tensor gamma, Tensor beta);
    static Tensor LayerNormByHandEager(Tensor x, Tensor gamma, Tensor beta)
    {
        const double eps = 1e-5;
        var mean = x.mean(new long[] { -1 }, keepdim: true);
        var centered = x - mean;
        var variance = (centered * centered).mean(new long[] { -1 }, keepdim: true);
        return centered / (variance + eps).sqrt() * gamma + beta;
    }

    [Hybridize(nameof(AttentionHeadEager))] public static partial Tensor AttentionHead(Tensor x, Tensor wq, Tensor wk, Tensor wv, bool causal);
    static Tensor AttentionHeadEager(Tensor x, Tensor wq, Tensor wk, Tensor wv, bool causal)
    {
        var q = x.matmul(wq);
        var k = x.matmul(wk);
        var v = x.matmul(wv);
        long d = q.shape[q.dim() - 1];
        var scores = q.matmul(k.transpose(-2, -1)) / Math.Sqrt(d);
        if (causal)
        {
            long n = x.shape[x.dim() - 2];
            var upper = ones(new long[] { n, n }).triu_mask();
            scores = scores.masked_fill(upper, -1e9);
        }
        return F.softmax(scores, -1).matmul(v);
    }

    static Tensor triu_mask(this Tensor square) => square.cumsum(1) > 1.0;

    [Hybridize(nameof(GruLoopEager))] public static partial Tensor GruLoop(Tensor[] steps, Tensor h, Tensor wx, Tensor wh, Tensor b);
    static Tensor GruLoopEager(Tensor[] steps, Tensor h, Tensor wx, Tensor wh, Tensor b)
    {
        foreach (var x in steps) h = GruCell(x, h, wx, wh, b);
        return h;
    }

    static Tensor GruCell(Tensor x, Tensor h, Tensor wx, Tensor wh, Tensor b)
    {
        var gx = x.matmul(wx);
        var gh = h.matmul(wh);
        var parts = (gx + b).chunk(3, 1);
        var hparts = gh.chunk(3, 1);
        var r = (parts[0] + hparts[0]).sigmoid();
        var z = (parts[1] + hparts[1]).sigmoid();
        var n = (parts[2] + r * hparts[2]).tanh();
        return (1.0 - z) * n + z * h;
    }

    [Hybridize(nameof(ResidualConvEager))] public static partial Tensor ResidualConv(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2);
    static Tensor ResidualConvEager(Tensor x, Tensor w1, Tensor b1, Tensor w2, Tensor b2)
    {
        var h = F.relu(F.conv2d(x, w1, b1, padding: new long[] { 1, 1 }));
        h = F.conv2d(h, w2, b2, padding: new long[] { 1, 1 });
        return F.relu(h + x);
    }

    [Hybridize(nameof(SoftmaxCrossEntropyEager))] public static partial Tensor SoftmaxCrossEntropy(Tensor logits, Tensor targets, long classes);
    static Tensor SoftmaxCrossEntropyEager(Tensor logits, Tensor targets, long classes)
    {
        var logProbabilities = F.log_softmax(logits, 1);
        var picked = F.one_hot(targets, classes).to(ScalarType.Float32);
        return -(picked * logProbabilities).sum(1).mean() + F.cross_entropy(logits, targets) * 0.0;
    }

    [Hybridize(nameof(MlpLossEager))] public static partial Tensor MlpLoss(Tensor x, Tensor y, Tensor w1, Tensor b1, Tensor w2, Tensor b2);
    static Tensor MlpLossEager(Tensor x, Tensor y, Tensor w1, Tensor b1, Tensor w2, Tensor b2)
    {
        var hidden = F.relu(F.linear(x, w1, b1));
        var logits = F.linear(hidden, w2, b2);
        return F.cross_entropy(logits, y);
    }

    [Hybridize(nameof(DropoutEvalEager))] public static partial Tensor DropoutEval(Tensor x, bool training);
    static Tensor DropoutEvalEager(Tensor x, bool training) => F.dropout(x, 0.3, training) * 2.0;
}

/// <summary>A layer with its weights in fields: the twin reads them at every call, so changing them is seen.</summary>
public sealed partial class Dense
{
    private Tensor _weight;
    private double _scale = 1.0;

    public Dense(Tensor weight, Tensor bias)
    {
        _weight = weight;
        Bias = bias;
    }

    public Tensor Bias { get; set; }

    public void Update(Tensor weight, double scale)
    {
        _weight = weight;
        _scale = scale;
    }

    [Hybridize(nameof(ForwardEager))] public partial Tensor Forward(Tensor x);
    Tensor ForwardEager(Tensor x) => x.matmul(_weight) * _scale + Bias;
}
