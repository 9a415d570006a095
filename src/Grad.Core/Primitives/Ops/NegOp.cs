using System.Numerics;
using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = −x;  dy/dx = −1.</summary>
public sealed class NegOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly NegOp Instance = new();

    private NegOp() : base("neg") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3, 3);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Negate(x, y);

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => Tensor.FullLike(x, -1.0);
}

public sealed partial class Tensor
{
    /// <summary>Elementwise negation, −x.</summary>
    public Tensor Neg() => NegOp.Instance.Bind(OpParams.None, this);
}
