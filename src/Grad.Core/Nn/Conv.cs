namespace Autodiff.Nn;

/// <summary>
/// 2-D convolution (cross-correlation, as PyTorch) of x [N, Cin, H, W] with Weight [Cout, Cin/groups, KH, KW], plus an
/// optional bias per output channel: y [N, Cout, OH, OW].
/// </summary>
/// <param name="Weight">The kernels, [out channels, in channels / groups, kernel height, kernel width].</param>
/// <param name="Bias">The bias, [out channels], or null for none.</param>
/// <param name="Stride">The step between windows, on both axes.</param>
/// <param name="Padding">Zeros added on every side.</param>
/// <param name="Dilation">The spacing between kernel taps.</param>
/// <param name="Groups">Channel groups: each output channel sees in channels / groups inputs.</param>
public sealed record Conv2d(Tensor Weight, Tensor? Bias, int Stride = 1, int Padding = 0, int Dilation = 1, int Groups = 1) : IStatelessLayer
{
    /// <summary>
    /// PyTorch's nn.Conv2d initialisation: the weight by Kaiming uniform with a = √5, i.e. U(±1/√fan in) with
    /// fan in = in/groups·k², and the bias from U(±1/√fan in).
    /// </summary>
    public static Conv2d Create(int inChannels, int outChannels, int kernelSize, Key key, int stride = 1, int padding = 0,
        int dilation = 1, int groups = 1, bool bias = true, DType dtype = DType.Float32)
    {
        LayerChecks.RequirePositive("Conv2d", (nameof(inChannels), inChannels), (nameof(outChannels), outChannels),
            (nameof(kernelSize), kernelSize), (nameof(groups), groups));
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"Conv2d: {inChannels} in and {outChannels} out channels must both be divisible by {groups} groups");
        var (weightKey, biasKey) = key.Split();
        int[] shape = [outChannels, inChannels / groups, kernelSize, kernelSize];
        var weight = Init.KaimingUniform(weightKey, shape, dtype, a: Math.Sqrt(5));
        var bound = 1 / Math.Sqrt(Init.Fans(shape).FanIn);
        return new(weight, bias ? Init.Uniform(biasKey, [outChannels], dtype, -bound, bound) : null, stride, padding, dilation, groups);
    }

    /// <summary>The convolution of <paramref name="x"/> [N, Cin, H, W], plus the bias.</summary>
    public Tensor Apply(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = x.Conv2d(Weight, Stride, Padding, Dilation, Groups);
        return Bias is null ? y : y + Bias.Reshape(Bias.Shape[0], 1, 1);
    }
}

/// <summary>
/// Transposed 2-D convolution (the gradient of <see cref="Conv2d"/> with respect to its input, PyTorch's
/// nn.ConvTranspose2d) of x [N, Cin, H, W] with Weight [Cin, Cout/groups, KH, KW], plus an optional bias per output channel.
/// </summary>
/// <param name="Weight">The kernels, [in channels, out channels / groups, kernel height, kernel width].</param>
/// <param name="Bias">The bias, [out channels], or null for none.</param>
/// <param name="Stride">The stride of the convolution this transposes.</param>
/// <param name="Padding">The padding of the convolution this transposes (removed from the output).</param>
/// <param name="OutputPadding">Extra rows and columns on the bottom and right, choosing among the sizes that convolve back to H.</param>
/// <param name="Dilation">The spacing between kernel taps.</param>
/// <param name="Groups">Channel groups.</param>
public sealed record ConvTranspose2d(Tensor Weight, Tensor? Bias, int Stride = 1, int Padding = 0, int OutputPadding = 0, int Dilation = 1, int Groups = 1) : IStatelessLayer
{
    /// <summary>
    /// PyTorch's nn.ConvTranspose2d initialisation: Kaiming uniform with a = √5 on the [in, out/groups, k, k] weight, whose
    /// fan in PyTorch takes as out/groups·k², and the bias from U(±1/√that fan in).
    /// </summary>
    public static ConvTranspose2d Create(int inChannels, int outChannels, int kernelSize, Key key, int stride = 1, int padding = 0,
        int outputPadding = 0, int dilation = 1, int groups = 1, bool bias = true, DType dtype = DType.Float32)
    {
        LayerChecks.RequirePositive("ConvTranspose2d", (nameof(inChannels), inChannels), (nameof(outChannels), outChannels),
            (nameof(kernelSize), kernelSize), (nameof(groups), groups));
        if (inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException($"ConvTranspose2d: {inChannels} in and {outChannels} out channels must both be divisible by {groups} groups");
        var (weightKey, biasKey) = key.Split();
        int[] shape = [inChannels, outChannels / groups, kernelSize, kernelSize];
        var weight = Init.KaimingUniform(weightKey, shape, dtype, a: Math.Sqrt(5));
        var bound = 1 / Math.Sqrt(Init.Fans(shape).FanIn);
        return new(weight, bias ? Init.Uniform(biasKey, [outChannels], dtype, -bound, bound) : null, stride, padding, outputPadding, dilation, groups);
    }

    /// <summary>The transposed convolution of <paramref name="x"/> [N, Cin, H, W], plus the bias.</summary>
    public Tensor Apply(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var y = x.ConvTranspose2d(Weight, Stride, Padding, OutputPadding, Dilation, Groups);
        return Bias is null ? y : y + Bias.Reshape(Bias.Shape[0], 1, 1);
    }
}

/// <summary>Max pooling of [N, C, H, W] over Kernel×Kernel windows, as a layer.</summary>
/// <param name="Kernel">The window size.</param>
/// <param name="Stride">The step between windows; null for the window size.</param>
/// <param name="Padding">−∞ added on every side.</param>
public sealed record MaxPool2d(int Kernel, int? Stride = null, int Padding = 0) : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.MaxPool2d(Kernel, Stride, Padding);
}

/// <summary>Average pooling of [N, C, H, W] over Kernel×Kernel windows, as a layer.</summary>
/// <param name="Kernel">The window size.</param>
/// <param name="Stride">The step between windows; null for the window size.</param>
/// <param name="Padding">Zeros added on every side.</param>
/// <param name="CountIncludePad">Whether padded zeros count in each window's average (PyTorch's default).</param>
public sealed record AvgPool2d(int Kernel, int? Stride = null, int Padding = 0, bool CountIncludePad = true) : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.AvgPool2d(Kernel, Stride, Padding, CountIncludePad);
}

/// <summary>The mean over the spatial axes, [N, C, H, W] → [N, C], as a layer.</summary>
public sealed record GlobalAvgPool2d : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.GlobalAvgPool2d();
}
