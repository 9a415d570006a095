using System.Numerics;

namespace Autodiff;

/// <summary>
/// z = scatter(x, g): each max-pooling window's g shared equally among the window's maxima in x, added up → [N, C, H, W];
/// the VJP of <see cref="MaxPool2dOp"/> and the transpose of <see cref="MaxPool2dGatherOp"/>. Linear in g and locally
/// constant in x, so JVP = scatter(x, tg) and VJP: gg = <see cref="MaxPool2dGatherOp"/>(x, gz), gx = 0.
/// </summary>
public sealed class MaxPool2dScatterOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly MaxPool2dScatterOp Instance = new();

    private MaxPool2dScatterOp() : base("max_pool2d_scatter") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(MaxPool2dParams);

    /// <inheritdoc/>
    public override int Arity => 2;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x as max_pool2d's domain, g of the pooled shape in [-2, 2]",
        s => MaxPool2dOp.SampleWindow(s, (_, yShape) => [s.Floats(yShape, -2, 2)]));

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (input, gy) = (x[0], x[1]);
        Tensor.RequireSameDType("max_pool2d_scatter", input, gy);
        var g = MaxPool2dOp.Geometry(input, (MaxPool2dParams)p);
        if (gy.Rank != 4 || gy.Dims[0] != input.Dims[0] || gy.Dims[1] != input.Dims[1] || gy.Dims[2] != g.OH || gy.Dims[3] != g.OW)
            throw new ArgumentException($"max_pool2d_scatter: g {gy.DType.Name()} {gy.ShapeText} is not the pooled shape [{input.Dims[0]}, {input.Dims[1]}, {g.OH}, {g.OW}] of x {input.DType.Name()} {input.ShapeText}");
        return input.DType == DType.Float32 ? Run<float>(input, gy, g) : Run<double>(input, gy, g);
    }

    private static Tensor Run<T>(Tensor x, Tensor gy, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Where the windows tile the input exactly, the scatter writes every element itself: no clearing pass first.
        var shape = (int[])x.ShapeArray.Clone();
        var tiled = MaxPooling.TilesExactly(g);
        T[] data;
        var result = tiled ? Tensor.Allocate(shape, out data) : Tensor.AllocateZeroed(shape, out data);
        if (tiled) MaxPooling.ScatterTiled2x2(x.Data<T>(), gy.Data<T>(), g, data);
        else MaxPooling.Scatter(x.Data<T>(), gy.Data<T>(), g, data);
        return result;
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) =>
        tx[1] is null ? Tensor.ZerosLike(y) : Instance.Bind(p, x[0], tx[1]!);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => Vjp(gy, x, y, p, [true, true]);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p, bool[] wanted) =>
        [wanted[0] ? Tensor.ZerosLike(x[0]) : null, wanted[1] ? MaxPool2dGatherOp.Instance.Bind(p, x[0], gy) : null];
}
