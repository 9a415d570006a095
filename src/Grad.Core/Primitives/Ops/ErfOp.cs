namespace Autodiff;

/// <summary>y = erf(x) = 2/√π ∫₀ˣ e^(−t²) dt;  dy/dx = 2/√π · e^(−x²).</summary>
public sealed class ErfOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly ErfOp Instance = new();

    private ErfOp() : base("erf") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3.5, 3.5);

    /// <inheritdoc/>
    /// <remarks>Computed in double precision for both dtypes (see <see cref="SpecialFunctions.Erf"/>).</remarks>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p)
    {
        for (var i = 0; i < y.Length; i++)
            y[i] = T.CreateTruncating(SpecialFunctions.Erf(double.CreateTruncating(x[i])));
    }

    /// <inheritdoc/>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => 2 / Math.Sqrt(Math.PI) * (-x.Square()).Exp();
}

public sealed partial class Tensor
{
    /// <summary>Elementwise Gauss error function erf(x), accurate to about 1e-15.</summary>
    public Tensor Erf() => ErfOp.Instance.Bind(OpParams.None, this);
}
