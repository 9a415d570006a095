using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = cos(x);  dy/dx = −sin(x).</summary>
public sealed class CosOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly CosOp Instance = new();

    private CosOp() : base("cos") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-4, 4);

    /// <inheritdoc/>
    /// <remarks>TensorPrimitives' float64 kernel rounds some elements differently by address and span end.</remarks>
    protected override bool RunsInAlignedBlocks => true;

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Cos(x, y);

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => -x.Sin();
}

public sealed partial class Tensor
{
    /// <summary>Elementwise cosine.</summary>
    public Tensor Cos() => CosOp.Instance.Bind(OpParams.None, this);
}
