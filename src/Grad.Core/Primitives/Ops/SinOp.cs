using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = sin(x);  dy/dx = cos(x).</summary>
public sealed class SinOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly SinOp Instance = new();

    private SinOp() : base("sin") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-4, 4);

    /// <inheritdoc/>
    /// <remarks>TensorPrimitives' float64 kernel rounds some elements differently by address and span end.</remarks>
    protected override bool RunsInAlignedBlocks => true;

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Sin(x, y);

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => x.Cos();
}

public sealed partial class Tensor
{
    /// <summary>Elementwise sine.</summary>
    public Tensor Sin() => SinOp.Instance.Bind(OpParams.None, this);
}
