using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = a · b (same shape);  ∂y/∂a = b, ∂y/∂b = a.</summary>
public sealed class MulOp : BinaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly MulOp Instance = new();

    private MulOp() : base("mul") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Binary((-3, 3), (-3, 3));

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Multiply(a, b, y);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Multiply(a, b, y);

    /// <inheritdoc/>
    protected override void Kernel<T>(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Multiply(b, a, y);

    /// <inheritdoc/>
    protected override Tensor ElementwiseJvp(Tensor[] x, Tensor?[] tx, Tensor y) =>
        tx[0] is null ? x[0] * tx[1]! : tx[1] is null ? tx[0]! * x[1] : tx[0]! * x[1] + x[0] * tx[1]!;

    /// <inheritdoc/>
    protected override Tensor?[] ElementwiseVjp(Tensor gy, Tensor[] x, Tensor y) => [gy * x[1], gy * x[0]];
}
