namespace Autodiff.Nn;

/// <summary>
/// A fully connected layer y = x·W + b, with W: [in, out] (so no transpose is needed) and an optional b: [out].
/// Works on any leading batch axes: x [..., in] gives y [..., out].
/// </summary>
/// <param name="Weight">The weight, [in features, out features].</param>
/// <param name="Bias">The bias, [out features], or null for none.</param>
public sealed record Linear(Tensor Weight, Tensor? Bias) : IStatelessLayer
{
    /// <summary>
    /// PyTorch's nn.Linear initialisation: W by Kaiming uniform with a = √5, i.e. U(±1/√in), and b from U(±1/√in).
    /// </summary>
    public static Linear Create(int inFeatures, int outFeatures, Key key, bool bias = true, DType dtype = DType.Float32)
    {
        LayerChecks.RequirePositive("Linear", (nameof(inFeatures), inFeatures), (nameof(outFeatures), outFeatures));
        var (weightKey, biasKey) = key.Split();
        var weight = Init.KaimingUniform(weightKey, [inFeatures, outFeatures], dtype, a: Math.Sqrt(5));
        var bound = 1 / Math.Sqrt(inFeatures);
        return new(weight, bias ? Init.Uniform(biasKey, [outFeatures], dtype, -bound, bound) : null);
    }

    /// <summary>x·W + b.</summary>
    public Tensor Apply(Tensor x)
    {
        LayerChecks.RequireFeatures("Linear", x, -1, Weight.Shape[0], minRank: 1);
        var y = x.MatMul(Weight);
        return Bias is null ? y : y + Bias;
    }
}
