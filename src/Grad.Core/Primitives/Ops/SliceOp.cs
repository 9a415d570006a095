namespace Autodiff;

/// <summary>Per-axis slice bounds: start (inclusive), stop (exclusive), step (positive), already clamped.</summary>
public sealed record SliceParams(int[] Starts, int[] Stops, int[] Steps) : OpParams
{
    /// <summary>The length of the result along axis <paramref name="d"/>.</summary>
    public int Length(int d) => Math.Max(0, (Stops[d] - Starts[d] + Steps[d] - 1) / Steps[d]);

    /// <inheritdoc/>
    public override string ToString() => $"SliceParams {{ {string.Join(", ", Starts.Select((s, d) => $"{s}:{Stops[d]}:{Steps[d]}"))} }}";
}

/// <summary>y = x[start:stop:step] on every axis. VJP: gy padded back into zeros (interior padding for steps); JVP: slice of the tangent.</summary>
public sealed class SliceOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly SliceOp Instance = new();

    private SliceOp() : base("slice") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(SliceParams);

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x of rank ≥ 1; random in-range start < stop, step 1 to 3 on each axis", s =>
    {
        var shape = s.Shape(1, 3, maxDim: 5);
        var starts = new int[shape.Length];
        var stops = new int[shape.Length];
        var steps = new int[shape.Length];
        for (var d = 0; d < shape.Length; d++)
        {
            starts[d] = s.Int(0, shape[d] - 1);
            stops[d] = s.Int(starts[d] + 1, shape[d]);
            steps[d] = s.Int(1, 3);
        }
        return new OpCase([s.Floats(shape, -3, 3)], new SliceParams(starts, stops, steps));
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var sp = (SliceParams)p;
        var input = x[0];
        if (sp.Starts.Length != input.Rank)
            throw new ArgumentException($"slice: {sp.Starts.Length} axes of bounds for {input.DType.Name()} {input.ShapeText}");
        var strides = Shapes.Strides(input.Dims);
        var offset = 0;
        var outShape = new int[input.Rank];
        var outStrides = new int[input.Rank];
        for (var d = 0; d < input.Rank; d++)
        {
            if (sp.Steps[d] <= 0 || sp.Starts[d] < 0 || sp.Stops[d] > input.Dims[d])
                throw new ArgumentException($"slice: bounds {sp} out of range for {input.DType.Name()} {input.ShapeText}");
            outShape[d] = sp.Length(d);
            offset += outShape[d] > 0 ? sp.Starts[d] * strides[d] : 0;
            outStrides[d] = strides[d] * sp.Steps[d];
        }
        return Strided.Gather(input, offset, outStrides, outShape);
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => SliceOp.Instance.Bind(p, tx[0]!);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p)
    {
        var sp = (SliceParams)p;
        var rank = x[0].Rank;
        var low = new int[rank];
        var high = new int[rank];
        var interior = new int[rank];
        for (var d = 0; d < rank; d++)
        {
            var n = sp.Length(d);
            var dim = x[0].Dims[d];
            if (n == 0)
            {
                (low[d], high[d], interior[d]) = (dim, 0, 0);
                continue;
            }
            low[d] = sp.Starts[d];
            interior[d] = sp.Steps[d] - 1;
            high[d] = dim - (sp.Starts[d] + (n - 1) * sp.Steps[d] + 1);
        }
        return [PadOp.Instance.Bind(new PadParams(low, high, interior, 0), gy)];
    }
}

public sealed partial class Tensor
{
    /// <summary>
    /// Elements <paramref name="start"/> to <paramref name="stop"/> (exclusive) every <paramref name="step"/> along
    /// <paramref name="axis"/>, with Python's rules: negative indices count from the end, bounds are clamped.
    /// </summary>
    public Tensor Slice(int axis, int start, int? stop = null, int step = 1)
    {
        var a = Shapes.Axis("slice", axis, Rank, Dims);
        if (step <= 0) throw new ArgumentException($"slice: step must be positive, got {step} (use Flip to reverse) for {DType.Name()} {ShapeText}");
        var starts = new int[Rank];
        var stops = Shape;
        var steps = Enumerable.Repeat(1, Rank).ToArray();
        var dim = Dims[a];
        starts[a] = Math.Clamp(start < 0 ? start + dim : start, 0, dim);
        var end = stop ?? dim;
        stops[a] = Math.Clamp(end < 0 ? end + dim : end, starts[a], dim);
        steps[a] = step;
        if (starts[a] == 0 && stops[a] == dim && step == 1) return this;
        return SliceOp.Instance.Bind(new SliceParams(starts, stops, steps), this);
    }

    /// <summary>Splits into pieces of the given sizes along <paramref name="axis"/>; sizes must add up to that dimension.</summary>
    public Tensor[] Split(int[] sizes, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(sizes);
        var a = Shapes.Axis("split", axis, Rank, Dims);
        if (sizes.Sum() != Dims[a] || sizes.Any(s => s < 0))
            throw new ArgumentException($"split: sizes [{string.Join(", ", sizes)}] do not add up to dimension {a} of {DType.Name()} {ShapeText}");
        var result = new Tensor[sizes.Length];
        var start = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            result[i] = Slice(a, start, start + sizes[i]);
            start += sizes[i];
        }
        return result;
    }

    /// <summary>Splits into <paramref name="sections"/> equal pieces along <paramref name="axis"/>.</summary>
    public Tensor[] Split(int sections, int axis = 0)
    {
        var a = Shapes.Axis("split", axis, Rank, Dims);
        if (sections <= 0 || Dims[a] % sections != 0)
            throw new ArgumentException($"split: dimension {a} of {DType.Name()} {ShapeText} does not divide into {sections} equal sections");
        return Split(Enumerable.Repeat(Dims[a] / sections, sections).ToArray(), a);
    }
}
