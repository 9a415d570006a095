using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = eˣ;  dy/dx = y.</summary>
public sealed class ExpOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly ExpOp Instance = new();

    private ExpOp() : base("exp") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3, 3);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Exp(x, y);

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => y;
}

public sealed partial class Tensor
{
    /// <summary>Elementwise natural exponential, eˣ.</summary>
    public Tensor Exp() => ExpOp.Instance.Bind(OpParams.None, this);
}
