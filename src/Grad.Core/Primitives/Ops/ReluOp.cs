using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = max(x, 0);  dy/dx = 1 where x &gt; 0, else 0 (0 at the kink, as in JAX).</summary>
public sealed class ReluOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly ReluOp Instance = new();

    private ReluOp() : base("relu") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3, 3, gap: 0.1);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Max(x, T.Zero, y);

    /// <inheritdoc/>
    /// <remarks>The mask comes from a comparison (bool, never tracked), so it is a constant to every transform.</remarks>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => x.Gt(0.0).Cast(x.DType);
}

public sealed partial class Tensor
{
    /// <summary>Elementwise rectified linear unit, max(x, 0).</summary>
    public Tensor Relu() => ReluOp.Instance.Bind(OpParams.None, this);
}
