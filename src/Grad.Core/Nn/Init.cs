namespace Autodiff.Nn;

/// <summary>Whether a variance-scaling initialiser preserves the variance of the forward pass (fan in) or of the backward pass (fan out).</summary>
public enum FanMode
{
    /// <summary>Scale by the number of inputs of each output unit.</summary>
    FanIn,

    /// <summary>Scale by the number of outputs each input unit feeds.</summary>
    FanOut,
}

/// <summary>The nonlinearity a layer's output goes through, for the gain of <see cref="Init.Gain"/> (PyTorch's <c>calculate_gain</c>).</summary>
public enum Nonlinearity
{
    /// <summary>No nonlinearity (also convolutions and sigmoid): gain 1.</summary>
    Linear,

    /// <summary>Sigmoid: gain 1.</summary>
    Sigmoid,

    /// <summary>Tanh: gain 5/3.</summary>
    Tanh,

    /// <summary>ReLU: gain √2.</summary>
    Relu,

    /// <summary>Leaky ReLU with negative slope a: gain √(2 / (1 + a²)).</summary>
    LeakyRelu,

    /// <summary>SELU: gain 3/4.</summary>
    Selu,
}

/// <summary>
/// Parameter initialisers with PyTorch's definitions (<c>torch.nn.init</c>), each a function of an explicit key, a shape
/// and a dtype, so initialisation is reproducible and independent per parameter.
/// </summary>
/// <remarks>
/// Fans follow the layouts Grad's layers store: a matrix is [in, out] (y = x·W), so fan in = shape[0] and fan out = shape[1];
/// a convolution kernel is [out, in / groups, kh, kw, …] as in PyTorch, so fan in = shape[1]·kh·kw·… and fan out = shape[0]·kh·kw·….
/// </remarks>
public static class Init
{
    /// <summary>Zeros (the key is unused; it is taken so every initialiser has one signature).</summary>
    public static Tensor Zeros(Key key, int[] shape, DType dtype = DType.Float32) => Tensor.Zeros(dtype, shape);

    /// <summary>Ones (the key is unused; it is taken so every initialiser has one signature).</summary>
    public static Tensor Ones(Key key, int[] shape, DType dtype = DType.Float32) => Tensor.Ones(dtype, shape);

    /// <summary>Independent N(<paramref name="mean"/>, <paramref name="std"/>²) entries.</summary>
    public static Tensor Normal(Key key, int[] shape, DType dtype = DType.Float32, double mean = 0, double std = 1) =>
        Tensor.Normal(key, shape, mean, std, dtype);

    /// <summary>Independent U[<paramref name="low"/>, <paramref name="high"/>) entries.</summary>
    public static Tensor Uniform(Key key, int[] shape, DType dtype = DType.Float32, double low = 0, double high = 1) =>
        Tensor.Uniform(key, shape, low, high, dtype);

    /// <summary>Xavier (Glorot) uniform: U(±b) with b = gain·√(6 / (fan in + fan out)).</summary>
    public static Tensor XavierUniform(Key key, int[] shape, DType dtype = DType.Float32, double gain = 1)
    {
        var (fanIn, fanOut) = Fans("XavierUniform", shape);
        var bound = gain * Math.Sqrt(6.0 / (fanIn + fanOut));
        return Tensor.Uniform(key, shape, -bound, bound, dtype);
    }

    /// <summary>Xavier (Glorot) normal: N(0, σ²) with σ = gain·√(2 / (fan in + fan out)).</summary>
    public static Tensor XavierNormal(Key key, int[] shape, DType dtype = DType.Float32, double gain = 1)
    {
        var (fanIn, fanOut) = Fans("XavierNormal", shape);
        return Tensor.Normal(key, shape, 0, gain * Math.Sqrt(2.0 / (fanIn + fanOut)), dtype);
    }

    /// <summary>
    /// Kaiming (He) uniform: U(±b) with b = √3·gain / √fan, the fan chosen by <paramref name="mode"/> and the gain by
    /// <paramref name="nonlinearity"/> (with slope <paramref name="a"/> for leaky ReLU). PyTorch's defaults.
    /// </summary>
    public static Tensor KaimingUniform(Key key, int[] shape, DType dtype = DType.Float32, double a = 0,
        FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu)
    {
        var bound = Math.Sqrt(3) * KaimingStd("KaimingUniform", shape, a, mode, nonlinearity);
        return Tensor.Uniform(key, shape, -bound, bound, dtype);
    }

    /// <summary>Kaiming (He) normal: N(0, σ²) with σ = gain / √fan, fan and gain as in <see cref="KaimingUniform"/>.</summary>
    public static Tensor KaimingNormal(Key key, int[] shape, DType dtype = DType.Float32, double a = 0,
        FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu) =>
        Tensor.Normal(key, shape, 0, KaimingStd("KaimingNormal", shape, a, mode, nonlinearity), dtype);

    /// <summary>The recommended gain for <paramref name="nonlinearity"/>; <paramref name="slope"/> is leaky ReLU's negative slope.</summary>
    public static double Gain(Nonlinearity nonlinearity, double slope = 0.01) => nonlinearity switch
    {
        Nonlinearity.Linear or Nonlinearity.Sigmoid => 1,
        Nonlinearity.Tanh => 5.0 / 3,
        Nonlinearity.Relu => Math.Sqrt(2),
        Nonlinearity.LeakyRelu => Math.Sqrt(2 / (1 + slope * slope)),
        Nonlinearity.Selu => 0.75,
        _ => throw new ArgumentOutOfRangeException(nameof(nonlinearity), $"Gain: unknown nonlinearity {nonlinearity}"),
    };

    /// <summary>Fan in and fan out of a parameter of <paramref name="shape"/>: [in, out] for a matrix, [out, in, k…] for a kernel.</summary>
    public static (int FanIn, int FanOut) Fans(int[] shape) => Fans("Fans", shape);

    private static (int FanIn, int FanOut) Fans(string op, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length < 2)
            throw new ArgumentException($"{op}: fan in and fan out need a shape of rank ≥ 2 ([in, out] or [out, in, k…]), got {LayerChecks.Format(shape)}");
        if (shape.Any(d => d <= 0))
            throw new ArgumentException($"{op}: fans need positive dimensions, got {LayerChecks.Format(shape)}");
        if (shape.Length == 2) return (shape[0], shape[1]);
        var receptive = checked(shape.Skip(2).Aggregate(1, (product, d) => product * d));
        return (shape[1] * receptive, shape[0] * receptive);
    }

    private static double KaimingStd(string op, int[] shape, double a, FanMode mode, Nonlinearity nonlinearity)
    {
        var (fanIn, fanOut) = Fans(op, shape);
        var fan = mode == FanMode.FanIn ? fanIn : fanOut;
        return Gain(nonlinearity, a) / Math.Sqrt(fan);
    }
}
