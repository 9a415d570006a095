namespace Autodiff.Optimizers;

/// <summary>
/// A learning rate as a pure function of the step: <c>At(k)</c> is the rate for the update that follows k completed
/// updates (k = 0 for the first), which is the step count an optimizer's state holds before that update. This is
/// <c>last_epoch</c> of a <c>torch.optim.lr_scheduler</c> stepped once after every optimizer step. A constant
/// converts implicitly, so every optimizer takes <c>1e-3</c> or a schedule alike.
/// </summary>
public sealed class Schedule
{
    private readonly Func<int, double> _rate;

    /// <summary>A schedule computing the rate for step k with <paramref name="rate"/>, which must be pure.</summary>
    public Schedule(Func<int, double> rate)
    {
        ArgumentNullException.ThrowIfNull(rate);
        _rate = rate;
    }

    /// <summary>The learning rate for the update after <paramref name="step"/> completed updates.</summary>
    public double At(int step)
    {
        if (step < 0) throw new ArgumentOutOfRangeException(nameof(step), step, "Schedule.At: the step count is never negative");
        return _rate(step);
    }

    /// <summary>A constant rate.</summary>
    public static implicit operator Schedule(double lr) => Constant(lr);

    /// <summary>The same rate at every step: <c>lr</c>.</summary>
    public static Schedule Constant(double lr) => new(_ => lr);

    /// <summary>
    /// torch's <c>StepLR</c>: <c>lr · gamma^⌊k / stepSize⌋</c>, the rate multiplied by <paramref name="gamma"/> every
    /// <paramref name="stepSize"/> steps.
    /// </summary>
    public static Schedule Step(double lr, int stepSize, double gamma = 0.1)
    {
        if (stepSize <= 0) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "Schedule.Step: stepSize must be positive");
        return new(k => lr * Math.Pow(gamma, k / stepSize));
    }

    /// <summary>torch's <c>ExponentialLR</c>: <c>lr · gamma^k</c>.</summary>
    public static Schedule Exponential(double lr, double gamma) => new(k => lr * Math.Pow(gamma, k));

    /// <summary>
    /// torch's <c>CosineAnnealingLR</c> in its closed form: <c>η_min + (lr − η_min)·(1 + cos(π·k / tMax)) / 2</c>. As in
    /// torch, past <paramref name="tMax"/> the cosine carries on (the rate rises again towards lr at 2·tMax).
    /// </summary>
    public static Schedule CosineAnnealing(double lr, int tMax, double etaMin = 0)
    {
        if (tMax <= 0) throw new ArgumentOutOfRangeException(nameof(tMax), tMax, "Schedule.CosineAnnealing: tMax must be positive");
        return new(k => etaMin + (lr - etaMin) * (1 + Math.Cos(Math.PI * k / tMax)) / 2);
    }

    /// <summary>
    /// Linear warmup then cosine decay (Optax's <c>warmup_cosine_decay_schedule</c>; in torch, <c>SequentialLR</c> of
    /// <c>LinearLR</c> and <c>CosineAnnealingLR</c>): for k &lt; w = <paramref name="warmupSteps"/>,
    /// <c>lr_0 + (peak − lr_0)·k / w</c>; then <c>lr_end + (peak − lr_end)·(1 + cos(π·min(k − w, d) / d)) / 2</c> with
    /// d = <paramref name="decaySteps"/>, so the rate stays at <paramref name="finalLr"/> once the decay is over.
    /// </summary>
    public static Schedule WarmupCosine(double peakLr, int warmupSteps, int decaySteps, double initialLr = 0, double finalLr = 0)
    {
        if (warmupSteps < 0) throw new ArgumentOutOfRangeException(nameof(warmupSteps), warmupSteps, "Schedule.WarmupCosine: warmupSteps must be ≥ 0");
        if (decaySteps <= 0) throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "Schedule.WarmupCosine: decaySteps must be positive");
        return new(k => k < warmupSteps
            ? initialLr + (peakLr - initialLr) * k / warmupSteps
            : finalLr + (peakLr - finalLr) * (1 + Math.Cos(Math.PI * Math.Min(k - warmupSteps, decaySteps) / decaySteps)) / 2);
    }
}
