namespace Autodiff.Optimizers;

/// <summary>
/// torch.optim.RMSprop. For each leaf, at step t = 1, 2, … with learning rate γ = lr.At(t − 1), smoothing α, momentum
/// μ, weight decay λ:
/// <code>
/// g ← g + λ·θ                         if λ ≠ 0
/// v ← α·v + (1 − α)·g²
/// if centered:  ḡ ← α·ḡ + (1 − α)·g;   d ← √(v − ḡ²) + ε
/// else:         d ← √v + ε
/// if μ &gt; 0:    b ← μ·b + g / d;       θ ← θ − γ·b      (b starts at zero)
/// else:         θ ← θ − γ·g / d
/// </code>
/// Arithmetic is in the parameters' dtype. Made by <see cref="Optim.RmsProp"/>.
/// </summary>
public sealed class RmsProp : GradientTransformation
{
    internal RmsProp(Schedule lr, double alpha, double eps, double weightDecay, double momentum, bool centered) : base("RMSprop")
    {
        Hyper.RequireAtLeastZero(Name, "alpha", alpha);
        Hyper.RequireAtLeastZero(Name, "eps", eps);
        Hyper.RequireAtLeastZero(Name, "weightDecay", weightDecay);
        Hyper.RequireAtLeastZero(Name, "momentum", momentum);
        (Lr, Alpha, Eps, WeightDecay, Momentum, Centered) = (lr, alpha, eps, weightDecay, momentum, centered);
    }

    /// <summary>The learning rate γ, per step.</summary>
    public Schedule Lr { get; }

    /// <summary>The smoothing constant α of the running averages.</summary>
    public double Alpha { get; }

    /// <summary>ε, added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>The L2 penalty λ added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>The momentum factor μ (0: none).</summary>
    public double Momentum { get; }

    /// <summary>Whether to normalize by the estimated variance (v − ḡ²) rather than the raw second moment.</summary>
    public bool Centered { get; }

    /// <summary>RMSprop's state, named as in torch's <c>state_dict</c>.</summary>
    /// <param name="Step">Completed steps, as an int32 scalar.</param>
    /// <param name="SquareAvg">The running average v of g² of each leaf.</param>
    /// <param name="MomentumBuffer">The momentum buffer b of each leaf when μ &gt; 0, else null.</param>
    /// <param name="GradAvg">The running average ḡ of g of each leaf when centered, else null.</param>
    public sealed record State(Tensor Step, Tensor[] SquareAvg, Tensor[]? MomentumBuffer, Tensor[]? GradAvg) : OptState;

    /// <inheritdoc/>
    protected internal override OptState InitLeaves(Tensor[] parameters) =>
        new State(StepTensor(0), ZerosLike(parameters), Momentum > 0 ? ZerosLike(parameters) : null, Centered ? ZerosLike(parameters) : null);

    /// <inheritdoc/>
    protected internal override (Tensor[] Updates, OptState State) UpdateLeaves(Tensor[] gradients, OptState state, Tensor[] parameters)
    {
        var s = StateOf<State>(state);
        var step = StepOf(s.Step);
        RequireMoments(s.SquareAvg, nameof(State.SquareAvg), parameters);
        if (Momentum > 0) RequireMoments(s.MomentumBuffer, nameof(State.MomentumBuffer), parameters);
        if (Centered) RequireMoments(s.GradAvg, nameof(State.GradAvg), parameters);
        var lr = Hyper.RateAt(Name, Lr, step);

        var n = parameters.Length;
        var (updates, squareAvg) = (new Tensor[n], new Tensor[n]);
        var momentumBuffer = Momentum > 0 ? new Tensor[n] : null;
        var gradAvg = Centered ? new Tensor[n] : null;
        for (var i = 0; i < n; i++)
        {
            var g = gradients[i];
            if (WeightDecay != 0) g = g + WeightDecay * parameters[i];
            var v = squareAvg[i] = Alpha * s.SquareAvg[i] + (1 - Alpha) * g.Square();
            Tensor denominator;
            if (gradAvg is not null)
            {
                var gBar = gradAvg[i] = Alpha * s.GradAvg![i] + (1 - Alpha) * g;
                denominator = (v - gBar.Square()).Sqrt() + Eps;
            }
            else
            {
                denominator = v.Sqrt() + Eps;
            }
            if (momentumBuffer is not null)
            {
                var b = momentumBuffer[i] = Momentum * s.MomentumBuffer![i] + g / denominator;
                updates[i] = -lr * b;
            }
            else
            {
                updates[i] = -lr * (g / denominator);
            }
        }
        return (updates, new State(StepTensor(checked(step + 1)), squareAvg, momentumBuffer, gradAvg));
    }
}
