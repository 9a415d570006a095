using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = tanh(x);  dy/dx = 1 − y².</summary>
public sealed class TanhOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly TanhOp Instance = new();

    private TanhOp() : base("tanh") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3, 3);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Tanh(x, y);

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => 1.0 - y * y;
}

public sealed partial class Tensor
{
    /// <summary>Elementwise hyperbolic tangent.</summary>
    public Tensor Tanh() => TanhOp.Instance.Bind(OpParams.None, this);
}
