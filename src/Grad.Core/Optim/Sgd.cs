namespace Autodiff.Optimizers;

/// <summary>
/// torch.optim.SGD: stochastic gradient descent with optional momentum μ, dampening τ, Nesterov momentum and L2 weight
/// decay λ. For each leaf, at step t = 1, 2, … with learning rate γ = lr.At(t − 1):
/// <code>
/// g ← g + λ·θ                         if λ ≠ 0
/// if μ ≠ 0:
///     b ← g                           at t = 1 (PyTorch's first buffer is the gradient itself, undamped)
///     b ← μ·b + (1 − τ)·g             at t &gt; 1
///     g ← g + μ·b if nesterov, else b
/// θ ← θ − γ·g
/// </code>
/// Arithmetic is in the parameters' dtype. Made by <see cref="Optim.Sgd"/>.
/// </summary>
public sealed class Sgd : GradientTransformation
{
    internal Sgd(Schedule lr, double momentum, double dampening, double weightDecay, bool nesterov) : base("SGD")
    {
        Hyper.RequireAtLeastZero(Name, "momentum", momentum);
        Hyper.RequireAtLeastZero(Name, "weightDecay", weightDecay);
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"{Name}: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum = {momentum}, dampening = {dampening}");
        (Lr, Momentum, Dampening, WeightDecay, Nesterov) = (lr, momentum, dampening, weightDecay, nesterov);
    }

    /// <summary>The learning rate γ, per step.</summary>
    public Schedule Lr { get; }

    /// <summary>The momentum factor μ (0: none).</summary>
    public double Momentum { get; }

    /// <summary>The dampening τ of the momentum.</summary>
    public double Dampening { get; }

    /// <summary>The L2 penalty λ added to the gradient.</summary>
    public double WeightDecay { get; }

    /// <summary>Whether to use Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <summary>SGD's state: the number of completed steps (int32 scalar) and, with momentum, the buffers b per leaf.</summary>
    /// <param name="Step">Completed steps, as an int32 scalar.</param>
    /// <param name="MomentumBuffer">The momentum buffer b of each leaf, or null without momentum.</param>
    public sealed record State(Tensor Step, Tensor[]? MomentumBuffer) : OptState;

    /// <inheritdoc/>
    protected internal override OptState InitLeaves(Tensor[] parameters) =>
        new State(StepTensor(0), Momentum != 0 ? ZerosLike(parameters) : null);

    /// <inheritdoc/>
    protected internal override (Tensor[] Updates, OptState State) UpdateLeaves(Tensor[] gradients, OptState state, Tensor[] parameters)
    {
        var s = StateOf<State>(state);
        var step = StepOf(s.Step);
        if (Momentum != 0) RequireMoments(s.MomentumBuffer, nameof(State.MomentumBuffer), parameters);
        var lr = Hyper.RateAt(Name, Lr, step);
        var updates = new Tensor[parameters.Length];
        var buffers = Momentum != 0 ? new Tensor[parameters.Length] : null;
        for (var i = 0; i < parameters.Length; i++)
        {
            var g = gradients[i];
            if (WeightDecay != 0) g = g + WeightDecay * parameters[i];
            if (buffers is not null)
            {
                var b = step == 0 ? g : Momentum * s.MomentumBuffer![i] + (1 - Dampening) * g;
                buffers[i] = b;
                g = Nesterov ? g + Momentum * b : b;
            }
            updates[i] = -lr * g;
        }
        return (updates, new State(StepTensor(checked(step + 1)), buffers));
    }
}
