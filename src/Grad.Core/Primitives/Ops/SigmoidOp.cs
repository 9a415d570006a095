using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = σ(x) = 1/(1 + e^(−x));  dy/dx = y(1 − y) = σ(x)·σ(−x), finite for every x.</summary>
public sealed class SigmoidOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly SigmoidOp Instance = new();

    private SigmoidOp() : base("sigmoid") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-5, 5);

    /// <inheritdoc/>
    /// <remarks>1/(1 + e^(−x)) saturates cleanly: e^(−x) = ∞ gives 0 and e^(−x) = 0 gives 1, never NaN.</remarks>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Sigmoid(x, y);

    /// <inheritdoc/>
    /// <remarks>σ(−x) rather than 1 − y, which cancels to 0 where y rounds to 1 (x ≳ 17 in float64).</remarks>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => y * (-x).Sigmoid();
}

public sealed partial class Tensor
{
    /// <summary>Elementwise logistic sigmoid, 1/(1 + e^(−x)).</summary>
    public Tensor Sigmoid() => SigmoidOp.Instance.Bind(OpParams.None, this);
}
