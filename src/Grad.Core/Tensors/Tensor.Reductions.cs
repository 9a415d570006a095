namespace Autodiff;

// Reductions composed from primitives: no derivative rules here, the primitives' rules compose.
public sealed partial class Tensor
{
    /// <summary>The smallest element, as a scalar; min x = −max(−x), so tied minima share the gradient equally.</summary>
    public Tensor Min() => Min(Shapes.AllAxes(Rank), keepDims: false);

    /// <summary>The minimum over <paramref name="axes"/> (negative counts from the end), dropping them.</summary>
    public Tensor Min(params int[] axes) => Min(axes, keepDims: false);

    /// <summary>The minimum over <paramref name="axes"/>, as −max(−x); reduced axes stay as size 1 when <paramref name="keepDims"/>.</summary>
    public Tensor Min(int[] axes, bool keepDims)
    {
        var a = Shapes.Axes("min", axes, Rank, Dims);
        RequireFloat("min");
        if (Count(a) == 0 && Shapes.Size(Shapes.Reduced(Dims, a, keepDims)) > 0)
            throw new ArgumentException($"min: cannot reduce over zero elements (axes [{string.Join(", ", a)}] of {DType.Name()} {ShapeText}); the minimum of nothing is undefined");
        return -(-this).Max(a, keepDims);
    }

    /// <summary>The mean of all elements, as a scalar: Σx / n.</summary>
    public Tensor Mean() => Mean(Shapes.AllAxes(Rank), keepDims: false);

    /// <summary>The mean over <paramref name="axes"/> (negative counts from the end), dropping them: Σx / n.</summary>
    public Tensor Mean(params int[] axes) => Mean(axes, keepDims: false);

    /// <summary>The mean over <paramref name="axes"/>, Σx / n with n the number of reduced elements; reduced axes stay as size 1 when <paramref name="keepDims"/>.</summary>
    public Tensor Mean(int[] axes, bool keepDims)
    {
        var a = Shapes.Axes("mean", axes, Rank, Dims);
        RequireFloat("mean");
        return Sum(a, keepDims) / Count(a);
    }

    /// <summary>The variance of all elements, Σ(x − mean)² / n, as a scalar.</summary>
    public Tensor Var() => Var(Shapes.AllAxes(Rank), keepDims: false);

    /// <summary>The variance over <paramref name="axes"/>, Σ(x − mean)² / n, dropping them.</summary>
    public Tensor Var(params int[] axes) => Var(axes, keepDims: false);

    /// <summary>
    /// The variance over <paramref name="axes"/>, Σ(x − mean)² / (n − <paramref name="correction"/>): 0 is the
    /// population variance, 1 Bessel's unbiased estimate. Reduced axes stay as size 1 when <paramref name="keepDims"/>.
    /// </summary>
    public Tensor Var(int[] axes, bool keepDims, double correction = 0)
    {
        var a = Shapes.Axes("var", axes, Rank, Dims);
        RequireFloat("var");
        var deviation = this - Mean(a, keepDims: true);
        return (deviation * deviation).Sum(a, keepDims) / (Count(a) - correction);
    }

    /// <summary>The standard deviation of all elements, √(Σ(x − mean)² / n), as a scalar.</summary>
    public Tensor Std() => Std(Shapes.AllAxes(Rank), keepDims: false);

    /// <summary>The standard deviation over <paramref name="axes"/>, √(Σ(x − mean)² / n), dropping them.</summary>
    public Tensor Std(params int[] axes) => Std(axes, keepDims: false);

    /// <summary>
    /// The standard deviation over <paramref name="axes"/>, √var with <see cref="Var(int[], bool, double)"/>'s
    /// <paramref name="correction"/>. Its derivative (x − mean) / ((n − correction)·std) is infinite where std = 0.
    /// </summary>
    public Tensor Std(int[] axes, bool keepDims, double correction = 0) =>
        Var(Shapes.Axes("std", axes, Rank, Dims), keepDims, correction).Sqrt();

    /// <summary>log Σ exp(x) over all elements, as a scalar, computed stably.</summary>
    public Tensor LogSumExp() => LogSumExp(Shapes.AllAxes(Rank), keepDims: false);

    /// <summary>log Σ exp(x) over <paramref name="axes"/>, dropping them, computed stably.</summary>
    public Tensor LogSumExp(params int[] axes) => LogSumExp(axes, keepDims: false);

    /// <summary>
    /// log Σ exp(x) over <paramref name="axes"/> as m + log Σ exp(x − m), m the max held constant (the value does
    /// not depend on m, so neither does the gradient, which is softmax(x)); no exp overflows.
    /// </summary>
    public Tensor LogSumExp(int[] axes, bool keepDims)
    {
        var a = Shapes.Axes("logsumexp", axes, Rank, Dims);
        RequireFloat("logsumexp");
        // The shift m must be finite to be subtracted (an all −∞ row has max −∞); any finite shift gives the same value.
        var max = Max(a, keepDims: true).AsConstant();
        var m = Where(max.Abs().Lt(double.PositiveInfinity), max, 0.0);
        var result = m + (this - m).Exp().Sum(a, keepDims: true).Log();
        return keepDims ? result : result.Reshape(Shapes.Reduced(Dims, a, keepDims: false));
    }

    /// <summary>softmax along <paramref name="axis"/>: exp(x) / Σ exp(x), computed as exp(log_softmax(x)) so that it is stable.</summary>
    public Tensor Softmax(int axis = -1) => LogSoftmax(axis).Exp();

    /// <summary>The number of elements reduced over <paramref name="axes"/> (normalised).</summary>
    private int Count(int[] axes)
    {
        var count = 1;
        foreach (var a in axes) count *= Dims[a];
        return count;
    }
}
