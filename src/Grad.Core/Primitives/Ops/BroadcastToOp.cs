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
    public override Type ParamsType => typeof(ShapeParams);

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
        if (!Broadcasts(x.Dims, target))
            throw new ArgumentException($"broadcast_to: cannot broadcast {x.DType.Name()} {x.ShapeText} to {Shapes.Format(target)}");
    }

    /// <summary>Whether numpy's rules broadcast shape <paramref name="from"/> to shape <paramref name="target"/>.</summary>
    internal static bool Broadcasts(ReadOnlySpan<int> from, ReadOnlySpan<int> target)
    {
        if (target.Length < from.Length) return false;
        foreach (var t in target)
            if (t < 0) return false;
        for (var d = 0; d < from.Length; d++)
        {
            var (i, t) = (from[d], target[target.Length - from.Length + d]);
            if (i != t && i != 1) return false;
        }
        return true;
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

    /// <summary>Sums a broadcast tensor back down to <paramref name="shape"/>, which must broadcast to this one's: the inverse shape map of <see cref="BroadcastTo"/>.</summary>
    public Tensor SumTo(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (Shapes.Equal(Dims, shape)) return this;
        if (!BroadcastToOp.Broadcasts(shape, Dims))
            throw new ArgumentException($"sum_to: cannot sum {DType.Name()} {ShapeText} down to {Shapes.Format(shape)}: that shape does not broadcast to {ShapeText}");
        var axes = BroadcastToOp.BroadcastAxes(shape, ShapeArray);
        return Sum(axes, keepDims: true).Reshape(shape);
    }
}
