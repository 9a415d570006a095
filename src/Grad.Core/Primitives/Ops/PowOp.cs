using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = a^b (same shape);  ∂y/∂a = b·a^(b−1), ∂y/∂b = y·ln a.</summary>
/// <remarks>
/// As in JAX, ∂y/∂a is taken as 0 where b = 0 and ln a as 0 where a = 0, so that 0^b and a^0 have finite
/// first derivatives (0·∞ would be NaN). Where a &lt; 0 and b is not a whole number, y is NaN.
/// </remarks>
public sealed class PowOp : BinaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly PowOp Instance = new();

    private PowOp() : base("pow") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Binary((0.2, 3), (-2, 2));

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Pow(a, b, y);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Pow(a, b, y);

    /// <inheritdoc/>
    protected override void Kernel<T>(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Pow(a, b, y);

    /// <inheritdoc/>
    protected override Tensor ElementwiseJvp(Tensor[] x, Tensor?[] tx, Tensor y)
    {
        var (a, b) = (x[0], x[1]);
        if (tx[0] is null) return tx[1]! * DyDb(a, y);
        if (tx[1] is null) return tx[0]! * DyDa(a, b);
        return tx[0]! * DyDa(a, b) + tx[1]! * DyDb(a, y);
    }

    /// <inheritdoc/>
    protected override Tensor?[] ElementwiseVjp(Tensor gy, Tensor[] x, Tensor y) =>
        [gy * DyDa(x[0], x[1]), gy * DyDb(x[0], y)];

    private static Tensor DyDa(Tensor a, Tensor b) =>
        Tensor.Where(b.Eq(0.0), 0.0, b * a.Pow(b - 1.0));

    private static Tensor DyDb(Tensor a, Tensor y) =>
        y * Tensor.Where(a.Eq(0.0), 1.0, a).Log();
}

public sealed partial class Tensor
{
    /// <summary>Elementwise a^b with numpy broadcasting (NaN where a &lt; 0 and b is not a whole number).</summary>
    public Tensor Pow(Tensor exponent) => Broadcasting(PowOp.Instance, this, exponent);
}
