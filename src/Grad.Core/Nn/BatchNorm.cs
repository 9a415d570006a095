namespace Autodiff.Nn;

/// <summary>
/// Batch-norm running statistics: the non-trainable state of a <see cref="BatchNorm"/>, kept apart from its parameters so
/// gradients and optimizers never touch it. A tree of two tensors, so it can be checkpointed like any other.
/// </summary>
/// <param name="RunningMean">The running mean per channel, [C].</param>
/// <param name="RunningVar">The running unbiased variance per channel, [C].</param>
public sealed record BatchNormState(Tensor RunningMean, Tensor RunningVar);

/// <summary>
/// Batch normalisation per channel (axis 1) over every other axis: BatchNorm1d on [N, C] or [N, C, L] and BatchNorm2d on
/// [N, C, H, W]. Training normalises with the batch mean and biased variance and returns running statistics updated as
/// PyTorch does, r ← (1 − momentum)·r + momentum·batch statistic, with the unbiased batch variance; inference normalises
/// with the running statistics. y = (x − μ) / √(σ² + eps)·γ + β.
/// </summary>
/// <remarks>The running statistics are returned, never mutated: the caller threads them from one step to the next.</remarks>
/// <param name="Weight">γ, [C], or null without an affine transform.</param>
/// <param name="Bias">β, [C], or null without an affine transform.</param>
/// <param name="Channels">The number of channels C.</param>
/// <param name="Eps">Added to the variance for stability.</param>
/// <param name="Momentum">The weight of the batch statistic in the running average (PyTorch's convention, default 0.1).</param>
public sealed record BatchNorm(Tensor? Weight, Tensor? Bias, int Channels, double Eps = 1e-5, double Momentum = 0.1) : ILayer
{
    /// <summary>The dtype of the state <see cref="InitialState"/> makes.</summary>
    public DType DType { get; init; } = Weight?.DType ?? DType.Float32;

    /// <summary>γ = 1 and β = 0 (when <paramref name="affine"/>), PyTorch's initialisation.</summary>
    public static BatchNorm Create(int channels, double eps = 1e-5, double momentum = 0.1, bool affine = true, DType dtype = DType.Float32)
    {
        LayerChecks.RequirePositive("BatchNorm", (nameof(channels), channels));
        return affine
            ? new(Tensor.Ones(dtype, channels), Tensor.Zeros(dtype, channels), channels, eps, momentum) { DType = dtype }
            : new(null, null, channels, eps, momentum) { DType = dtype };
    }

    /// <summary>Running mean 0 and running variance 1 per channel, as PyTorch starts them.</summary>
    public BatchNormState InitialState() => new(Tensor.Zeros(DType, Channels), Tensor.Ones(DType, Channels));

    /// <summary>Normalises <paramref name="x"/> [N, C, …]; in training also returns the updated running statistics (else <paramref name="state"/> itself).</summary>
    public (Tensor Output, BatchNormState State) Apply(Tensor x, BatchNormState state, bool training)
    {
        ArgumentNullException.ThrowIfNull(state);
        LayerChecks.RequireFeatures("BatchNorm", x, 1, Channels, minRank: 2);
        // Per-channel vectors broadcast as [C, 1, …, 1] against [N, C, …].
        var channelShape = Enumerable.Repeat(1, x.Rank - 1).ToArray();
        channelShape[0] = Channels;
        Tensor AsChannels(Tensor t) => t.Reshape(channelShape);
        var axes = Enumerable.Range(0, x.Rank).Where(a => a != 1).ToArray();

        Tensor mean, variance;
        var next = state;
        if (training)
        {
            var count = x.Size / Channels;
            if (count < 2)
                throw new ArgumentException($"BatchNorm: training needs more than one value per channel to estimate a variance, got {x.DType.Name()} {x.ShapeText}");
            mean = x.Mean(axes, keepDims: false);
            variance = x.Var(axes, keepDims: false);
            // The running statistics carry no derivative: they are state, not a function of the parameters to train.
            var (batchMean, unbiased) = (Grad.StopGradient(mean), Grad.StopGradient(variance) * (count / (count - 1.0)));
            next = new BatchNormState(
                (1 - Momentum) * state.RunningMean + Momentum * batchMean,
                (1 - Momentum) * state.RunningVar + Momentum * unbiased);
        }
        else
        {
            (mean, variance) = (state.RunningMean, state.RunningVar);
        }
        var y = (x - AsChannels(mean)) / AsChannels(variance + Eps).Sqrt();
        if (Weight is not null) y *= AsChannels(Weight);
        if (Bias is not null) y += AsChannels(Bias);
        return (y, next);
    }

    object? ILayer.InitialState() => InitialState();

    (Tensor Output, object? State) ILayer.Apply(Tensor x, object? state, Mode mode)
    {
        if (state is not BatchNormState stats)
            throw new ArgumentException($"BatchNorm: needs its running statistics (a BatchNormState from InitialState()), got {(state is null ? "null" : state.GetType().Name)}");
        return Apply(x, stats, mode.Training);
    }
}
