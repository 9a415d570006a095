namespace Autodiff.Optimizers;

/// <summary>
/// torch.optim.Adam and torch.optim.AdamW (Adam with decoupled weight decay). For each leaf, at step t = 1, 2, … with
/// learning rate γ = lr.At(t − 1), betas (β₁, β₂), weight decay λ:
/// <code>
/// g ← g + λ·θ                         Adam, if λ ≠ 0 (L2 penalty)
/// θ ← θ·(1 − γ·λ)                     AdamW (decoupled decay)
/// m ← β₁·m + (1 − β₁)·g
/// v ← β₂·v + (1 − β₂)·g²
/// v_max ← max(v_max, v)               if amsgrad (the raw second moment, as torch computes it)
/// θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)      with v̂ = v_max if amsgrad, else v
/// </code>
/// which is torch's documented <c>θ − γ·m̂ / (√v̂ + ε)</c> with <c>m̂ = m / (1 − β₁ᵗ)</c>, <c>v̂ = v / (1 − β₂ᵗ)</c>.
/// Moments are kept in the parameters' dtype. Made by <see cref="Optim.Adam"/> and <see cref="Optim.AdamW"/>.
/// </summary>
public sealed class Adam : GradientTransformation
{
    internal Adam(string name, Schedule lr, (double Beta1, double Beta2) betas, double eps, double weightDecay, bool amsgrad, bool decoupledWeightDecay)
        : base(name)
    {
        Hyper.RequireBeta(Name, "betas.Beta1", betas.Beta1);
        Hyper.RequireBeta(Name, "betas.Beta2", betas.Beta2);
        Hyper.RequireAtLeastZero(Name, "eps", eps);
        Hyper.RequireAtLeastZero(Name, "weightDecay", weightDecay);
        (Lr, Betas, Eps, WeightDecay, Amsgrad, DecoupledWeightDecay) = (lr, betas, eps, weightDecay, amsgrad, decoupledWeightDecay);
    }

    /// <summary>The learning rate γ, per step.</summary>
    public Schedule Lr { get; }

    /// <summary>The decay rates (β₁, β₂) of the first and second moments.</summary>
    public (double Beta1, double Beta2) Betas { get; }

    /// <summary>ε, added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>The weight decay λ: an L2 penalty for Adam, a decoupled decay for AdamW.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether to use the AMSGrad variant (the running maximum of the second moment).</summary>
    public bool Amsgrad { get; }

    /// <summary>True for AdamW: θ ← θ·(1 − γλ) instead of adding λθ to the gradient.</summary>
    public bool DecoupledWeightDecay { get; }

    /// <summary>Adam's state, named as in torch's <c>state_dict</c>.</summary>
    /// <param name="Step">Completed steps, as an int32 scalar.</param>
    /// <param name="ExpAvg">The first moment m of each leaf.</param>
    /// <param name="ExpAvgSq">The second moment v of each leaf.</param>
    /// <param name="MaxExpAvgSq">The running maximum of v of each leaf with amsgrad, else null.</param>
    public sealed record State(Tensor Step, Tensor[] ExpAvg, Tensor[] ExpAvgSq, Tensor[]? MaxExpAvgSq) : OptState;

    /// <inheritdoc/>
    protected internal override OptState InitLeaves(Tensor[] parameters) =>
        new State(StepTensor(0), ZerosLike(parameters), ZerosLike(parameters), Amsgrad ? ZerosLike(parameters) : null);

    /// <inheritdoc/>
    protected internal override (Tensor[] Updates, OptState State) UpdateLeaves(Tensor[] gradients, OptState state, Tensor[] parameters)
    {
        var s = StateOf<State>(state);
        var step = StepOf(s.Step);
        RequireMoments(s.ExpAvg, nameof(State.ExpAvg), parameters);
        RequireMoments(s.ExpAvgSq, nameof(State.ExpAvgSq), parameters);
        if (Amsgrad) RequireMoments(s.MaxExpAvgSq, nameof(State.MaxExpAvgSq), parameters);
        var lr = Hyper.RateAt(Name, Lr, step);
        var t = checked(step + 1);
        var (beta1, beta2) = Betas;
        var biasCorrection1 = 1 - Math.Pow(beta1, t);
        var biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(beta2, t));
        var stepSize = lr / biasCorrection1;

        var n = parameters.Length;
        var (updates, expAvg, expAvgSq) = (new Tensor[n], new Tensor[n], new Tensor[n]);
        var maxExpAvgSq = Amsgrad ? new Tensor[n] : null;
        // Outside any transform nothing needs the intermediates, so a one-pass kernel gives the same bits; inside one
        // (differentiating through the update) the tensor code below is traced like any other.
        var fused = maxExpAvgSq is null && Interpreter.Current is null;
        for (var i = 0; i < n; i++)
        {
            var (theta, g) = (parameters[i], gradients[i]);
            if (fused)
            {
                var coupled = WeightDecay != 0 && !DecoupledWeightDecay;
                var decoupled = WeightDecay != 0 && DecoupledWeightDecay;
                (updates[i], expAvg[i], expAvgSq[i]) = theta.DType == DType.Float32
                    ? AdamKernel.Step(theta, g, s.ExpAvg[i], s.ExpAvgSq[i], new AdamKernel.Constants<float>(
                        (float)WeightDecay, coupled, (float)beta1, (float)(1 - beta1), (float)beta2, (float)(1 - beta2),
                        (float)biasCorrection2Sqrt, (float)Eps, (float)-stepSize, (float)(lr * WeightDecay), decoupled))
                    : AdamKernel.Step(theta, g, s.ExpAvg[i], s.ExpAvgSq[i], new AdamKernel.Constants<double>(
                        WeightDecay, coupled, beta1, 1 - beta1, beta2, 1 - beta2,
                        biasCorrection2Sqrt, Eps, -stepSize, lr * WeightDecay, decoupled));
                continue;
            }
            if (WeightDecay != 0 && !DecoupledWeightDecay) g = g + WeightDecay * theta;
            var m = beta1 * s.ExpAvg[i] + (1 - beta1) * g;
            var v = beta2 * s.ExpAvgSq[i] + (1 - beta2) * g.Square();
            var vHat = v;
            if (maxExpAvgSq is not null) vHat = maxExpAvgSq[i] = Tensor.Maximum(s.MaxExpAvgSq![i], v);
            var denominator = vHat.Sqrt() / biasCorrection2Sqrt + Eps;
            var update = -stepSize * (m / denominator);
            if (WeightDecay != 0 && DecoupledWeightDecay) update = update - lr * WeightDecay * theta;
            (updates[i], expAvg[i], expAvgSq[i]) = (update, m, v);
        }
        return (updates, new State(StepTensor(t), expAvg, expAvgSq, maxExpAvgSq));
    }
}
