using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = |x|;  dy/dx = sign(x) (0 at x = 0, as in JAX).</summary>
public sealed class AbsOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly AbsOp Instance = new();

    private AbsOp() : base("abs") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3, 3, gap: 0.1);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Abs(x, y);

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => x.Sign();
}

public sealed partial class Tensor
{
    /// <summary>Elementwise absolute value, |x|.</summary>
    public Tensor Abs() => AbsOp.Instance.Bind(OpParams.None, this);
}
