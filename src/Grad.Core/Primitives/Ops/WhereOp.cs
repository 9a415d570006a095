namespace Autodiff;

/// <summary>y = cond ? a : b (same shapes, cond bool);  ∂y/∂a = cond, ∂y/∂b = ¬cond, no derivative for cond.</summary>
public sealed class WhereOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly WhereOp Instance = new();

    private WhereOp() : base("where") { }

    /// <inheritdoc/>
    public override int Arity => 3;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("cond a random bool mask, a, b in [-3, 3], all of one shape", s =>
    {
        var shape = s.Shape();
        return new OpCase([s.Bools(shape), s.Floats(shape, -3, 3), s.Floats(shape, -3, 3)], OpParams.None);
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (cond, a, b) = (x[0], x[1], x[2]);
        RequireBoolCondition(cond);
        Tensor.RequireSameDType(Name, a, b);
        Tensor.RequireSameShape(Name, a, b);
        Tensor.RequireSameShape(Name, cond, a);
        var c = cond.Data<bool>();
        return (a.RawData, b.RawData) switch
        {
            (float[] fa, float[] fb) => Select(c, fa, fb, a.ShapeArray),
            (double[] da, double[] db) => Select(c, da, db, a.ShapeArray),
            (int[] na, int[] nb) => Select(c, na, nb, a.ShapeArray),
            (bool[] ba, bool[] bb) => Select(c, ba, bb, a.ShapeArray),
            _ => throw new InvalidOperationException($"{Name}: unsupported storage for {a.DType.Name()} {a.ShapeText}"),
        };
    }

    private static Tensor Select<T>(bool[] cond, T[] a, T[] b, int[] shape)
    {
        var y = Tensor.Allocate(shape, out T[] dst);
        for (var i = 0; i < dst.Length; i++) dst[i] = cond[i] ? a[i] : b[i];
        return y;
    }

    internal static void RequireBoolCondition(Tensor cond)
    {
        if (cond.DType != DType.Bool)
            throw new ArgumentException($"where: the condition must be a bool mask, got {cond.DType.Name()} {cond.ShapeText}; make one with a comparison such as x.Gt(0)");
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) =>
        Bind(OpParams.None, x[0], TangentOrZeros(tx, x, 1), TangentOrZeros(tx, x, 2));

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p)
    {
        var zeros = Tensor.ZerosLike(gy);
        return [null, Bind(OpParams.None, x[0], gy, zeros), Bind(OpParams.None, x[0], zeros, gy)];
    }
}

public sealed partial class Tensor
{
    /// <summary>Elementwise cond ? a : b, broadcasting all three by numpy's rules; cond must be bool, a and b of one dtype.</summary>
    public static Tensor Where(Tensor cond, Tensor a, Tensor b)
    {
        WhereOp.RequireBoolCondition(cond);
        RequireSameDType(WhereOp.Instance.Name, a, b);
        var ab = Shapes.Broadcast(WhereOp.Instance.Name, a, b);
        var shape = Shapes.Broadcast(WhereOp.Instance.Name, cond.Dims, ab,
            $"condition {cond.ShapeText} and values {Shapes.Format(ab)} ({a.DType.Name()})");
        return WhereOp.Instance.Bind(OpParams.None, cond.BroadcastTo(shape), a.BroadcastTo(shape), b.BroadcastTo(shape));
    }

    /// <summary>Elementwise cond ? a : b where b is a constant of a's dtype; broadcasts cond and a.</summary>
    public static Tensor Where(Tensor cond, Tensor a, double b) => Where(cond, a, ConstantLike(WhereOp.Instance.Name, b, a));

    /// <summary>Elementwise cond ? a : b where a is a constant of b's dtype; broadcasts cond and b.</summary>
    public static Tensor Where(Tensor cond, double a, Tensor b) => Where(cond, ConstantLike(WhereOp.Instance.Name, a, b), b);
}
