using System.Numerics;

namespace Autodiff;

/// <summary>
/// y = g where x &gt; 0, else 0: relu's pullback (and pushforward) as one pass. Fused because the three-op form
/// (compare, cast, multiply) made the CNN's relu backward 7× its forward.
/// ∂y/∂g = [x &gt; 0] (so its own rules are relu_grad again); ∂y/∂x = 0 wherever it is defined, as for any mask.
/// </summary>
public sealed class ReluGradOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly ReluGradOp Instance = new();

    private ReluGradOp() : base("relu_grad") { }

    /// <inheritdoc/>
    public override int Arity => 2;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x in [-3, 3] with |x| >= 0.1, g in [-3, 3], one shape", s =>
    {
        var shape = s.Shape();
        return new OpCase([s.Floats(shape, -3, 3, gap: 0.1), s.Floats(shape, -3, 3)], OpParams.None);
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (input, g) = (x[0], x[1]);
        input.RequireFloat(Name);
        Tensor.RequireSameDType(Name, input, g);
        Tensor.RequireSameShape(Name, input, g);
        return input.DType == DType.Float32 ? Run<float>(input, g) : Run<double>(input, g);
    }

    private static Tensor Run<T>(Tensor input, Tensor gradient) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (x, g) = (input.Data<T>(), gradient.Data<T>());
        var y = Tensor.Allocate(input.ShapeArray, out T[] dst);
        ParallelKernel.For(x.Length, 1, (start, length) =>
        {
            var i = start;
            var end = start + length;
            if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
                for (; i <= end - Vector<T>.Count; i += Vector<T>.Count)
                    Vector.ConditionalSelect(Vector.GreaterThan(new Vector<T>(x, i), Vector<T>.Zero), new Vector<T>(g, i), Vector<T>.Zero).CopyTo(dst, i);
            for (; i < end; i++) dst[i] = x[i] > T.Zero ? g[i] : T.Zero;
        });
        return y;
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => Bind(OpParams.None, x[0], TangentOrZeros(tx, x, 1));

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [Tensor.ZerosLike(x[0]), Bind(OpParams.None, x[0], gy)];

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p, bool[] wanted) =>
        [wanted[0] ? Tensor.ZerosLike(x[0]) : null, wanted[1] ? Bind(OpParams.None, x[0], gy) : null];
}
