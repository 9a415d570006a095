using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = a + b (same shape);  ∂y/∂a = 1, ∂y/∂b = 1.</summary>
public sealed class AddOp : BinaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly AddOp Instance = new();

    private AddOp() : base("add") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Binary((-3, 3), (-3, 3));

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Add(a, b, y);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, T b, Span<T> y) => TensorPrimitives.Add(a, b, y);

    /// <inheritdoc/>
    protected override void Kernel<T>(T a, ReadOnlySpan<T> b, Span<T> y) => TensorPrimitives.Add(b, a, y);

    /// <inheritdoc/>
    protected override Tensor ElementwiseJvp(Tensor[] x, Tensor?[] tx, Tensor y) =>
        tx[0] is null ? tx[1]! : tx[1] is null ? tx[0]! : tx[0]! + tx[1]!;

    /// <inheritdoc/>
    protected override Tensor?[] ElementwiseVjp(Tensor gy, Tensor[] x, Tensor y) => [gy, gy];
}
