namespace Autodiff;

/// <summary>y = x viewed under another shape of the same size (no copy: storage is immutable). VJP: reshape back.</summary>
public sealed class ReshapeOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly ReshapeOp Instance = new();

    private ReshapeOp() : base("reshape") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(ShapeParams);

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("any x; target is a random factorisation of its size", s =>
    {
        var shape = s.Shape(0, 3);
        var size = Shapes.Size(shape);
        var target = new List<int>();
        var rest = size;
        while (rest > 1 && target.Count < 3)
        {
            var divisors = Enumerable.Range(1, rest).Where(d => rest % d == 0).ToArray();
            var d = divisors[s.Int(0, divisors.Length - 1)];
            target.Add(d);
            rest /= d;
        }
        if (rest > 1) target.Add(rest);
        if (s.Coin()) target.Insert(s.Int(0, target.Count), 1);
        return new OpCase([s.Floats(shape, -3, 3)], new ShapeParams([.. target]));
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var target = ((ShapeParams)p).Shape;
        if (Shapes.Size(target) != x[0].Size)
            throw new ArgumentException($"reshape: cannot reshape {x[0].DType.Name()} {x[0].ShapeText} ({x[0].Size} elements) to {Shapes.Format(target)} ({Shapes.Size(target)} elements)");
        return x[0].WithShape(target);
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => tx[0]!.Reshape(((ShapeParams)p).Shape);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [gy.Reshape(x[0].ShapeArray)];
}

public sealed partial class Tensor
{
    /// <summary>The same elements under another shape of the same size; one dimension may be −1 (inferred).</summary>
    public Tensor Reshape(params int[] shape)
    {
        var target = (int[])shape.Clone();
        var inferred = Array.IndexOf(target, -1);
        if (inferred >= 0)
        {
            var known = 1;
            for (var d = 0; d < target.Length; d++)
                if (d != inferred) known *= target[d];
            if (Array.LastIndexOf(target, -1) != inferred || known == 0 || Size % known != 0)
                throw new ArgumentException($"reshape: cannot reshape {DType.Name()} {ShapeText} ({Size} elements) to {Shapes.Format(shape)}");
            target[inferred] = Size / known;
        }
        foreach (var d in target)
            if (d < 0) throw new ArgumentException($"reshape: negative dimension in {Shapes.Format(shape)} for {DType.Name()} {ShapeText}");
        if (Shapes.Equal(Dims, target)) return this;
        return ReshapeOp.Instance.Bind(new ShapeParams(target), this);
    }
}
