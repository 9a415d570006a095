using System.Numerics;

namespace Autodiff;

/// <summary>Zero padding added to each side of an image: rows above and below, columns left and right; all ≥ 0.</summary>
/// <param name="Top">Rows added above.</param>
/// <param name="Bottom">Rows added below.</param>
/// <param name="Left">Columns added on the left.</param>
/// <param name="Right">Columns added on the right.</param>
public readonly record struct Padding2d(int Top, int Bottom, int Left, int Right)
{
    /// <summary><paramref name="height"/> rows above and below, <paramref name="width"/> columns left and right.</summary>
    public static Padding2d Symmetric(int height, int width) => new(height, height, width, width);

    /// <summary>The same padding on all four sides.</summary>
    public static implicit operator Padding2d(int all) => new(all, all, all, all);

    /// <summary>The same padding on all four sides (the named form of the implicit conversion).</summary>
    public static Padding2d FromInt32(int all) => all;
}

/// <summary>How a 2-D convolution window moves: strides, zero padding, dilation (gap between taps) and channel groups.</summary>
/// <param name="StrideHeight">Rows between successive windows.</param>
/// <param name="StrideWidth">Columns between successive windows.</param>
/// <param name="Padding">Zero padding on each side of the input.</param>
/// <param name="DilationHeight">Rows between successive kernel taps.</param>
/// <param name="DilationWidth">Columns between successive kernel taps.</param>
/// <param name="Groups">Channel groups: group g's output channels see only group g's input channels.</param>
public sealed record Conv2dParams(int StrideHeight, int StrideWidth, Padding2d Padding, int DilationHeight, int DilationWidth, int Groups) : OpParams;

/// <summary>
/// y = conv(x, w): x [N, C, H, W], w [O, C/groups, KH, KW] → y [N, O, OH, OW] with
/// y[n, o, a, b] = Σ_{c in o's group, i, j} w[o, c, i, j] · x[n, c, a·sh − top + i·dh, b·sw − left + j·dw] (zero outside x);
/// a cross-correlation, as in every deep-learning library. No bias: layers add it.
/// Bilinear, so JVP = conv(tx, w) + conv(x, tw). VJP: gx = <see cref="ConvTranspose2dOp"/>(gy, w), gw = <see cref="Conv2dWeightGradOp"/>(x, gy).
/// </summary>
/// <remarks>
/// Why three primitives: the derivatives of conv are the two other bilinear maps of the same trilinear form
/// ⟨y, conv(x, w)⟩, so {conv, convᵀ, weight-grad} is closed: each one's VJPs and JVP are the three again, and
/// derivatives of any order stay on fast im2col+GEMM kernels (an unfold/fold design would materialise the
/// unrolled patches as tensors and go through a generic matmul on every derivative).
/// </remarks>
public sealed class Conv2dOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly Conv2dOp Instance = new();

    private Conv2dOp() : base("conv2d") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(Conv2dParams);

    /// <inheritdoc/>
    public override int Arity => 2;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x [N ≤ 2, C ≤ 4, H, W ≤ 6], w [O, C/groups, KH, KW ≤ 3], stride and dilation 1–2, padding 0–2 per side, groups 1–2", s =>
    {
        var g = SampleConv(s);
        return new OpCase([s.Floats([g.N, g.C, g.H, g.W], -2, 2), s.Floats([g.O, g.Cg, g.KH, g.KW], -2, 2)], g.P);
    });

    /// <summary>A random small convolution geometry (shared by the conv family's domains).</summary>
    internal static ConvGeometry SampleConv(CaseSampler s)
    {
        var groups = s.Int(1, 2);
        int cg = s.Int(1, 2), og = s.Int(1, 2), kh = s.Int(1, 3), kw = s.Int(1, 3);
        var p = new Conv2dParams(s.Int(1, 2), s.Int(1, 2), new Padding2d(s.Int(0, 2), s.Int(0, 2), s.Int(0, 2), s.Int(0, 2)), s.Int(1, 2), s.Int(1, 2), groups);
        // The smallest input that still gives an output, up to 6.
        var h = s.Int(Math.Max(1, p.DilationHeight * (kh - 1) + 1 - p.Padding.Top - p.Padding.Bottom), 6);
        var w = s.Int(Math.Max(1, p.DilationWidth * (kw - 1) + 1 - p.Padding.Left - p.Padding.Right), 6);
        return ConvGeometry.Create("conv2d", [s.Int(1, 2), groups * cg, h, w], groups * og, cg, kh, kw, p);
    }

    /// <summary>Checks x and w and returns the geometry of conv(x, w).</summary>
    internal static ConvGeometry Geometry(Tensor x, Tensor w, Conv2dParams p)
    {
        var what = $"conv2d of x {x.DType.Name()} {x.ShapeText} with weight {w.DType.Name()} {w.ShapeText}";
        x.RequireFloat("conv2d");
        Tensor.RequireSameDType("conv2d", x, w);
        if (x.Rank != 4 || w.Rank != 4)
            throw new ArgumentException($"{what}: needs x of rank 4 [N, C, H, W] and weight of rank 4 [O, C/groups, KH, KW]");
        return ConvGeometry.Create(what, x.Dims, w.Dims[0], w.Dims[1], w.Dims[2], w.Dims[3], p);
    }

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var g = Geometry(x[0], x[1], (Conv2dParams)p);
        return x[0].DType == DType.Float32 ? Run<float>(x[0], x[1], g) : Run<double>(x[0], x[1], g);
    }

    private static Tensor Run<T>(Tensor x, Tensor w, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        Tensor.Wrap(Convolution.Forward(x.Data<T>(), w.Data<T>(), g), g.N, g.O, g.OH, g.OW);

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
        var cp = (Conv2dParams)p;
        var (input, w) = (x[0], x[1]);
        return
        [
            wanted[0] ? ConvTranspose2dOp.Instance.Bind(new ConvTranspose2dParams(cp, input.Dims[2], input.Dims[3]), gy, w) : null,
            wanted[1] ? Conv2dWeightGradOp.Instance.Bind(new Conv2dWeightGradParams(cp, w.Dims[2], w.Dims[3]), input, gy) : null,
        ];
    }
}

public sealed partial class Tensor
{
    /// <summary>
    /// 2-D convolution (cross-correlation) of this [N, C, H, W] with <paramref name="weight"/> [O, C/groups, KH, KW]
    /// → [N, O, OH, OW], the same stride, zero padding and dilation on both axes. No bias.
    /// </summary>
    public Tensor Conv2d(Tensor weight, int stride = 1, int padding = 0, int dilation = 1, int groups = 1) =>
        Conv2d(weight, (stride, stride), padding, (dilation, dilation), groups);

    /// <summary>
    /// 2-D convolution (cross-correlation) of this [N, C, H, W] with <paramref name="weight"/> [O, C/groups, KH, KW]
    /// → [N, O, OH, OW], with per-axis stride and dilation and per-side zero padding. No bias.
    /// </summary>
    public Tensor Conv2d(Tensor weight, (int Height, int Width) stride, Padding2d padding, (int Height, int Width) dilation, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(weight);
        return Conv2dOp.Instance.Bind(new Conv2dParams(stride.Height, stride.Width, padding, dilation.Height, dilation.Width, groups), this, weight);
    }
}
