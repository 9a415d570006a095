namespace Autodiff;

/// <summary>
/// y = x broadcast to a larger shape (numpy rules: new leading axes, size-1 axes repeated).
/// VJP: sum over the broadcast axes and reshape back — the one place un-broadcasting lives.
/// </summary>
public sealed class BroadcastToOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly BroadcastToOp Instance = new();

    private BroadcastToOp() : base("broadcast_to") { }

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x of any shape, target adds leading axes and repeats size-1 axes", s =>
    {
        var target = s.Shape(0, 4);
        var lead = s.Int(0, target.Length);
        var inShape = target[lead..].Select(d => s.Coin() ? 1 : d).ToArray();
        return new OpCase([s.Floats(inShape, -3, 3)], new ShapeParams(target));
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var target = ((ShapeParams)p).Shape;
        var input = x[0];
        Check(input, target);
        return Strided.Gather(input, 0, Strided.BroadcastStrides(input.ShapeArray, target), target);
    }

    internal static void Check(Tensor x, int[] target)
    {
        var ok = target.Length >= x.Rank && target.All(d => d >= 0);
        for (var d = 0; ok && d < x.Rank; d++)
        {
            var (i, t) = (x.Dims[d], target[target.Length - x.Rank + d]);
            ok = i == t || i == 1;
        }
        if (!ok)
            throw new ArgumentException($"broadcast_to: cannot broadcast {x.DType.Name()} {x.ShapeText} to {Shapes.Format(target)}");
    }

    /// <summary>The axes of <paramref name="target"/> that broadcasting from <paramref name="from"/> created or repeated.</summary>
    internal static int[] BroadcastAxes(int[] from, int[] target)
    {
        var lead = target.Length - from.Length;
        var axes = new List<int>();
        for (var d = 0; d < target.Length; d++)
            if (d < lead || (from[d - lead] == 1 && target[d] != 1)) axes.Add(d);
        return [.. axes];
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => tx[0]!.BroadcastTo(((ShapeParams)p).Shape);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [gy.SumTo(x[0].ShapeArray)];
}

public sealed partial class Tensor
{
    /// <summary>Broadcasts to <paramref name="shape"/> by numpy's rules; a no-op (same object) when the shape already matches.</summary>
    public Tensor BroadcastTo(params int[] shape)
    {
        if (Shapes.Equal(Dims, shape)) return this;
        return BroadcastToOp.Instance.Bind(new ShapeParams((int[])shape.Clone()), this);
    }

    /// <summary>Alias of <see cref="BroadcastTo"/> (PyTorch's name).</summary>
    public Tensor Expand(params int[] shape) => BroadcastTo(shape);

    /// <summary>Sums a broadcast tensor back down to <paramref name="shape"/>: the inverse shape map of <see cref="BroadcastTo"/>.</summary>
    public Tensor SumTo(params int[] shape)
    {
        if (Shapes.Equal(Dims, shape)) return this;
        var axes = BroadcastToOp.BroadcastAxes(shape, ShapeArray);
        return Sum(axes, keepDims: true).Reshape(shape);
    }
}
