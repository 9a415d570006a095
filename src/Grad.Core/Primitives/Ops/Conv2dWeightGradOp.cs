using System.Numerics;

namespace Autodiff;

/// <summary>The weight gradient of a convolution: its <see cref="Conv2dParams"/> and kernel size.</summary>
/// <param name="Conv">The convolution whose weight gradient this is.</param>
/// <param name="KernelHeight">Kernel rows.</param>
/// <param name="KernelWidth">Kernel columns.</param>
public sealed record Conv2dWeightGradParams(Conv2dParams Conv, int KernelHeight, int KernelWidth) : OpParams;

/// <summary>
/// gw = wgrad(x, gy): the gradient of ⟨gy, conv(x, w)⟩ with respect to w, so ⟨G, wgrad(x, gy)⟩ = ⟨gy, conv(x, G)⟩.
/// x [N, C, H, W], gy [N, O, OH, OW] → [O, C/groups, KH, KW]. Bilinear: JVP = wgrad(tx, gy) + wgrad(x, tgy);
/// VJP of a cotangent G: gx = <see cref="ConvTranspose2dOp"/>(gy, G), ggy = conv(x, G).
/// </summary>
public sealed class Conv2dWeightGradOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly Conv2dWeightGradOp Instance = new();

    private Conv2dWeightGradOp() : base("conv2d_weight_grad") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(Conv2dWeightGradParams);

    /// <inheritdoc/>
    public override int Arity => 2;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x [N, C, H, W] and gy [N, O, OH, OW] of a random small conv2d (see conv2d's domain)", s =>
    {
        var g = Conv2dOp.SampleConv(s);
        return new OpCase([s.Floats([g.N, g.C, g.H, g.W], -2, 2), s.Floats([g.N, g.O, g.OH, g.OW], -2, 2)], new Conv2dWeightGradParams(g.P, g.KH, g.KW));
    });

    /// <summary>Checks x and gy and returns the geometry of the convolution.</summary>
    internal static ConvGeometry Geometry(Tensor x, Tensor gy, Conv2dWeightGradParams p)
    {
        var what = $"conv2d_weight_grad of x {x.DType.Name()} {x.ShapeText} and gy {gy.DType.Name()} {gy.ShapeText} for a {p.KernelHeight}×{p.KernelWidth} kernel";
        x.RequireFloat("conv2d_weight_grad");
        Tensor.RequireSameDType("conv2d_weight_grad", x, gy);
        if (x.Rank != 4 || gy.Rank != 4 || x.Dims[0] != gy.Dims[0])
            throw new ArgumentException($"{what}: needs x [N, C, H, W] and gy [N, O, OH, OW] with the same N");
        var groups = Math.Max(p.Conv.Groups, 1);
        var g = ConvGeometry.Create(what, x.Dims, gy.Dims[1], x.Dims[1] / groups, p.KernelHeight, p.KernelWidth, p.Conv);
        if (g.OH != gy.Dims[2] || g.OW != gy.Dims[3])
            throw new ArgumentException($"{what}: x convolves to {g.OH}×{g.OW}, not to gy's {gy.Dims[2]}×{gy.Dims[3]}");
        return g;
    }

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var g = Geometry(x[0], x[1], (Conv2dWeightGradParams)p);
        return x[0].DType == DType.Float32 ? Run<float>(x[0], x[1], g) : Run<double>(x[0], x[1], g);
    }

    private static Tensor Run<T>(Tensor x, Tensor gy, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        Tensor.Wrap(Convolution.WeightGrad(x.Data<T>(), gy.Data<T>(), g), g.O, g.Cg, g.KH, g.KW);

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
        // Here gy is the cotangent G of this op's output (shaped like a weight); x = (conv input, conv output cotangent).
        var wp = (Conv2dWeightGradParams)p;
        var (input, convCotangent) = (x[0], x[1]);
        return
        [
            wanted[0] ? ConvTranspose2dOp.Instance.Bind(new ConvTranspose2dParams(wp.Conv, input.Dims[2], input.Dims[3]), convCotangent, gy) : null,
            wanted[1] ? Conv2dOp.Instance.Bind(wp.Conv, input, gy) : null,
        ];
    }
}
