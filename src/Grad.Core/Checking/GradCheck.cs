namespace Autodiff;

/// <summary>Tolerances and step for <see cref="GradCheck"/>: a coordinate passes when |analytic − numeric| ≤ Atol + Rtol·max(|analytic|, |numeric|).</summary>
/// <param name="Step">The central-difference step h.</param>
/// <param name="Atol">Absolute tolerance.</param>
/// <param name="Rtol">Relative tolerance.</param>
/// <param name="Seed">Seed of the random cotangent and tangent directions.</param>
public sealed record GradCheckOptions(double Step = 1e-5, double Atol = 1e-6, double Rtol = 1e-5, int Seed = 0)
{
    /// <summary>The defaults, suited to float64 functions with values and derivatives of moderate size.</summary>
    public static readonly GradCheckOptions Default = new();
}

/// <summary>The worst coordinate found by one comparison of a derivative with finite differences.</summary>
/// <param name="Mode">"VJP" (a row of Jᵀu per input coordinate) or "JVP" (J·v per output coordinate).</param>
/// <param name="Where">Which coordinate, e.g. "input 1 [2, 0]" or "output [3]".</param>
/// <param name="Analytic">The value from the transform.</param>
/// <param name="Numeric">The central-difference estimate.</param>
/// <param name="AbsoluteError">|analytic − numeric|.</param>
/// <param name="RelativeError">|analytic − numeric| / max(|analytic|, |numeric|), or 0 when both are 0.</param>
/// <param name="Passed">Whether every coordinate was within tolerance.</param>
public sealed record GradCheckResult(string Mode, string Where, double Analytic, double Numeric, double AbsoluteError, double RelativeError, bool Passed)
{
    /// <inheritdoc/>
    public override string ToString() =>
        $"{Mode} {(Passed ? "passed" : "FAILED")}: worst at {Where}: analytic {Analytic:R}, numeric {Numeric:R}, abs error {AbsoluteError:E2}, rel error {RelativeError:E2}";
}

/// <summary>Thrown by <c>GradCheck.Assert</c> when a derivative disagrees with finite differences.</summary>
public sealed class GradCheckException(string message) : Exception(message);

/// <summary>
/// Compares a function's reverse-mode (VJP) and forward-mode (JVP) derivatives with central finite
/// differences in float64, reporting the worst coordinate. Int and bool inputs are held fixed.
/// </summary>
public static class GradCheck
{
    /// <summary>Runs both checks and returns their worst coordinates (VJP first).</summary>
    public static GradCheckResult[] Check(Func<Tensor[], Tensor> f, Tensor[] inputs, GradCheckOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(f);
        ArgumentNullException.ThrowIfNull(inputs);
        var o = options ?? GradCheckOptions.Default;
        foreach (var x in inputs)
            if (x.DType == DType.Float32)
                throw new ArgumentException($"GradCheck: inputs must be float64 (finite differences in float32 are too coarse), got float32 {x.ShapeText}; cast with .Cast(DType.Float64)");
        var y = f(inputs);
        if (y.DType != DType.Float64)
            throw new ArgumentException($"GradCheck: the function must return float64, got {y.DType.Name()} {y.ShapeText}");
        return [CheckVjp(f, inputs, y, o), CheckJvp(f, inputs, y, o)];
    }

    /// <summary>Runs <see cref="Check"/> and throws a readable <see cref="GradCheckException"/> if either check fails.</summary>
    public static void Assert(Func<Tensor[], Tensor> f, params Tensor[] inputs) => Assert(f, inputs, null);

    /// <summary>Runs <see cref="Check"/> with the given options and throws a readable <see cref="GradCheckException"/> if either check fails.</summary>
    public static void Assert(Func<Tensor[], Tensor> f, Tensor[] inputs, GradCheckOptions? options)
    {
        var results = Check(f, inputs, options);
        if (results.All(r => r.Passed)) return;
        var shapes = string.Join(", ", inputs.Select(x => $"{x.DType.Name()} {x.ShapeText}"));
        throw new GradCheckException($"gradient check failed for inputs ({shapes}):\n  " + string.Join("\n  ", results.Select(r => r.ToString())));
    }

    private static GradCheckResult CheckVjp(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor y, GradCheckOptions o)
    {
        var random = new System.Random(o.Seed);
        var u = RandomLike(y, random);
        var (_, pullback) = Grad.Vjp(f, inputs);
        var analytic = pullback(u);
        var worst = new Worst("VJP", o);
        for (var i = 0; i < inputs.Length; i++)
        {
            if (inputs[i].DType != DType.Float64) continue;
            var a = analytic[i].ToArray<double>();
            for (var j = 0; j < inputs[i].Size; j++)
            {
                double Probe(double sign) => Dot(u, f(Perturbed(inputs, i, j, sign * o.Step)));
                var numeric = (Probe(+1) - Probe(-1)) / (2 * o.Step);
                worst.Consider(a[j], numeric, () => $"input {i} {Index(inputs[i], j)}");
            }
        }
        return worst.Result();
    }

    private static GradCheckResult CheckJvp(Func<Tensor[], Tensor> f, Tensor[] inputs, Tensor y, GradCheckOptions o)
    {
        var random = new System.Random(o.Seed + 1);
        var v = inputs.Select(x => x.DType == DType.Float64 ? RandomLike(x, random) : x).ToArray();
        var (_, tangent) = Grad.Jvp(f, inputs, v);
        double[] Shifted(double sign) => f(inputs.Select((x, i) => x.DType == DType.Float64 ? Axpy(x, v[i], sign * o.Step) : x).ToArray()).ToArray<double>();
        var (plus, minus) = (Shifted(+1), Shifted(-1));
        var analytic = tangent.ToArray<double>();
        var worst = new Worst("JVP", o);
        for (var k = 0; k < analytic.Length; k++)
            worst.Consider(analytic[k], (plus[k] - minus[k]) / (2 * o.Step), () => $"output {Index(y, k)}");
        return worst.Result();
    }

    private sealed class Worst(string mode, GradCheckOptions o)
    {
        private double _excess = double.NegativeInfinity;
        private GradCheckResult _result = new(mode, "(no coordinates)", 0, 0, 0, 0, true);

        public void Consider(double analytic, double numeric, Func<string> where)
        {
            var abs = Math.Abs(analytic - numeric);
            var scale = Math.Max(Math.Abs(analytic), Math.Abs(numeric));
            var allowed = o.Atol + o.Rtol * scale;
            // NaN anywhere counts as the worst possible coordinate.
            var excess = double.IsNaN(abs) ? double.PositiveInfinity : abs - allowed;
            if (excess <= _excess) return;
            _excess = excess;
            _result = new GradCheckResult(mode, where(), analytic, numeric, abs, scale == 0 ? 0 : abs / scale, excess <= 0);
        }

        public GradCheckResult Result() => _result;
    }

    private static Tensor RandomLike(Tensor like, System.Random random)
    {
        var data = new double[like.Size];
        for (var i = 0; i < data.Length; i++) data[i] = 2 * random.NextDouble() - 1;
        return Tensor.FromArray(data, like.ShapeArray);
    }

    private static Tensor[] Perturbed(Tensor[] inputs, int which, int index, double delta)
    {
        var copy = (Tensor[])inputs.Clone();
        var data = inputs[which].ToArray<double>();
        data[index] += delta;
        copy[which] = Tensor.FromArray(data, inputs[which].ShapeArray);
        return copy;
    }

    private static Tensor Axpy(Tensor x, Tensor v, double a)
    {
        var (xd, vd) = (x.ToArray<double>(), v.Data<double>());
        for (var i = 0; i < xd.Length; i++) xd[i] += a * vd[i];
        GC.KeepAlive(v);
        return Tensor.FromArray(xd, x.ShapeArray);
    }

    private static double Dot(Tensor a, Tensor b)
    {
        var (ad, bd) = (a.Data<double>(), b.Data<double>());
        var sum = 0.0;
        for (var i = 0; i < ad.Length; i++) sum += ad[i] * bd[i];
        GC.KeepAlive(a); GC.KeepAlive(b);
        return sum;
    }

    private static string Index(Tensor t, int flat)
    {
        var index = new int[t.Rank];
        for (var d = t.Rank - 1; d >= 0; d--)
        {
            index[d] = flat % t.Dims[d];
            flat /= t.Dims[d];
        }
        return Shapes.Format(index);
    }
}
