namespace Autodiff;

/// <summary>y = the inputs joined along one axis (all other dims equal). VJP: slices of gy; JVP: concat of tangents.</summary>
public sealed class ConcatOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly ConcatOp Instance = new();

    private ConcatOp() : base("concat") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(AxisParams);

    /// <inheritdoc/>
    public override int Arity => -1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("1 to 3 tensors of rank ≥ 1 equal except along the axis", s =>
    {
        var shape = s.Shape(1, 3);
        var axis = s.Int(0, shape.Length - 1);
        var inputs = Enumerable.Range(0, s.Int(1, 3)).Select(_ =>
        {
            var part = (int[])shape.Clone();
            part[axis] = s.Int(1, 3);
            return s.Floats(part, -3, 3);
        }).ToArray();
        return new OpCase(inputs, new AxisParams(axis));
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var axis = ((AxisParams)p).Axis;
        if (x.Length == 0) throw new ArgumentException("concat: needs at least one tensor");
        var first = x[0];
        if (first.Rank == 0) throw new ArgumentException("concat: cannot concatenate scalars (rank 0); use Stack");
        if (axis < 0 || axis >= first.Rank)
            throw new ArgumentException($"concat: axis {axis} is out of range for {first.DType.Name()} {first.ShapeText}");
        var outShape = first.Shape;
        outShape[axis] = 0;
        foreach (var t in x)
        {
            Tensor.RequireSameDType("concat", first, t);
            var ok = t.Rank == first.Rank;
            for (var d = 0; ok && d < t.Rank; d++) ok = d == axis || t.Dims[d] == first.Dims[d];
            if (!ok)
                throw new ArgumentException($"concat: along axis {axis}, shapes {string.Join(", ", x.Select(i => i.ShapeText))} must agree on every other axis");
            outShape[axis] += t.Dims[axis];
        }
        var outer = 1;
        for (var d = 0; d < axis; d++) outer *= outShape[d];
        var inner = 1;
        for (var d = axis + 1; d < outShape.Length; d++) inner *= outShape[d];
        var y = Tensor.Allocate(first.DType, outShape);
        var result = y.RawData;
        var rowOut = outShape[axis] * inner;
        var offset = 0;
        foreach (var t in x)
        {
            var rowIn = t.Dims[axis] * inner;
            for (var o = 0; o < outer; o++) Array.Copy(t.RawData, o * rowIn, result, o * rowOut + offset, rowIn);
            offset += rowIn;
        }
        return y;
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) =>
        Tensor.Concat(Enumerable.Range(0, x.Length).Select(i => TangentOrZeros(tx, x, i)).ToArray(), ((AxisParams)p).Axis);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p)
    {
        var axis = ((AxisParams)p).Axis;
        var grads = new Tensor?[x.Length];
        var start = 0;
        for (var i = 0; i < x.Length; i++)
        {
            var length = x[i].Dims[axis];
            grads[i] = gy.Slice(axis, start, start + length);
            start += length;
        }
        return grads;
    }
}

public sealed partial class Tensor
{
    /// <summary>Joins tensors along an existing axis; all other dimensions must agree.</summary>
    public static Tensor Concat(Tensor[] tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("concat: needs at least one tensor");
        RequireNoNulls("concat", tensors);
        var rank = tensors[0].Rank;
        if (rank == 0) throw new ArgumentException("concat: cannot concatenate scalars (rank 0); use Stack");
        var a = Shapes.Axis("concat", axis, rank, tensors[0].Dims);
        return ConcatOp.Instance.Bind(new AxisParams(a), tensors);
    }

    private static void RequireNoNulls(string op, Tensor[] tensors)
    {
        var missing = Array.IndexOf(tensors, null);
        if (missing >= 0) throw new ArgumentNullException(nameof(tensors), $"{op}: tensor {missing} of {tensors.Length} is null");
    }

    /// <summary>Joins tensors of one shape along a new axis.</summary>
    public static Tensor Stack(Tensor[] tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Length == 0) throw new ArgumentException("stack: needs at least one tensor");
        RequireNoNulls("stack", tensors);
        var first = tensors[0];
        foreach (var t in tensors)
            if (!Shapes.Equal(t.Dims, first.Dims))
                throw new ArgumentException($"stack: all tensors must have one shape, got {string.Join(", ", tensors.Select(x => x.ShapeText))}");
        var a = Shapes.Axis("stack", axis, first.Rank + 1, first.Dims);
        return Concat(Array.ConvertAll(tensors, t => t.Unsqueeze(a)), a);
    }

    /// <summary>A tensor shaped like <paramref name="like"/> with a one at flat index <paramref name="index"/> and zeros elsewhere.</summary>
    internal static Tensor BasisVector(Tensor like, int index)
    {
        var basis = Allocate(like.DType, like.ShapeArray);
        var data = basis.RawData;
        Array.Clear(data);
        switch (data)
        {
            case float[] f: f[index] = 1; break;
            case double[] d: d[index] = 1; break;
            default: throw new ArgumentException($"basis vector: needs a float tensor, got {like.DType.Name()}");
        }
        return basis;
    }

    /// <summary>Inserts a size-1 axis at <paramref name="axis"/> (negative counts from the end of the result).</summary>
    public Tensor Unsqueeze(int axis)
    {
        var a = Shapes.Axis("unsqueeze", axis, Rank + 1, Dims);
        var shape = new List<int>(Dims.ToArray());
        shape.Insert(a, 1);
        return Reshape([.. shape]);
    }
}
