namespace Autodiff.Data;

/// <summary>
/// Standardisation y = (x − mean) / std, either with one mean and std for every element or with one per channel
/// (the entries along <see cref="ChannelAxis"/>, as torchvision's <c>Normalize</c> does for images [n, c, h, w]).
/// Applied with tensor ops in the input's dtype, so it is differentiable and leaves its input unchanged.
/// </summary>
public sealed class Normalizer
{
    private readonly double[] _mean;
    private readonly double[] _std;

    /// <summary>A normaliser with the given means and standard deviations: one each for all elements, or one per channel.</summary>
    /// <exception cref="ArgumentException">The lists are empty or differ in length, a std is not positive, or a value is not finite.</exception>
    public Normalizer(double[] mean, double[] std, int channelAxis = 1)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Normalizer: needs as many means as standard deviations, at least one; got {mean.Length} means and {std.Length} stds");
        for (var c = 0; c < mean.Length; c++)
        {
            if (!double.IsFinite(mean[c]) || !double.IsFinite(std[c]) || std[c] <= 0)
                throw new ArgumentException($"Normalizer: channel {c} has mean {mean[c]} and std {std[c]}; the mean must be finite and the std finite and positive");
        }
        _mean = (double[])mean.Clone();
        _std = (double[])std.Clone();
        ChannelAxis = channelAxis;
    }

    /// <summary>The means, one for all elements or one per channel.</summary>
    public IReadOnlyList<double> Mean => _mean;

    /// <summary>The standard deviations, matching <see cref="Mean"/>.</summary>
    public IReadOnlyList<double> Std => _std;

    /// <summary>The axis holding the channels when there is more than one mean (negative counts from the end).</summary>
    public int ChannelAxis { get; }

    /// <summary>
    /// The mean and (population) standard deviation of float tensor <paramref name="x"/>: over all elements when
    /// <paramref name="channelAxis"/> is null, else per entry of that axis over all the other axes. Computed in float64.
    /// </summary>
    public static Normalizer Fit(Tensor x, int? channelAxis = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.RequireFloat("Normalizer.Fit");
        var wide = x.Cast(DType.Float64);
        if (channelAxis is not { } axis) return new Normalizer([wide.Mean().Item<double>()], [wide.Std().Item<double>()]);
        var a = Shapes.Axis("Normalizer.Fit", axis, x.Rank, x.Dims);
        var others = Enumerable.Range(0, x.Rank).Where(d => d != a).ToArray();
        return new Normalizer(wide.Mean(others).ToArray<double>(), wide.Std(others).ToArray<double>(), axis);
    }

    /// <summary>(x − mean) / std, broadcasting per-channel values along <see cref="ChannelAxis"/>.</summary>
    public Tensor Apply(Tensor x)
    {
        var (mean, std) = Constants(x, "Normalizer.Apply");
        return (x - mean) / std;
    }

    /// <summary>The inverse of <see cref="Apply"/>: y · std + mean.</summary>
    public Tensor Invert(Tensor y)
    {
        var (mean, std) = Constants(y, "Normalizer.Invert");
        return y * std + mean;
    }

    /// <summary>The means and stds as tensors of <paramref name="x"/>'s dtype, shaped to broadcast against it.</summary>
    private (Tensor Mean, Tensor Std) Constants(Tensor x, string op)
    {
        ArgumentNullException.ThrowIfNull(x);
        x.RequireFloat(op);
        if (_mean.Length == 1)
            return (Tensor.Scalar(_mean[0], x.DType), Tensor.Scalar(_std[0], x.DType));
        var axis = Shapes.Axis(op, ChannelAxis, x.Rank, x.Dims);
        if (x.Dims[axis] != _mean.Length)
            throw new ArgumentException($"{op}: axis {axis} of {x.DType.Name()} {x.ShapeText} has {x.Dims[axis]} channels but the normaliser has {_mean.Length}");
        var shape = Enumerable.Repeat(1, x.Rank).ToArray();
        shape[axis] = _mean.Length;
        return (Tensor.FromArray(_mean, shape).Cast(x.DType), Tensor.FromArray(_std, shape).Cast(x.DType));
    }
}
