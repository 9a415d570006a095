using System.Numerics;

namespace Autodiff;

/// <summary>
/// Scalar special functions the kernels need and .NET does not provide accurately:
/// <c>double.LogP1</c> and <c>double.ExpM1</c> are computed as <c>Log(1 + x)</c> and <c>Exp(x) − 1</c>
/// (all digits lost for tiny x), and there is no erf at all.
/// </summary>
internal static class SpecialFunctions
{
    /// <summary>ln(1 + x), accurate for tiny x.</summary>
    /// <remarks>
    /// Goldberg's trick: u = 1 ⊕ x is rounded, but ln(u)·x/(u − 1) corrects for exactly that rounding,
    /// because ln(u)/(u − 1) varies slowly near u = 1 (Goldberg 1991, theorem 4).
    /// </remarks>
    public static T Log1p<T>(T x) where T : IFloatingPointIeee754<T>
    {
        var u = T.One + x;
        if (u == T.One) return x;
        if (T.IsPositiveInfinity(u)) return u;
        return T.Log(u) * x / (u - T.One);
    }

    /// <summary>eˣ − 1, accurate for tiny x.</summary>
    /// <remarks>Kahan's trick, the mirror of <see cref="Log1p{T}"/>: (u − 1)·x/ln(u) with u = eˣ rounded.</remarks>
    public static T Expm1<T>(T x) where T : IFloatingPointIeee754<T>
    {
        var u = T.Exp(x);
        if (u == T.One) return x;
        var um1 = u - T.One;
        if (um1 == -T.One || T.IsPositiveInfinity(u)) return um1;
        return um1 * x / T.Log(u);
    }

    /// <summary>The error function erf(x) = 2/√π ∫₀ˣ e^(−t²) dt, to about 1e-15 relative accuracy.</summary>
    /// <remarks>
    /// |x| &lt; 2: the series erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), whose terms are all
    /// positive, so nothing cancels (unlike the alternating Taylor series).
    /// 2 ≤ |x| &lt; 6: erf = 1 − erfc with erfc(x) = e^(−x²)/√π · 1/(x + ½/(x + 1/(x + (3/2)/(x + …)))),
    /// by the modified Lentz algorithm (at most ~70 terms here; it converges too slowly below 2).
    /// |x| ≥ 6: erfc(x) &lt; 3e-17, below half an ulp of 1.
    /// </remarks>
    public static double Erf(double x)
    {
        if (double.IsNaN(x)) return x;
        var a = Math.Abs(x);
        var r = a < 2 ? ErfSeries(a) : a < 6 ? 1 - ErfcContinuedFraction(a) : 1.0;
        return Math.CopySign(r, x);
    }

    private const double TwoOverSqrtPi = 1.1283791670955126;   // 2/√π
    private const double OneOverSqrtPi = 0.56418958354775628;  // 1/√π

    private static double ErfSeries(double x)
    {
        // termₙ = 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), so termₙ = termₙ₋₁ · 2x² / (2n+1).
        var twoX2 = 2 * x * x;
        double term = x, sum = x;
        for (var n = 1; term > sum * 1e-17; n++)
        {
            term *= twoX2 / (2 * n + 1);
            sum += term;
        }
        return TwoOverSqrtPi * ExpMinusSquare(x) * sum;
    }

    private static double ErfcContinuedFraction(double x)
    {
        // g = x + a₁/(x + a₂/(x + …)) with aₙ = n/2; erfc(x) = e^(−x²) / (√π · g).
        // For x > 0 every partial denominator is ≥ x, so Lentz's guard against division by zero is not needed.
        double g = x, c = x, d = 0;
        for (var n = 1; n < 500; n++)
        {
            var an = 0.5 * n;
            d = 1 / (x + an * d);
            c = x + an / c;
            var delta = c * d;
            g *= delta;
            if (Math.Abs(delta - 1) < 1e-16) break;
        }
        return OneOverSqrtPi * ExpMinusSquare(x) / g;
    }

    /// <summary>e^(−x²) without the error of rounding x² first: x² = hi + lo exactly (FMA), e^(−lo) ≈ 1 − lo.</summary>
    private static double ExpMinusSquare(double x)
    {
        var hi = x * x;
        var lo = Math.FusedMultiplyAdd(x, x, -hi);
        return Math.Exp(-hi) * (1 - lo);
    }
}
