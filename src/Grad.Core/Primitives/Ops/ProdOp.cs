using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>
/// y = Π x over axes;  ∂y/∂xᵢ = y / xᵢ (VJP gy·y/x, JVP Σ tx·y/x). Limitation: the rule divides by x, so an
/// exact zero in a reduced row gives a NaN gradient for that row (the product of the others is not formed).
/// </summary>
public sealed class ProdOp : Reduction
{
    /// <summary>The single instance.</summary>
    public static readonly ProdOp Instance = new();

    private ProdOp() : base("prod") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x in [-1.5, 1.5], |x| >= 0.3 (the rule divides by x), any subset of axes, keepDims either way", s =>
    {
        var shape = s.Shape(0, 3);
        return new OpCase([s.Floats(shape, -1.5, 1.5, gap: 0.3)], new ReduceParams(s.Axes(shape.Length), s.Coin()));
    });

    /// <inheritdoc/>
    protected override T ReduceRow<T>(ReadOnlySpan<T> row) => row.IsEmpty ? T.One : TensorPrimitives.Product(row);

    /// <inheritdoc/>
    protected override void Combine<T>(ReadOnlySpan<T> x, Span<T> acc) => TensorPrimitives.Multiply(acc, x, acc);

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p)
    {
        var rp = (ReduceParams)p;
        return (tx[0]! * BroadcastBack(y, x[0], rp) / x[0]).Sum(rp.Axes, rp.KeepDims);
    }

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p)
    {
        var rp = (ReduceParams)p;
        return [BroadcastBack(gy * y, x[0], rp) / x[0]];
    }
}

public sealed partial class Tensor
{
    /// <summary>The product of all elements, as a scalar (1 for an empty tensor).</summary>
    public Tensor Prod() => Prod(Shapes.AllAxes(Rank), keepDims: false);

    /// <summary>The product over <paramref name="axes"/> (negative counts from the end), dropping them.</summary>
    public Tensor Prod(params int[] axes) => Prod(axes, keepDims: false);

    /// <summary>The product over <paramref name="axes"/>; reduced axes stay as size 1 when <paramref name="keepDims"/>.</summary>
    public Tensor Prod(int[] axes, bool keepDims) =>
        ProdOp.Instance.Bind(new ReduceParams(Shapes.Axes("prod", axes, Rank, Dims), keepDims), this);
}
