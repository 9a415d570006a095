using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = 1/x;  dy/dx = −y².</summary>
public sealed class ReciprocalOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly ReciprocalOp Instance = new();

    private ReciprocalOp() : base("reciprocal") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3, 3, gap: 0.3);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Reciprocal(x, y);

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => -(y * y);
}

public sealed partial class Tensor
{
    /// <summary>Elementwise reciprocal, 1/x.</summary>
    public Tensor Reciprocal() => ReciprocalOp.Instance.Bind(OpParams.None, this);
}
