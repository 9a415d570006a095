using System.Numerics;

namespace Autodiff;

/// <summary>
/// y = f(a, b) elementwise on two float tensors of the same dtype and either the same shape, or one of them a scalar
/// (rank 0) that applies to every element of the other — so <c>0.9 * m</c> costs one pass and no broadcast copy. Any
/// other broadcasting is an explicit <c>BroadcastTo</c> inserted by the public operators. Subclasses write their rules
/// for the elementwise case; this class reduces a scalar operand's cotangent with <c>SumTo</c> and broadcasts a
/// scalar-only tangent, so the un-broadcasting stays in one place.
/// </summary>
public abstract class BinaryElementwise(string name) : Primitive(name)
{
    /// <inheritdoc/>
    public sealed override int Arity => 2;

    /// <summary>Computes y = f(a, b) over one contiguous chunk.</summary>
    protected abstract void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Computes y = f(a, b) over one contiguous chunk of a, with the scalar b.</summary>
    protected abstract void Kernel<T>(ReadOnlySpan<T> a, T b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>Computes y = f(a, b) over one contiguous chunk of b, with the scalar a.</summary>
    protected abstract void Kernel<T>(T a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>The JVP when a and b have the same shape as y; a missing tangent is null, as in <see cref="Primitive.Jvp"/>.</summary>
    protected abstract Tensor ElementwiseJvp(Tensor[] x, Tensor?[] tx, Tensor y);

    /// <summary>The cotangents of a and b, each of y's shape, as if neither were a scalar.</summary>
    protected abstract Tensor?[] ElementwiseVjp(Tensor gy, Tensor[] x, Tensor y);

    /// <inheritdoc/>
    public sealed override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) =>
        // With only the scalar operand perturbed, the elementwise rule gives a rank-0 tangent.
        ElementwiseJvp(x, tx, y).BroadcastTo(y.ShapeArray);

    /// <inheritdoc/>
    public sealed override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p)
    {
        var g = ElementwiseVjp(gy, x, y);
        for (var i = 0; i < g.Length; i++) g[i] = g[i]?.SumTo(x[i].ShapeArray);
        return g;
    }

    /// <inheritdoc/>
    protected internal sealed override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (a, b) = (x[0], x[1]);
        a.RequireFloat(Name);
        Tensor.RequireSameDType(Name, a, b);
        Tensor.RequireSameShapeOrScalar(Name, a, b);
        return a.DType == DType.Float32 ? Run<float>(a, b) : Run<double>(a, b);
    }

    private Tensor Run<T>(Tensor a, Tensor b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (sa, sb) = (a.Data<T>(), b.Data<T>());
        if (Shapes.Equal(a.Dims, b.Dims))
        {
            var y = Tensor.Allocate(a.ShapeArray, out T[] dst);
            ParallelKernel.For(sa.Length, 2, (start, length) =>
                Kernel<T>(sa.AsSpan(start, length), sb.AsSpan(start, length), dst.AsSpan(start, length)));
            return y;
        }
        if (b.Rank == 0)
        {
            var scalar = sb[0];
            var y = Tensor.Allocate(a.ShapeArray, out T[] dst);
            ParallelKernel.For(sa.Length, 1, (start, length) => Kernel<T>(sa.AsSpan(start, length), scalar, dst.AsSpan(start, length)));
            return y;
        }
        else
        {
            var scalar = sa[0];
            var y = Tensor.Allocate(b.ShapeArray, out T[] dst);
            ParallelKernel.For(sb.Length, 1, (start, length) => Kernel<T>(scalar, sb.AsSpan(start, length), dst.AsSpan(start, length)));
            return y;
        }
    }
}
