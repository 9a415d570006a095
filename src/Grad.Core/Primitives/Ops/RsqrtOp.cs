using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = 1/√x;  dy/dx = −½·x^(−3/2) = −½·y³.</summary>
public sealed class RsqrtOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly RsqrtOp Instance = new();

    private RsqrtOp() : base("rsqrt") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(0.2, 4);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.ReciprocalSqrt(x, y);

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => -0.5 * (y * y * y);
}

public sealed partial class Tensor
{
    /// <summary>Elementwise reciprocal square root, 1/√x (NaN for x &lt; 0).</summary>
    public Tensor Rsqrt() => RsqrtOp.Instance.Bind(OpParams.None, this);
}
