using System.Numerics;

namespace Autodiff;

/// <summary>
/// y = reduce(x) over a set of axes (<see cref="ReduceParams"/>). The kind moves the reduced axes last
/// (copying only when they are not already last), so a leaf op reduces contiguous rows.
/// </summary>
public abstract class Reduction(string name) : Primitive(name)
{
    /// <inheritdoc/>
    public sealed override int Arity => 1;

    /// <summary>Reduces one contiguous row to a single value.</summary>
    protected abstract T ReduceRow<T>(ReadOnlySpan<T> row) where T : unmanaged, IFloatingPointIeee754<T>;

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
        var rows = ReductionLayout.RowsLast(x, p.Axes, out var rowLength);
        var src = rows.Data<T>();
        var outShape = Shapes.Reduced(x.Dims, p.Axes, p.KeepDims);
        var dst = new T[Shapes.Size(outShape)];
        if (rowLength == 0 && dst.Length > 0) CheckEmptyRow(x, p);
        ParallelKernel.For(dst.Length, rowLength, (start, count) =>
        {
            for (var i = start; i < start + count; i++) dst[i] = ReduceRow(src.AsSpan(i * rowLength, rowLength));
        });
        return Tensor.Wrap(dst, outShape);
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
