namespace Autodiff;

/// <summary>
/// y[o, j, i] = x[o, indices[o, j, i], i] along one axis (numpy's take_along_axis, shape-strict: indices match
/// x off the axis; y has the shape of indices). Linear in x: JVP gathers tx, VJP scatter-adds gy into zeros
/// shaped like x (<see cref="ScatterAddOp"/>, its transpose). Indices are int32, in [−n, n), and get no gradient.
/// </summary>
public sealed class GatherOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly GatherOp Instance = new();

    private GatherOp() : base("gather") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(AxisParams);

    /// <inheritdoc/>
    public override int Arity => 2;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x of rank ≥ 1, int32 indices in range matching x except along the axis (1 to 4 of them, repeats allowed)", s =>
    {
        var shape = s.Shape(1, 3);
        var axis = s.Int(0, shape.Length - 1);
        var indexShape = (int[])shape.Clone();
        indexShape[axis] = s.Int(1, 4);
        return new OpCase([s.Floats(shape, -3, 3), s.Indices(indexShape, shape[axis])], new AxisParams(axis));
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (source, indices) = (x[0], x[1]);
        var axis = ((AxisParams)p).Axis;
        var operands = $"x {source.DType.Name()} {source.ShapeText}, indices {indices.DType.Name()} {indices.ShapeText}";
        var wrapped = AlongAxis.CheckedIndices(Name, source.ShapeArray, indices, axis, operands);
        var n = source.Dims[axis];
        var k = indices.Dims[axis];
        var inner = Shapes.Size(indices.Dims[(axis + 1)..]);
        return source.RawData switch
        {
            float[] f => Run(f, n, wrapped, k, inner, indices.ShapeArray),
            double[] d => Run(d, n, wrapped, k, inner, indices.ShapeArray),
            int[] i => Run(i, n, wrapped, k, inner, indices.ShapeArray),
            bool[] b => Run(b, n, wrapped, k, inner, indices.ShapeArray),
            _ => throw new InvalidOperationException(),
        };
    }

    private static Tensor Run<T>(T[] source, int n, int[] indices, int k, int inner, int[] shape)
    {
        var y = Tensor.Allocate(shape, out T[] result);
        AlongAxis.Gather(source, n, indices, k, inner, result);
        return y;
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => GatherOp.Instance.Bind(p, tx[0]!, x[1]);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) =>
        [ScatterAddOp.Instance.Bind(new ScatterParams(((AxisParams)p).Axis, x[0].ShapeArray), gy, x[1]), null];
}

public sealed partial class Tensor
{
    /// <summary>
    /// numpy's take_along_axis: y[..., j, ...] = x[..., indices[..., j, ...], ...] along <paramref name="axis"/>, with
    /// int32 <paramref name="indices"/> of the same rank (negative indices count from the end; the other axes broadcast).
    /// The gradient scatter-adds into x, so repeated indices accumulate.
    /// </summary>
    public Tensor TakeAlongAxis(Tensor indices, int axis)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var a = Shapes.Axis("take_along_axis", axis, Rank, Dims);
        if (indices.Rank != Rank)
            throw new ArgumentException($"take_along_axis: indices {indices.DType.Name()} {indices.ShapeText} must have the rank of x {DType.Name()} {ShapeText}");
        var xShape = Shape;
        var indexShape = indices.Shape;
        for (var d = 0; d < Rank; d++)
        {
            if (d == a) continue;
            var (m, n) = (xShape[d], indexShape[d]);
            if (m != n && m != 1 && n != 1)
                throw new ArgumentException($"take_along_axis: cannot broadcast x {DType.Name()} {ShapeText} with indices {indices.DType.Name()} {indices.ShapeText} off axis {a}: dimension {d} is {m} vs {n}");
            xShape[d] = indexShape[d] = m == 1 ? n : m;
        }
        return GatherOp.Instance.Bind(new AxisParams(a), BroadcastTo(xShape), indices.BroadcastTo(indexShape));
    }
}
