using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = x²;  dy/dx = 2x.</summary>
public sealed class SquareOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly SquareOp Instance = new();

    private SquareOp() : base("square") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3, 3);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Multiply(x, x, y);

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => 2.0 * x;
}

public sealed partial class Tensor
{
    /// <summary>Elementwise square, x².</summary>
    public Tensor Square() => SquareOp.Instance.Bind(OpParams.None, this);
}
