using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = ln(x);  dy/dx = 1/x.</summary>
public sealed class LogOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly LogOp Instance = new();

    private LogOp() : base("log") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(0.2, 4);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) => TensorPrimitives.Log(x, y);

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => x.Reciprocal();
}

public sealed partial class Tensor
{
    /// <summary>Elementwise natural logarithm.</summary>
    public Tensor Log() => LogOp.Instance.Bind(OpParams.None, this);
}
