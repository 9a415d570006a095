using System.Numerics;

namespace Autodiff;

/// <summary>A transposed convolution: the <see cref="Conv2dParams"/> of the convolution it transposes and that convolution's input size.</summary>
/// <param name="Conv">The convolution whose adjoint (in its input) this is.</param>
/// <param name="Height">The output height: the height of the convolution's input.</param>
/// <param name="Width">The output width: the width of the convolution's input.</param>
public sealed record ConvTranspose2dParams(Conv2dParams Conv, int Height, int Width) : OpParams;

/// <summary>
/// z = convᵀ(y, w): the adjoint of x ↦ conv(x, w), so ⟨conv(x, w), y⟩ = ⟨x, convᵀ(y, w)⟩. y [N, O, OH, OW] and
/// w [O, C/groups, KH, KW] (PyTorch's transposed-conv layout [Cin, Cout/groups, KH, KW]) give z [N, C, Height, Width].
/// Bilinear: JVP = convᵀ(ty, w) + convᵀ(y, tw); VJP: gy = conv(gz, w), gw = <see cref="Conv2dWeightGradOp"/>(gz, y),
/// because ⟨gz, convᵀ(y, w)⟩ = ⟨conv(gz, w), y⟩.
/// </summary>
public sealed class ConvTranspose2dOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly ConvTranspose2dOp Instance = new();

    private ConvTranspose2dOp() : base("conv_transpose2d") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(ConvTranspose2dParams);

    /// <inheritdoc/>
    public override int Arity => 2;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("y [N, O, OH, OW] and w [O, C/groups, KH, KW] of a random small conv2d (see conv2d's domain)", s =>
    {
        var g = Conv2dOp.SampleConv(s);
        return new OpCase([s.Floats([g.N, g.O, g.OH, g.OW], -2, 2), s.Floats([g.O, g.Cg, g.KH, g.KW], -2, 2)], new ConvTranspose2dParams(g.P, g.H, g.W));
    });

    /// <summary>Checks y and w and returns the geometry of the convolution this transposes.</summary>
    internal static ConvGeometry Geometry(Tensor y, Tensor w, ConvTranspose2dParams p)
    {
        var what = $"conv_transpose2d of {y.DType.Name()} {y.ShapeText} with weight {w.DType.Name()} {w.ShapeText} to {p.Height}×{p.Width}";
        y.RequireFloat("conv_transpose2d");
        Tensor.RequireSameDType("conv_transpose2d", y, w);
        if (y.Rank != 4 || w.Rank != 4)
            throw new ArgumentException($"{what}: needs an input of rank 4 [N, Cin, H, W] and a weight of rank 4 [Cin, Cout/groups, KH, KW]");
        if (y.Dims[1] != w.Dims[0])
            throw new ArgumentException($"{what}: the input has {y.Dims[1]} channels but the weight is for {w.Dims[0]}");
        var g = ConvGeometry.Create(what, [y.Dims[0], w.Dims[1] * p.Conv.Groups, p.Height, p.Width], w.Dims[0], w.Dims[1], w.Dims[2], w.Dims[3], p.Conv);
        if (g.OH != y.Dims[2] || g.OW != y.Dims[3])
            throw new ArgumentException($"{what}: a {p.Height}×{p.Width} output convolves to {g.OH}×{g.OW}, not to the input's {y.Dims[2]}×{y.Dims[3]}");
        return g;
    }

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var g = Geometry(x[0], x[1], (ConvTranspose2dParams)p);
        return x[0].DType == DType.Float32 ? Run<float>(x[0], x[1], g) : Run<double>(x[0], x[1], g);
    }

    private static Tensor Run<T>(Tensor y, Tensor w, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        Tensor.Wrap(Convolution.InputGrad(y.Data<T>(), w.Data<T>(), g), g.N, g.C, g.H, g.W);

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p)
    {
        if (tx[1] is null) return Instance.Bind(p, tx[0]!, x[1]);
        if (tx[0] is null) return Instance.Bind(p, x[0], tx[1]!);
        return Instance.Bind(p, tx[0]!, x[1]) + Instance.Bind(p, x[0], tx[1]!);
    }

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => Vjp(gy, x, y, p, [true, true]);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p, bool[] wanted)
    {
        // Here gy is the cotangent of this op's output z (shaped like the conv's input), x = (y, w).
        var tp = (ConvTranspose2dParams)p;
        var w = x[1];
        return
        [
            wanted[0] ? Conv2dOp.Instance.Bind(tp.Conv, gy, w) : null,
            wanted[1] ? Conv2dWeightGradOp.Instance.Bind(new Conv2dWeightGradParams(tp.Conv, w.Dims[2], w.Dims[3]), gy, x[0]) : null,
        ];
    }
}

public sealed partial class Tensor
{
    /// <summary>
    /// Transposed 2-D convolution of this [N, Cin, H, W] with <paramref name="weight"/> [Cin, Cout/groups, KH, KW]
    /// → [N, Cout, (H − 1)·stride − 2·padding + dilation·(KH − 1) + 1 + outputPadding, …], as PyTorch's conv_transpose2d:
    /// the gradient of <see cref="Conv2d(Tensor, int, int, int, int)"/> with respect to its input. No bias.
    /// </summary>
    public Tensor ConvTranspose2d(Tensor weight, int stride = 1, int padding = 0, int outputPadding = 0, int dilation = 1, int groups = 1) =>
        ConvTranspose2d(weight, (stride, stride), padding, (outputPadding, outputPadding), (dilation, dilation), groups);

    /// <summary>
    /// Transposed 2-D convolution with per-axis stride, output padding and dilation and per-side padding; the output
    /// height is (H − 1)·strideH − top − bottom + dilationH·(KH − 1) + 1 + outputPaddingH (likewise the width).
    /// outputPadding (each &lt; stride or dilation on its axis) picks among the input sizes that convolve to H.
    /// </summary>
    public Tensor ConvTranspose2d(Tensor weight, (int Height, int Width) stride, Padding2d padding, (int Height, int Width) outputPadding, (int Height, int Width) dilation, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(weight);
        var what = $"conv_transpose2d of {DType.Name()} {ShapeText} with weight {weight.DType.Name()} {weight.ShapeText}";
        if (Rank != 4 || weight.Rank != 4)
            throw new ArgumentException($"{what}: needs an input of rank 4 [N, Cin, H, W] and a weight of rank 4 [Cin, Cout/groups, KH, KW]");
        if (outputPadding.Height < 0 || outputPadding.Width < 0
            || (outputPadding.Height >= stride.Height && outputPadding.Height >= dilation.Height)
            || (outputPadding.Width >= stride.Width && outputPadding.Width >= dilation.Width))
            throw new ArgumentException($"{what}: output padding {outputPadding} must be ≥ 0 and smaller than the stride {stride} or the dilation {dilation} on each axis");
        var height = (Dims[2] - 1) * stride.Height - padding.Top - padding.Bottom + dilation.Height * (weight.Dims[2] - 1) + 1 + outputPadding.Height;
        var width = (Dims[3] - 1) * stride.Width - padding.Left - padding.Right + dilation.Width * (weight.Dims[3] - 1) + 1 + outputPadding.Width;
        if (height < 1 || width < 1)
            throw new ArgumentException($"{what}: stride {stride}, padding {padding}, dilation {dilation} and output padding {outputPadding} give an empty {height}×{width} output");
        var conv = new Conv2dParams(stride.Height, stride.Width, padding, dilation.Height, dilation.Width, groups);
        return ConvTranspose2dOp.Instance.Bind(new ConvTranspose2dParams(conv, height, width), this, weight);
    }
}
