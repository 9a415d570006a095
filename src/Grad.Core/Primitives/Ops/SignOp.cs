namespace Autodiff;

/// <summary>y = sign(x) ∈ {−1, 0, 1} (NaN stays NaN);  dy/dx = 0 (piecewise constant).</summary>
public sealed class SignOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly SignOp Instance = new();

    private SignOp() : base("sign") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3, 3, gap: 0.1);

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p)
    {
        // TensorPrimitives.Sign returns ints and throws on NaN; sign of NaN is NaN here, as in numpy.
        for (var i = 0; i < y.Length; i++)
            y[i] = T.IsNaN(x[i]) ? x[i] : x[i] > T.Zero ? T.One : x[i] < T.Zero ? -T.One : T.Zero;
    }

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => Tensor.ZerosLike(x);
}

public sealed partial class Tensor
{
    /// <summary>Elementwise sign: −1, 0 or 1 in this tensor's dtype; its derivative is zero.</summary>
    public Tensor Sign() => SignOp.Instance.Bind(OpParams.None, this);
}
