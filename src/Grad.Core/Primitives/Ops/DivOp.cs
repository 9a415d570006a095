using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = a / b (same shape);  ∂y/∂a = 1/b, ∂y/∂b = −a/b² = −y/b.</summary>
public sealed class DivOp : BinaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly DivOp Instance = new();

    private DivOp() : base("div") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Binary((-3, 3), (-3, 3), gapB: 0.3);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Divide(a, b, y);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Divide(a, b, y);

    /// <inheritdoc/>
    protected override void Kernel<T>(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Divide(a, b, y);

    /// <inheritdoc/>
    protected override Tensor ElementwiseJvp(Tensor[] x, Tensor?[] tx, Tensor y) =>
        tx[0] is null ? -(tx[1]! * y / x[1]) : tx[1] is null ? tx[0]! / x[1] : (tx[0]! - tx[1]! * y) / x[1];

    /// <inheritdoc/>
    protected override Tensor?[] ElementwiseVjp(Tensor gy, Tensor[] x, Tensor y)
    {
        var ga = gy / x[1];
        return [ga, -(ga * y)];
    }
}
