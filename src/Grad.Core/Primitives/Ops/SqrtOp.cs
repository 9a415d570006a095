using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = √x;  dy/dx = 1/(2y).</summary>
public sealed class SqrtOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly SqrtOp Instance = new();

    private SqrtOp() : base("sqrt") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(0.1, 4);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Sqrt(x, y);

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => 0.5 / y;
}

public sealed partial class Tensor
{
    /// <summary>Elementwise square root, √x (NaN for x &lt; 0).</summary>
    public Tensor Sqrt() => SqrtOp.Instance.Bind(OpParams.None, this);
}
