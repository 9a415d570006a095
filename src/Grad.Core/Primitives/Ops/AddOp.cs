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
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) =>
        tx[0] is null ? tx[1]! : tx[1] is null ? tx[0]! : tx[0]! + tx[1]!;

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [gy, gy];
}
