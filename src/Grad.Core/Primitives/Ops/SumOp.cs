using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = Σ x over axes;  VJP broadcasts gy back over the reduced axes, JVP sums the tangent.</summary>
public sealed class SumOp : Reduction
{
    /// <summary>The single instance.</summary>
    public static readonly SumOp Instance = new();

    private SumOp() : base("sum") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = RandomAxesDomain(-3, 3);

    /// <inheritdoc/>
    protected override T ReduceRow<T>(ReadOnlySpan<T> row) => TensorPrimitives.Sum(row);

    /// <inheritdoc/>
    protected override void Combine<T>(ReadOnlySpan<T> x, Span<T> acc) => TensorPrimitives.Add(acc, x, acc);

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p)
    {
        var rp = (ReduceParams)p;
        return tx[0]!.Sum(rp.Axes, rp.KeepDims);
    }

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [BroadcastBack(gy, x[0], (ReduceParams)p)];
}

public sealed partial class Tensor
{
    /// <summary>The sum of all elements, as a scalar.</summary>
    public Tensor Sum() => Sum(Shapes.AllAxes(Rank), keepDims: false);

    /// <summary>The sum over <paramref name="axes"/> (negative counts from the end), dropping them.</summary>
    public Tensor Sum(params int[] axes) => Sum(axes, keepDims: false);

    /// <summary>The sum over <paramref name="axes"/>; reduced axes stay as size 1 when <paramref name="keepDims"/>.</summary>
    public Tensor Sum(int[] axes, bool keepDims) =>
        SumOp.Instance.Bind(new ReduceParams(Shapes.Axes("sum", axes, Rank, Dims), keepDims), this);
}
