using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = |x|;  dy/dx = sign(x), taken as 1 at x = 0 (JAX's convention: x ≥ 0 selects +1).</summary>
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
    /// <remarks>2·[x ≥ 0] − 1 from a comparison mask, so it is a constant to every transform.</remarks>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => 2.0 * x.Ge(0.0).Cast(x.DType) - 1.0;
}

public sealed partial class Tensor
{
    /// <summary>Elementwise absolute value, |x|.</summary>
    public Tensor Abs() => AbsOp.Instance.Bind(OpParams.None, this);
}
