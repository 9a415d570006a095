using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>
/// y = max x over axes;  ∂y/∂x = mask / count, where mask = (x == y) marks the maxima of each reduced row
/// and count is how many there are: ties share the gradient equally (VJP spreads gy, JVP averages tx).
/// </summary>
public sealed class MaxOp : Reduction
{
    /// <summary>The single instance.</summary>
    public static readonly MaxOp Instance = new();

    private MaxOp() : base("max") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = RandomAxesDomain(-3, 3);

    /// <inheritdoc/>
    protected override T ReduceRow<T>(ReadOnlySpan<T> row) => TensorPrimitives.Max(row);

    /// <inheritdoc/>
    protected override void Combine<T>(ReadOnlySpan<T> x, Span<T> acc) => TensorPrimitives.Max(acc, x, acc);

    /// <inheritdoc/>
    protected override void CheckEmptyRow(Tensor x, ReduceParams p) =>
        throw new ArgumentException($"max: cannot reduce over zero elements (axes [{string.Join(", ", p.Axes)}] of {x.DType.Name()} {x.ShapeText}); the maximum of nothing is undefined");

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p)
    {
        var rp = (ReduceParams)p;
        return (tx[0]! * TieWeights(x[0], y, rp)).Sum(rp.Axes, rp.KeepDims);
    }

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p)
    {
        var rp = (ReduceParams)p;
        return [BroadcastBack(gy, x[0], rp) * TieWeights(x[0], y, rp)];
    }

    /// <summary>
    /// mask / count shaped like x: 1/k at each of the k maxima of a reduced row, 0 elsewhere. The mask comes from a
    /// comparison with a constant copy of y, so no transform differentiates it: it is piecewise constant in x.
    /// </summary>
    private static Tensor TieWeights(Tensor x, Tensor y, ReduceParams p)
    {
        var mask = x.Eq(BroadcastBack(y.AsConstant(), x, p)).Cast(x.DType);
        return mask / BroadcastBack(mask.Sum(p.Axes, keepDims: true), x, p);
    }
}

public sealed partial class Tensor
{
    /// <summary>The largest element, as a scalar; its gradient is shared equally among tied maxima.</summary>
    public Tensor Max() => Max(Shapes.AllAxes(Rank), keepDims: false);

    /// <summary>The maximum over <paramref name="axes"/> (negative counts from the end), dropping them.</summary>
    public Tensor Max(params int[] axes) => Max(axes, keepDims: false);

    /// <summary>The maximum over <paramref name="axes"/>; reduced axes stay as size 1 when <paramref name="keepDims"/>.</summary>
    public Tensor Max(int[] axes, bool keepDims) =>
        MaxOp.Instance.Bind(new ReduceParams(Shapes.Axes("max", axes, Rank, Dims), keepDims), this);
}
