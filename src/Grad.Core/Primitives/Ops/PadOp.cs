namespace Autodiff;

/// <summary>Per-axis padding: before, after, and between elements (interior); non-negative; plus the constant filled in.</summary>
public sealed record PadParams(int[] Low, int[] High, int[] Interior, double Value) : OpParams
{
    /// <inheritdoc/>
    public override string ToString() => $"PadParams {{ {string.Join(", ", Low.Select((l, d) => $"{l}/{High[d]}/{Interior[d]}"))}, Value = {Value} }}";
}

/// <summary>
/// y = x surrounded (and interleaved) by a constant, as XLA's pad. Its transpose is a strided slice, which is
/// why <see cref="SliceOp"/>'s VJP uses it. VJP: slice gy back; JVP: pad the tangent with zeros.
/// </summary>
public sealed class PadOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly PadOp Instance = new();

    private PadOp() : base("pad") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(PadParams);

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x of any shape; low/high 0 to 2, interior 0 to 2, constant in [-1, 1]", s =>
    {
        var shape = s.Shape(0, 3);
        int[] Widths() => shape.Select(_ => s.Int(0, 2)).ToArray();
        return new OpCase([s.Floats(shape, -3, 3)], new PadParams(Widths(), Widths(), Widths(), Math.Round(2 * s.Int(0, 4) / 4.0 - 1, 2)));
    });

    internal static int[] OutShape(Tensor x, PadParams p)
    {
        if (p.Low.Length != x.Rank || p.High.Length != x.Rank || p.Interior.Length != x.Rank)
            throw new ArgumentException($"pad: widths for {p.Low.Length} axes given for {x.DType.Name()} {x.ShapeText}");
        var shape = new int[x.Rank];
        for (var d = 0; d < x.Rank; d++)
        {
            if (p.Low[d] < 0 || p.High[d] < 0 || p.Interior[d] < 0)
                throw new ArgumentException($"pad: widths must be non-negative, got {p} for {x.DType.Name()} {x.ShapeText}");
            var n = x.Dims[d];
            var padded = (long)p.Low[d] + n + (long)Math.Max(n - 1, 0) * p.Interior[d] + p.High[d];
            if (padded > Array.MaxLength)
                throw new ArgumentException($"pad: {p} makes axis {d} of {x.DType.Name()} {x.ShapeText} {padded} long, more than an array can hold");
            shape[d] = (int)padded;
        }
        return shape;
    }

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var pp = (PadParams)p;
        var input = x[0];
        var outShape = OutShape(input, pp);
        var result = Tensor.Full(pp.Value, input.DType, outShape);
        var data = result.RawData;
        var strides = Shapes.Strides(outShape);
        var offset = 0;
        var dstStrides = new int[input.Rank];
        for (var d = 0; d < input.Rank; d++)
        {
            offset += pp.Low[d] * strides[d];
            dstStrides[d] = strides[d] * (pp.Interior[d] + 1);
        }
        switch (input.RawData)
        {
            case float[] f: Strided.Scatter(f, input.ShapeArray, (float[])data, offset, dstStrides); break;
            case double[] v: Strided.Scatter(v, input.ShapeArray, (double[])data, offset, dstStrides); break;
            case int[] n: Strided.Scatter(n, input.ShapeArray, (int[])data, offset, dstStrides); break;
            case bool[] b: Strided.Scatter(b, input.ShapeArray, (bool[])data, offset, dstStrides); break;
        }
        return result;
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => PadOp.Instance.Bind(((PadParams)p) with { Value = 0 }, tx[0]!);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p)
    {
        var pp = (PadParams)p;
        var rank = x[0].Rank;
        var starts = new int[rank];
        var stops = new int[rank];
        var steps = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            var n = x[0].Dims[d];
            starts[d] = n == 0 ? 0 : pp.Low[d];
            steps[d] = pp.Interior[d] + 1;
            stops[d] = n == 0 ? 0 : pp.Low[d] + (n - 1) * steps[d] + 1;
        }
        return [SliceOp.Instance.Bind(new SliceParams(starts, stops, steps), gy)];
    }
}

public sealed partial class Tensor
{
    /// <summary>Pads each axis with <paramref name="widths"/>[d] = (before, after) copies of <paramref name="value"/>.</summary>
    public Tensor Pad((int Before, int After)[] widths, double value = 0)
    {
        ArgumentNullException.ThrowIfNull(widths);
        if (widths.Length != Rank)
            throw new ArgumentException($"pad: {widths.Length} (before, after) pairs given for {DType.Name()} {ShapeText}; need {Rank}");
        return PadOp.Instance.Bind(new PadParams(widths.Select(w => w.Before).ToArray(), widths.Select(w => w.After).ToArray(), new int[Rank], value), this);
    }
}
