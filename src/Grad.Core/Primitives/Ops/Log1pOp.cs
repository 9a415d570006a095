namespace Autodiff;

/// <summary>y = ln(1 + x), accurate for tiny x;  dy/dx = 1/(1 + x).</summary>
public sealed class Log1pOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly Log1pOp Instance = new();

    private Log1pOp() : base("log1p") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-0.8, 3);

    /// <inheritdoc/>
    /// <remarks>Not <c>TensorPrimitives.LogP1</c>: that is ln(1 + x) with 1 + x rounded first.</remarks>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p)
    {
        for (var i = 0; i < y.Length; i++) y[i] = SpecialFunctions.Log1p(x[i]);
    }

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => (1.0 + x).Reciprocal();
}

public sealed partial class Tensor
{
    /// <summary>Elementwise ln(1 + x), accurate when |x| is tiny.</summary>
    public Tensor Log1p() => Log1pOp.Instance.Bind(OpParams.None, this);
}
