namespace Autodiff.Nn;

/// <summary>
/// Layer normalisation over the trailing <c>NormalizedShape</c> axes of each example:
/// y = (x − mean) / √(var + eps)·γ + β, with the biased variance, γ and β of the normalised shape (PyTorch's nn.LayerNorm).
/// </summary>
/// <param name="Weight">γ, shaped like the normalised axes, or null without an elementwise affine.</param>
/// <param name="Bias">β, shaped like the normalised axes, or null without an elementwise affine.</param>
/// <param name="NormalizedShape">The trailing dimensions normalised over, e.g. [features].</param>
/// <param name="Eps">Added to the variance for stability.</param>
public sealed record LayerNorm(Tensor? Weight, Tensor? Bias, int[] NormalizedShape, double Eps = 1e-5) : IStatelessLayer
{
    /// <summary>γ = 1 and β = 0 (when <paramref name="elementwiseAffine"/>), PyTorch's initialisation.</summary>
    public static LayerNorm Create(int[] normalizedShape, double eps = 1e-5, bool elementwiseAffine = true, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        if (normalizedShape.Length == 0 || normalizedShape.Any(d => d <= 0))
            throw new ArgumentException($"LayerNorm: the normalised shape must be non-empty with positive dimensions, got {LayerChecks.Format(normalizedShape)}");
        return elementwiseAffine
            ? new(Tensor.Ones(dtype, normalizedShape), Tensor.Zeros(dtype, normalizedShape), [.. normalizedShape], eps)
            : new(null, null, [.. normalizedShape], eps);
    }

    /// <summary>Normalises each example of <paramref name="x"/> [..., *NormalizedShape] over its trailing axes.</summary>
    public Tensor Apply(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var k = NormalizedShape.Length;
        if (!x.DType.IsFloat() || x.Rank < k || !x.Shape[^k..].SequenceEqual(NormalizedShape))
            throw new ArgumentException($"LayerNorm: expects a float input ending in the normalised shape {LayerChecks.Format(NormalizedShape)}, got {x.DType.Name()} {x.ShapeText}");
        var axes = Enumerable.Range(x.Rank - k, k).ToArray();
        var mean = x.Mean(axes, keepDims: true);
        var variance = x.Var(axes, keepDims: true);
        var y = (x - mean) / (variance + Eps).Sqrt();
        if (Weight is not null) y *= Weight;
        if (Bias is not null) y += Bias;
        return y;
    }
}
