using System.Numerics;

namespace Autodiff;

/// <summary>
/// y = gather(x, t): for each max-pooling window of x, the mean of t over the window's maxima → [N, C, OH, OW]; the JVP
/// of <see cref="MaxPool2dOp"/> in direction t. Linear in t and locally constant in x (the maxima move only at ties), so
/// JVP = gather(x, tt) and VJP: gt = <see cref="MaxPool2dScatterOp"/>(x, gy), gx = 0.
/// </summary>
public sealed class MaxPool2dGatherOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly MaxPool2dGatherOp Instance = new();

    private MaxPool2dGatherOp() : base("max_pool2d_gather") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(MaxPool2dParams);

    /// <inheritdoc/>
    public override int Arity => 2;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x as max_pool2d's domain, t of x's shape in [-2, 2]",
        s => MaxPool2dOp.SampleWindow(s, (xShape, _) => [s.Floats(xShape, -2, 2)]));

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (input, t) = (x[0], x[1]);
        Tensor.RequireSameDType("max_pool2d_gather", input, t);
        Tensor.RequireSameShape("max_pool2d_gather", input, t);
        var g = MaxPool2dOp.Geometry(input, (MaxPool2dParams)p);
        return input.DType == DType.Float32 ? Run<float>(input, t, g) : Run<double>(input, t, g);
    }

    private static Tensor Run<T>(Tensor x, Tensor t, ConvGeometry g) where T : unmanaged, IFloatingPointIeee754<T> =>
        Tensor.Wrap(MaxPooling.Gather(x.Data<T>(), t.Data<T>(), g), x.Dims[0], x.Dims[1], g.OH, g.OW);

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) =>
        tx[1] is null ? Tensor.ZerosLike(y) : Instance.Bind(p, x[0], tx[1]!);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => Vjp(gy, x, y, p, [true, true]);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p, bool[] wanted) =>
        [wanted[0] ? Tensor.ZerosLike(x[0]) : null, wanted[1] ? MaxPool2dScatterOp.Instance.Bind(p, x[0], gy) : null];
}
