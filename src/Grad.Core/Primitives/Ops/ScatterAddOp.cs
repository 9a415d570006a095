using System.Numerics;

namespace Autodiff;

/// <summary>Parameters of a scatter: the axis indexed into and the shape of the result.</summary>
public sealed record ScatterParams(int Axis, int[] Shape) : OpParams
{
    /// <inheritdoc/>
    public override string ToString() => $"ScatterParams {{ Axis = {Axis}, Shape = {Shapes.Format(Shape)} }}";
}

/// <summary>
/// y = zeros(shape) with y[o, indices[o, j, i], i] += updates[o, j, i] along one axis (repeats accumulate): the
/// transpose of <see cref="GatherOp"/>. Linear in the updates: JVP scatter-adds their tangent, VJP gathers gy.
/// Indices are int32, in [−n, n), match the result off the axis, and get no gradient.
/// </summary>
public sealed class ScatterAddOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly ScatterAddOp Instance = new();

    private ScatterAddOp() : base("scatter_add") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(ScatterParams);

    /// <inheritdoc/>
    public override int Arity => 2;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("result shape of rank ≥ 1; int32 indices in range (repeats allowed) and updates of one shape, matching the result except along the axis", s =>
    {
        var shape = s.Shape(1, 3);
        var axis = s.Int(0, shape.Length - 1);
        var indexShape = (int[])shape.Clone();
        indexShape[axis] = s.Int(1, 4);
        return new OpCase([s.Floats(indexShape, -3, 3), s.Indices(indexShape, shape[axis])], new ScatterParams(axis, shape));
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (updates, indices) = (x[0], x[1]);
        var sp = (ScatterParams)p;
        var operands = $"result {Shapes.Format(sp.Shape)}, indices {indices.DType.Name()} {indices.ShapeText}, updates {updates.DType.Name()} {updates.ShapeText}";
        if (!Shapes.Equal(updates.Dims, indices.Dims))
            throw new ArgumentException($"scatter_add: updates and indices must have one shape ({operands})");
        var wrapped = AlongAxis.CheckedIndices(Name, sp.Shape, indices, sp.Axis, operands);
        return updates.RawData switch
        {
            float[] f => Run(f, wrapped, indices, sp),
            double[] d => Run(d, wrapped, indices, sp),
            int[] i => Run(i, wrapped, indices, sp),
            _ => throw new ArgumentException($"scatter_add: updates must be float32, float64 or int32 ({operands})"),
        };
    }

    private static Tensor Run<T>(T[] updates, int[] wrapped, Tensor indices, ScatterParams p) where T : INumber<T>
    {
        var y = Tensor.AllocateZeroed((int[])p.Shape.Clone(), out T[] result);
        var inner = Shapes.Size(p.Shape.AsSpan(p.Axis + 1));
        AlongAxis.ScatterAdd(updates, wrapped, indices.Dims[p.Axis], inner, result, p.Shape[p.Axis]);
        return y;
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => ScatterAddOp.Instance.Bind(p, tx[0]!, x[1]);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) =>
        [GatherOp.Instance.Bind(new AxisParams(((ScatterParams)p).Axis), gy, x[1]), null];
}

public sealed partial class Tensor
{
    /// <summary>
    /// This tensor plus <paramref name="updates"/> added at int32 <paramref name="indices"/> along <paramref name="axis"/>
    /// (PyTorch's scatter_add): y[..., indices[..., j, ...], ...] += updates[..., j, ...], repeats accumulating.
    /// Indices and updates have one shape, equal to this one's except along the axis; derivative 1 for this tensor,
    /// a gather of the cotangent for the updates.
    /// </summary>
    public Tensor ScatterAdd(int axis, Tensor indices, Tensor updates)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(updates);
        RequireSameDType("scatter_add", this, updates);
        var a = Shapes.Axis("scatter_add", axis, Rank, Dims);
        return this + ScatterAddOp.Instance.Bind(new ScatterParams(a, Shape), updates, indices);
    }
}
