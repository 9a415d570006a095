namespace Autodiff;

/// <summary>Parameters holding a set of axes (sorted, non-negative, distinct).</summary>
public sealed record AxesParams(int[] Axes) : OpParams
{
    /// <inheritdoc/>
    public override string ToString() => $"AxesParams {{ Axes = [{string.Join(", ", Axes)}] }}";
}

/// <summary>y = x with the order of elements reversed along some axes. Linear and its own transpose: VJP flips gy, JVP flips tx.</summary>
public sealed class FlipOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly FlipOp Instance = new();

    private FlipOp() : base("flip") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(AxesParams);

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x of any shape, any subset of its axes", s =>
    {
        var shape = s.Shape(0, 3);
        return new OpCase([s.Floats(shape, -3, 3)], new AxesParams(s.Axes(shape.Length)));
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var input = x[0];
        var strides = Shapes.Strides(input.Dims);
        var offset = 0;
        foreach (var a in ((AxesParams)p).Axes)
        {
            if (a < 0 || a >= input.Rank)
                throw new ArgumentException($"flip: axis {a} is out of range for {input.DType.Name()} {input.ShapeText}");
            // Start at the last element of the axis and walk it backwards.
            offset += (input.Dims[a] - 1) * strides[a];
            strides[a] = -strides[a];
        }
        return Strided.Gather(input, input.Size == 0 ? 0 : offset, strides, input.ShapeArray);
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => FlipOp.Instance.Bind(p, tx[0]!);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [FlipOp.Instance.Bind(p, gy)];
}

public sealed partial class Tensor
{
    /// <summary>Reverses the order of elements along every axis (numpy's flip with no axis).</summary>
    public Tensor Flip() => Flip(Shapes.AllAxes(Rank));

    /// <summary>Reverses the order of elements along <paramref name="axes"/> (negative counts from the end).</summary>
    public Tensor Flip(params int[] axes) =>
        FlipOp.Instance.Bind(new AxesParams(Shapes.Axes("flip", axes, Rank, Dims)), this);
}
