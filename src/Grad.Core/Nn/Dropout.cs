namespace Autodiff.Nn;

/// <summary>
/// Inverted dropout (as PyTorch): in training each element is zeroed with probability p and the survivors are scaled by
/// 1/(1 − p), so the expected output equals the input and inference is the identity. The mask is drawn from the mode's
/// key: the same key gives the same mask.
/// </summary>
/// <param name="P">The probability of zeroing an element, in [0, 1].</param>
public sealed record Dropout(double P = 0.5) : ILayer
{
    /// <summary>The probability of zeroing an element, checked to lie in [0, 1].</summary>
    public double P { get; } = P is >= 0 and <= 1 ? P
        : throw new ArgumentOutOfRangeException(nameof(P), $"Dropout: probability p = {P} is outside [0, 1]");

    /// <summary>Dropout of <paramref name="x"/> in training (needs <see cref="Mode.Key"/>); the identity in inference.</summary>
    public Tensor Apply(Tensor x, Mode mode)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!mode.Training || P == 0) return x;
        if (mode.Key is not { } key)
            throw new ArgumentException($"Dropout: training needs a PRNG key for the mask of {x.DType.Name()} {x.ShapeText}; run with Mode.Train(key)");
        if (P == 1) return Tensor.ZerosLike(x);
        var keep = Tensor.Bernoulli(key, x.Shape, 1 - P);
        return Tensor.Where(keep, x * (1 / (1 - P)), 0.0);
    }

    /// <inheritdoc/>
    public object? InitialState() => null;

    /// <inheritdoc/>
    public (Tensor Output, object? State) Apply(Tensor x, object? state, Mode mode) => (Apply(x, mode), state);
}
