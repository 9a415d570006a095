using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = x^c for a constant c (<see cref="ScalarParams"/>);  dy/dx = c·x^(c−1).</summary>
public sealed class PowScalarOp : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly PowScalarOp Instance = new();

    private PowScalarOp() : base("pow_scalar") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(ScalarParams);

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x in [0.2, 3], c a multiple of 1/2 in [-3, 3]", s =>
        new OpCase([s.Floats(s.Shape(), 0.2, 3)], new ScalarParams(s.Int(-6, 6) / 2.0)));

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) =>
        TensorPrimitives.Pow(x, T.CreateChecked(((ScalarParams)p).Value), y);

    /// <inheritdoc/>
    /// <remarks>Zero for c = 0 (not 0·x⁻¹, which is NaN at x = 0).</remarks>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p)
    {
        var c = ((ScalarParams)p).Value;
        return c == 0 ? Tensor.ZerosLike(x) : c * x.Pow(c - 1);
    }
}

public sealed partial class Tensor
{
    /// <summary>Elementwise x^c for a constant exponent (NaN for x &lt; 0 unless c is a whole number); x² uses <see cref="Square"/>.</summary>
    public Tensor Pow(double exponent) =>
        exponent == 2 ? Square() : PowScalarOp.Instance.Bind(new ScalarParams(exponent), this);
}
