namespace Autodiff.Optimizers;

/// <summary>
/// torch.nn.utils.clip_grad_norm_ (2-norm) as a transformation: with ‖g‖ = √(Σ over every element of every leaf of g²),
/// every leaf is scaled by <c>min(1, maxNorm / (‖g‖ + 10⁻⁶))</c>, which leaves gradients whose norm is below the
/// threshold unchanged. The norm is summed in float64. Keeps no state. Made by <see cref="Optim.ClipByGlobalNorm"/>.
/// </summary>
public sealed class ClipByGlobalNorm : GradientTransformation
{
    internal ClipByGlobalNorm(double maxNorm) : base("ClipByGlobalNorm")
    {
        Hyper.RequireAtLeastZero(Name, "maxNorm", maxNorm);
        MaxNorm = maxNorm;
    }

    /// <summary>The largest global 2-norm let through.</summary>
    public double MaxNorm { get; }

    /// <inheritdoc/>
    protected internal override OptState InitLeaves(Tensor[] parameters) => EmptyState.Instance;

    /// <inheritdoc/>
    protected internal override (Tensor[] Updates, OptState State) UpdateLeaves(Tensor[] gradients, OptState state, Tensor[] parameters)
    {
        StateOf<EmptyState>(state);
        if (gradients.Length == 0) return (gradients, state);
        var sumOfSquares = gradients[0].Square().Sum().Cast(DType.Float64);
        for (var i = 1; i < gradients.Length; i++) sumOfSquares += gradients[i].Square().Sum().Cast(DType.Float64);
        var totalNorm = sumOfSquares.Sqrt();
        var scale = Tensor.Minimum(Tensor.Scalar(1.0, DType.Float64), MaxNorm / (totalNorm + 1e-6));
        return (Array.ConvertAll(gradients, g => g * scale.Cast(g.DType)), state);
    }
}

/// <summary>
/// torch.nn.utils.clip_grad_value_ as a transformation: every element clamped to [−clipValue, clipValue]. Keeps no
/// state. Made by <see cref="Optim.ClipByValue"/>.
/// </summary>
public sealed class ClipByValue : GradientTransformation
{
    internal ClipByValue(double clipValue) : base("ClipByValue")
    {
        Hyper.RequireAtLeastZero(Name, "clipValue", clipValue);
        ClipValue = clipValue;
    }

    /// <summary>The largest magnitude let through.</summary>
    public double ClipValue { get; }

    /// <inheritdoc/>
    protected internal override OptState InitLeaves(Tensor[] parameters) => EmptyState.Instance;

    /// <inheritdoc/>
    protected internal override (Tensor[] Updates, OptState State) UpdateLeaves(Tensor[] gradients, OptState state, Tensor[] parameters)
    {
        StateOf<EmptyState>(state);
        return (Array.ConvertAll(gradients, g => g.Clamp(-ClipValue, ClipValue)), state);
    }
}
