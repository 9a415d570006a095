namespace Autodiff.Optimizers;

/// <summary>
/// PyTorch's optimizers (same hyper-parameter names, defaults and trajectories as <c>torch.optim</c>) and Optax-style
/// gradient transformations, as pure <see cref="GradientTransformation"/>s:
/// <code>
/// var opt = Optim.Adam(1e-3);
/// var state = opt.Init(model);
/// (model, state) = opt.Update(grads, state, model);
/// </code>
/// A learning rate is a constant or a <see cref="Schedule"/> of the step count.
/// </summary>
public static class Optim
{
    /// <summary>torch.optim.SGD (equations on <see cref="Optimizers.Sgd"/>); <paramref name="lr"/> defaults to 1e-3.</summary>
    public static Sgd Sgd(Schedule? lr = null, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false) =>
        new(lr ?? 1e-3, momentum, dampening, weightDecay, nesterov);

    /// <summary>torch.optim.Adam, weight decay as an L2 penalty (equations on <see cref="Optimizers.Adam"/>); betas default to (0.9, 0.999).</summary>
    public static Adam Adam(Schedule? lr = null, (double Beta1, double Beta2)? betas = null, double eps = 1e-8, double weightDecay = 0, bool amsgrad = false) =>
        new("Adam", lr ?? 1e-3, betas ?? (0.9, 0.999), eps, weightDecay, amsgrad, decoupledWeightDecay: false);

    /// <summary>torch.optim.AdamW, decoupled weight decay θ ← θ·(1 − γλ) (equations on <see cref="Optimizers.Adam"/>); betas default to (0.9, 0.999).</summary>
    public static Adam AdamW(Schedule? lr = null, (double Beta1, double Beta2)? betas = null, double eps = 1e-8, double weightDecay = 1e-2, bool amsgrad = false) =>
        new("AdamW", lr ?? 1e-3, betas ?? (0.9, 0.999), eps, weightDecay, amsgrad, decoupledWeightDecay: true);

    /// <summary>torch.optim.RMSprop (equations on <see cref="Optimizers.RmsProp"/>); <paramref name="lr"/> defaults to 1e-2.</summary>
    public static RmsProp RmsProp(Schedule? lr = null, double alpha = 0.99, double eps = 1e-8, double weightDecay = 0, double momentum = 0, bool centered = false) =>
        new(lr ?? 1e-2, alpha, eps, weightDecay, momentum, centered);

    /// <summary>torch.optim.Adagrad (equations on <see cref="Optimizers.Adagrad"/>); <paramref name="lr"/> defaults to 1e-2.</summary>
    public static Adagrad Adagrad(Schedule? lr = null, double lrDecay = 0, double weightDecay = 0, double initialAccumulatorValue = 0, double eps = 1e-10) =>
        new(lr ?? 1e-2, lrDecay, weightDecay, initialAccumulatorValue, eps);

    /// <summary>Scales the gradients to a global 2-norm of at most <paramref name="maxNorm"/>, as torch's <c>clip_grad_norm_</c>.</summary>
    public static ClipByGlobalNorm ClipByGlobalNorm(double maxNorm) => new(maxNorm);

    /// <summary>Clamps every gradient element to [−<paramref name="clipValue"/>, <paramref name="clipValue"/>], as torch's <c>clip_grad_value_</c>.</summary>
    public static ClipByValue ClipByValue(double clipValue) => new(clipValue);

    /// <summary>The transformations applied in order, each to the previous one's updates; the state is the array of their states.</summary>
    /// <exception cref="ArgumentException">No parts, or a null part.</exception>
    public static Chain Chain(params GradientTransformation[] parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        if (parts.Length == 0) throw new ArgumentException("Chain: needs at least one transformation");
        var index = Array.IndexOf(parts, null);
        if (index >= 0) throw new ArgumentNullException(nameof(parts), $"Chain: part {index} is null");
        return new((GradientTransformation[])parts.Clone());
    }
}
