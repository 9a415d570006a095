namespace Autodiff.Optimizers;

/// <summary>Checks on hyper-parameters, with PyTorch's ranges and messages naming the optimizer.</summary>
internal static class Hyper
{
    public static void RequireAtLeastZero(string optimizer, string name, double value)
    {
        if (!(value >= 0)) throw new ArgumentOutOfRangeException(name, value, $"{optimizer}: {name} must be ≥ 0, got {value}");
    }

    public static void RequireBeta(string optimizer, string name, double value)
    {
        if (!(value >= 0 && value < 1)) throw new ArgumentOutOfRangeException(name, value, $"{optimizer}: {name} must be in [0, 1), got {value}");
    }

    /// <summary>The learning rate for the update after <paramref name="step"/> completed steps, checked to be ≥ 0.</summary>
    public static double RateAt(string optimizer, Schedule lr, int step)
    {
        var rate = lr.At(step);
        if (!(rate >= 0)) throw new ArgumentOutOfRangeException(nameof(lr), rate, $"{optimizer}: the learning rate at step {step} is {rate}; it must be ≥ 0");
        return rate;
    }
}
