namespace Autodiff;

/// <summary>Activation functions composed from primitives; their derivatives follow from the primitives' rules.</summary>
public sealed partial class Tensor
{
    /// <summary>Elementwise x for x ≥ 0, αx otherwise. The derivative at 0 is 1 (JAX's <c>x &gt;= 0</c> convention).</summary>
    public Tensor LeakyRelu(double alpha = 0.01) => Where(Ge(0.0), this, alpha * this);

    /// <summary>
    /// Elementwise x for x &gt; 0, α(eˣ − 1) otherwise. The derivative at 0 is α (JAX's convention); eˣ is
    /// only evaluated at x ≤ 0, so large x cannot overflow into a NaN gradient.
    /// </summary>
    public Tensor Elu(double alpha = 1.0)
    {
        var positive = Gt(0.0);
        var safe = Where(positive, 0.0, this);
        return Where(positive, this, alpha * safe.Expm1());
    }

    /// <summary>
    /// Elementwise Gaussian error linear unit: exactly x·Φ(x) = ½x(1 + erf(x/√2)), or with
    /// <paramref name="approximate"/> the tanh form ½x(1 + tanh(√(2/π)(x + 0.044715x³))).
    /// </summary>
    public Tensor Gelu(bool approximate = false)
    {
        if (approximate)
        {
            var inner = Math.Sqrt(2 / Math.PI) * (this + 0.044715 * (this * Square()));
            return 0.5 * this * (1.0 + inner.Tanh());
        }
        return 0.5 * this * (1.0 + (this / Math.Sqrt(2)).Erf());
    }
}
