namespace Autodiff;

public sealed partial class Tensor
{
    /// <summary>
    /// Samples uniform in [<paramref name="low"/>, <paramref name="high"/>). Element i depends only on the key and i:
    /// float32 uses the top 24 bits of stream word i, float64 the top 53 bits of stream block i.
    /// </summary>
    public static Tensor Uniform(Key key, int[] shape, double low = 0, double high = 1, DType dtype = DType.Float32)
    {
        const string op = "Uniform";
        var dims = RandomShape(op, shape);
        RequireFloatDType(op, dtype);
        if (!double.IsFinite(low) || !double.IsFinite(high) || !(low < high) || !double.IsFinite(high - low))
            throw new ArgumentException($"{op}: needs finite low < high with a finite width, got low = {low}, high = {high}");
        if (dtype == DType.Float32 && !((float)low < (float)high))
            throw new ArgumentException($"{op}: low = {low} and high = {high} round to the same float32 value {(float)low}; use float64 or a wider interval");
        return dtype == DType.Float32
            ? Sample<float>(dims, (first, span) => RandomKernels.Uniform(key, first, span, low, high))
            : Sample<double>(dims, (first, span) => RandomKernels.Uniform(key, first, span, low, high));
    }

    /// <summary>
    /// Samples normal with the given mean and standard deviation by the Box–Muller transform, computed in double and
    /// rounded to <paramref name="dtype"/> (so the float32 sample is the rounded float64 sample for the same key).
    /// </summary>
    public static Tensor Normal(Key key, int[] shape, double mean = 0, double std = 1, DType dtype = DType.Float32)
    {
        const string op = "Normal";
        var dims = RandomShape(op, shape);
        RequireFloatDType(op, dtype);
        if (!double.IsFinite(mean) || !double.IsFinite(std) || std < 0)
            throw new ArgumentException($"{op}: needs a finite mean and a finite std ≥ 0, got mean = {mean}, std = {std}");
        return dtype == DType.Float32
            ? Sample<float>(dims, (first, span) => RandomKernels.Normal(key, first, span, mean, std))
            : Sample<double>(dims, (first, span) => RandomKernels.Normal(key, first, span, mean, std));
    }

    /// <summary>A bool tensor whose elements are independently true with probability <paramref name="p"/> (resolution 2^-53).</summary>
    public static Tensor Bernoulli(Key key, int[] shape, double p)
    {
        const string op = "Bernoulli";
        var dims = RandomShape(op, shape);
        if (!(p >= 0 && p <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), $"{op}: probability p = {p} is outside [0, 1]");
        return Sample<bool>(dims, (first, span) => RandomKernels.Bernoulli(key, first, span, p));
    }

    /// <summary>
    /// An int32 tensor of integers drawn uniformly from [<paramref name="low"/>, <paramref name="high"/>) by a 64-bit
    /// multiply-shift (bias at most (high − low) / 2^64, below 2^-32).
    /// </summary>
    public static Tensor RandomInt(Key key, int[] shape, int low, int high)
    {
        const string op = "RandomInt";
        var dims = RandomShape(op, shape);
        if (low >= high)
            throw new ArgumentException($"{op}: needs low < high, got low = {low}, high = {high}");
        return Sample<int>(dims, (first, span) => RandomKernels.Integers(key, first, span, low, high));
    }

    /// <summary>
    /// A random ordering of 0, 1, …, n − 1 as an int32 tensor of shape [n], by Fisher–Yates: for i = n − 1 down to 1,
    /// swap position i with a position j drawn uniformly from [0, i] using stream block i.
    /// </summary>
    public static Tensor Permutation(Key key, int n)
    {
        if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), $"Permutation: n = {n} is negative");
        var result = Allocate([n], out int[] order);
        for (var i = 0; i < n; i++) order[i] = i;
        for (var i = n - 1; i > 0; i--)
        {
            var j = (int)RandomKernels.Below(key, i, (ulong)i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return result;
    }

    /// <summary>Allocates a tensor and fills it in parallel chunks; every chunk writes elements it alone owns.</summary>
    private static Tensor Sample<T>(int[] shape, SpanFill<T> fill)
    {
        var result = Allocate(shape, out T[] data);
        ParallelKernel.For(data.Length, RandomKernels.CostPerElement, (start, length) => fill(start, data.AsSpan(start, length)));
        return result;
    }

    private delegate void SpanFill<T>(long first, Span<T> destination);

    private static int[] RandomShape(string op, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var d in shape)
            if (d < 0) throw new ArgumentException($"{op}: negative dimension in shape {Shapes.Format(shape)}");
        _ = Shapes.Size(shape);
        return (int[])shape.Clone();
    }

    private static void RequireFloatDType(string op, DType dtype)
    {
        if (!dtype.IsFloat())
            throw new ArgumentException($"{op}: samples are float32 or float64, not {dtype.Name()}; use RandomInt or Bernoulli for integers and booleans");
    }
}
