namespace Autodiff;

/// <summary>y = ln(1 + eˣ), computed as max(x, 0) + ln(1 + e^(−|x|));  dy/dx = σ(x).</summary>
public sealed class SoftplusOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly SoftplusOp Instance = new();

    private SoftplusOp() : base("softplus") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-5, 5);

    /// <inheritdoc/>
    /// <remarks>e^(−|x|) ≤ 1 never overflows, and log1p keeps the tail digits for large |x|.</remarks>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p)
    {
        for (var i = 0; i < y.Length; i++)
            y[i] = T.Max(x[i], T.Zero) + SpecialFunctions.Log1p(T.Exp(-T.Abs(x[i])));
    }

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => x.Sigmoid();
}

public sealed partial class Tensor
{
    /// <summary>Elementwise softplus, ln(1 + eˣ), stable for large |x|.</summary>
    public Tensor Softplus() => SoftplusOp.Instance.Bind(OpParams.None, this);
}
