namespace Autodiff.Optimizers;

/// <summary>
/// torch.optim.Adagrad. For each leaf, at step t = 1, 2, … with learning rate γ = lr.At(t − 1), decay η (lr_decay),
/// weight decay λ, and the sum s starting at <c>initial_accumulator_value</c>:
/// <code>
/// g ← g + λ·θ                         if λ ≠ 0
/// γ̃ ← γ / (1 + (t − 1)·η)
/// s ← s + g²
/// θ ← θ − γ̃·g / (√s + ε)
/// </code>
/// Arithmetic is in the parameters' dtype. Made by <see cref="Optim.Adagrad"/>.
/// </summary>
public sealed class Adagrad : GradientTransformation
{
    internal Adagrad(Schedule lr, double lrDecay, double weightDecay, double initialAccumulatorValue, double eps) : base("Adagrad")
    {
        Hyper.RequireAtLeastZero(Name, "lrDecay", lrDecay);
        Hyper.RequireAtLeastZero(Name, "weightDecay", weightDecay);
        Hyper.RequireAtLeastZero(Name, "initialAccumulatorValue", initialAccumulatorValue);
        Hyper.RequireAtLeastZero(Name, "eps", eps);
        (Lr, LrDecay, WeightDecay, InitialAccumulatorValue, Eps) = (lr, lrDecay, weightDecay, initialAccumulatorValue, eps);
    }

    /// <summary>The learning rate γ, per step.</summary>
    public Schedule Lr { get; }

    /// <summary>The decay η of the learning rate: γ / (1 + (t − 1)·η).</summary>
    public double LrDecay { get; }

    /// <summary>The L2 penalty λ added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>The starting value of every element of the sum of squared gradients.</summary>
    public double InitialAccumulatorValue { get; }

    /// <summary>ε, added to the denominator.</summary>
    public double Eps { get; }

    /// <summary>Adagrad's state, named as in torch's <c>state_dict</c>.</summary>
    /// <param name="Step">Completed steps, as an int32 scalar.</param>
    /// <param name="Sum">The running sum s of g² of each leaf.</param>
    public sealed record State(Tensor Step, Tensor[] Sum) : OptState;

    /// <inheritdoc/>
    protected internal override OptState InitLeaves(Tensor[] parameters) =>
        new State(StepTensor(0), Array.ConvertAll(parameters, p => Tensor.FullLike(p, InitialAccumulatorValue)));

    /// <inheritdoc/>
    protected internal override (Tensor[] Updates, OptState State) UpdateLeaves(Tensor[] gradients, OptState state, Tensor[] parameters)
    {
        var s = StateOf<State>(state);
        var step = StepOf(s.Step);
        RequireMoments(s.Sum, nameof(State.Sum), parameters);
        var t = checked(step + 1);
        var decayedLr = Hyper.RateAt(Name, Lr, step) / (1 + (t - 1) * LrDecay);

        var n = parameters.Length;
        var (updates, sum) = (new Tensor[n], new Tensor[n]);
        for (var i = 0; i < n; i++)
        {
            var g = gradients[i];
            if (WeightDecay != 0) g = g + WeightDecay * parameters[i];
            sum[i] = s.Sum[i] + g.Square();
            updates[i] = -decayedLr * (g / (sum[i].Sqrt() + Eps));
        }
        return (updates, new State(StepTensor(t), sum));
    }
}
