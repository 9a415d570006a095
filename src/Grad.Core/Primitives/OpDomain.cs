namespace Autodiff;

/// <summary>One concrete application of a primitive: its inputs (float64 where float) and parameters.</summary>
public sealed record OpCase(Tensor[] Inputs, OpParams Params);

/// <summary>
/// A primitive's valid input domain, given as a sampler of cases so that generic tests can enumerate
/// every registered op: shapes and parameters it accepts, and values away from poles and kinks.
/// </summary>
/// <param name="Description">What the domain is, in words (e.g. "x in [0.1, 3]").</param>
/// <param name="Sample">Draws one case.</param>
public sealed record OpDomain(string Description, Func<CaseSampler, OpCase> Sample)
{
    /// <summary>Any shape, one float input with values in [lo, hi] and optionally |x| ≥ gap.</summary>
    public static OpDomain Unary(double lo, double hi, double gap = 0, OpParams? p = null) =>
        new($"x in [{lo}, {hi}]" + (gap > 0 ? $", |x| >= {gap}" : ""),
            s => new OpCase([s.Floats(s.Shape(), lo, hi, gap)], p ?? OpParams.None));

    /// <summary>Two float inputs of one shape (or one of them a scalar), values in the given intervals.</summary>
    public static OpDomain Binary((double Lo, double Hi) a, (double Lo, double Hi) b, double gapB = 0) =>
        new($"a in [{a.Lo}, {a.Hi}], b in [{b.Lo}, {b.Hi}]" + (gapB > 0 ? $", |b| >= {gapB}" : ""),
            s =>
            {
                // One case in four makes one operand a scalar applied to every element of the other.
                var shape = s.Shape();
                var (shapeA, shapeB) = s.Int(0, 7) switch { 0 => ([], shape), 1 => (shape, []), _ => (shape, shape) };
                return new OpCase([s.Floats(shapeA, a.Lo, a.Hi), s.Floats(shapeB, b.Lo, b.Hi, gapB)], OpParams.None);
            });
}

/// <summary>Draws random shapes, values and parameters for <see cref="OpDomain"/> samplers; deterministic per seed.</summary>
public sealed class CaseSampler(int seed)
{
    private readonly System.Random _random = new(seed);

    /// <summary>A random integer in [lo, hi].</summary>
    public int Int(int lo, int hi) => _random.Next(lo, hi + 1);

    /// <summary>A random boolean.</summary>
    public bool Coin() => _random.Next(2) == 1;

    /// <summary>A random shape of rank in [minRank, maxRank] with dims in [1, maxDim] (rank 0 is a scalar).</summary>
    public int[] Shape(int minRank = 0, int maxRank = 3, int maxDim = 4)
    {
        var shape = new int[Int(minRank, maxRank)];
        for (var i = 0; i < shape.Length; i++) shape[i] = Int(1, maxDim);
        return shape;
    }

    /// <summary>float64 values uniform in [lo, hi], resampled until |x| ≥ gap (keeps finite differences off kinks and poles).</summary>
    public Tensor Floats(int[] shape, double lo, double hi, double gap = 0)
    {
        var data = new double[Shapes.Size(shape)];
        for (var i = 0; i < data.Length; i++)
        {
            double v;
            do v = lo + (hi - lo) * _random.NextDouble();
            while (Math.Abs(v) < gap);
            data[i] = v;
        }
        return Tensor.FromArray(data, shape);
    }

    /// <summary>float64 values that are pairwise at least <paramref name="separation"/> apart (for max, sort-like ops).</summary>
    public Tensor DistinctFloats(int[] shape, double lo, double hi, double separation = 1e-3)
    {
        var size = Shapes.Size(shape);
        // Evenly spaced values, shuffled, plus jitter smaller than half the spacing.
        var spacing = (hi - lo) / Math.Max(size, 1);
        if (spacing < 2 * separation) throw new ArgumentException($"DistinctFloats: [{lo}, {hi}] is too narrow for {size} values {separation} apart");
        var data = new double[size];
        for (var i = 0; i < size; i++) data[i] = lo + spacing * (i + 0.5) + (spacing / 2 - separation) * (2 * _random.NextDouble() - 1);
        _random.Shuffle(data);
        return Tensor.FromArray(data, shape);
    }

    /// <summary>int32 values uniform in [0, bound).</summary>
    public Tensor Indices(int[] shape, int bound)
    {
        var data = new int[Shapes.Size(shape)];
        for (var i = 0; i < data.Length; i++) data[i] = _random.Next(bound);
        return Tensor.FromArray(data, shape);
    }

    /// <summary>Random booleans.</summary>
    public Tensor Bools(int[] shape)
    {
        var data = new bool[Shapes.Size(shape)];
        for (var i = 0; i < data.Length; i++) data[i] = Coin();
        return Tensor.FromArray(data, shape);
    }

    /// <summary>A random subset of the axes of a rank-<paramref name="rank"/> tensor (possibly empty).</summary>
    public int[] Axes(int rank) => Enumerable.Range(0, rank).Where(_ => Coin()).ToArray();

    /// <summary>A random permutation of 0..n-1.</summary>
    public int[] Permutation(int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        _random.Shuffle(p);
        return p;
    }
}
