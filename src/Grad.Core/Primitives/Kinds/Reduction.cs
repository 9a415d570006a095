using System.Numerics;

namespace Autodiff;

/// <summary>
/// y = reduce(x) over a set of axes (<see cref="ReduceParams"/>). The kind views x as [outer, n, inner] with
/// the reduced axes in the middle: when inner = 1 a leaf op reduces contiguous rows, otherwise it folds whole
/// inner-length rows into an accumulator, so no copy is made. Only reduced axes that are not adjacent are
/// first moved last by a copy.
/// </summary>
public abstract class Reduction(string name) : Primitive(name)
{
    /// <inheritdoc/>
    public sealed override int Arity => 1;

    /// <inheritdoc/>
    public sealed override Type ParamsType => typeof(ReduceParams);

    /// <summary>Reduces one contiguous row to a single value.</summary>
    protected abstract T ReduceRow<T>(ReadOnlySpan<T> row) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Folds one row into an accumulator row elementwise: acc[i] = reduce(acc[i], x[i]).</summary>
    protected abstract void Combine<T>(ReadOnlySpan<T> x, Span<T> acc) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <inheritdoc/>
    protected internal sealed override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var input = x[0];
        input.RequireFloat(Name);
        var rp = (ReduceParams)p;
        Shapes.RequireNormalAxes(Name, rp.Axes, input);
        return input.DType == DType.Float32 ? Run<float>(input, rp) : Run<double>(input, rp);
    }

    private Tensor Run<T>(Tensor x, ReduceParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var outShape = Shapes.Reduced(x.Dims, p.Axes, p.KeepDims);
        var y = Tensor.Allocate(outShape, out T[] dst);
        var adjacent = p.Axes.Length == 0 || p.Axes[^1] - p.Axes[0] == p.Axes.Length - 1;
        var source = adjacent ? x : ReductionLayout.RowsLast(x, p.Axes, out _);
        // The reduced axes are now one block: x is [outer, n, inner].
        var first = adjacent ? (p.Axes.Length == 0 ? x.Rank : p.Axes[0]) : x.Rank - p.Axes.Length;
        var n = 1;
        foreach (var a in p.Axes) n *= x.Dims[a];
        var inner = adjacent ? Shapes.Size(x.Dims[(first + p.Axes.Length)..]) : 1;
        var outer = adjacent ? Shapes.Size(x.Dims[..first]) : dst.Length;
        var src = source.Data<T>();
        if (n == 0 && dst.Length > 0) CheckEmptyRow(x, p);

        if (inner == 1)
        {
            ParallelKernel.For(dst.Length, n, (start, count) =>
            {
                for (var i = start; i < start + count; i++) dst[i] = ReduceRow(src.AsSpan(i * n, n));
            });
        }
        else if (n > 0)
        {
            // Each output row of `inner` values folds n input rows; chunks of one output row split its columns.
            ParallelKernel.For(outer * inner, n, (start, count) =>
            {
                var end = start + count;
                while (start < end)
                {
                    var (o, i) = Math.DivRem(start, inner);
                    var length = Math.Min(inner - i, end - start);
                    var acc = dst.AsSpan(start, length);
                    var rowStart = o * n * inner + i;
                    src.AsSpan(rowStart, length).CopyTo(acc);
                    for (var k = 1; k < n; k++) Combine<T>(src.AsSpan(rowStart + k * inner, length), acc);
                    start += length;
                }
            });
        }
        else
        {
            // Reducing zero elements: each output is the reduction of an empty row (its identity).
            var identity = ReduceRow(ReadOnlySpan<T>.Empty);
            Array.Fill(dst, identity);
        }
        return y;
    }

    /// <summary>Called when reducing over zero elements; throws if the reduction has no identity.</summary>
    protected virtual void CheckEmptyRow(Tensor x, ReduceParams p) { }

    /// <summary>A domain with random shape and random subset of axes, values distinct and in [lo, hi].</summary>
    protected static OpDomain RandomAxesDomain(double lo, double hi) => new($"x in [{lo}, {hi}] (distinct values), any subset of axes, keepDims either way", s =>
    {
        var shape = s.Shape(0, 3);
        return new OpCase([s.DistinctFloats(shape, lo, hi)], new ReduceParams(s.Axes(shape.Length), s.Coin()));
    });

    /// <summary>Reshapes <paramref name="g"/> of the reduced shape to keep-dims form and broadcasts it over x's shape.</summary>
    protected static Tensor BroadcastBack(Tensor g, Tensor x, ReduceParams p) =>
        g.Reshape(Shapes.Reduced(x.Dims, p.Axes, keepDims: true)).BroadcastTo(x.ShapeArray);
}

/// <summary>Moves reduced axes last so that each output element reduces one contiguous row.</summary>
internal static class ReductionLayout
{
    public static Tensor RowsLast(Tensor x, int[] axes, out int rowLength)
    {
        var rank = x.Rank;
        var kept = Enumerable.Range(0, rank).Where(d => Array.BinarySearch(axes, d) < 0).ToArray();
        var perm = kept.Concat(axes).ToArray();
        rowLength = 1;
        foreach (var a in axes) rowLength *= x.Dims[a];
        var identity = true;
        for (var d = 0; d < rank; d++) identity &= perm[d] == d;
        if (identity) return x;
        var strides = Shapes.Strides(x.Dims);
        var permShape = perm.Select(d => x.Dims[d]).ToArray();
        var permStrides = perm.Select(d => strides[d]).ToArray();
        return Strided.Gather(x, 0, permStrides, permShape);
    }
}
