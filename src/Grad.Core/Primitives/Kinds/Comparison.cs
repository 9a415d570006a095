using System.Numerics;

namespace Autodiff;

/// <summary>
/// y = a ⋈ b elementwise as a bool tensor, for two float32, float64 or int32 tensors of the same dtype and either the
/// same shape or one of them a scalar (rank 0) compared with every element of the other, so that <c>x &gt; 0</c> makes
/// no broadcast copy (IEEE semantics: every comparison with NaN is false except ≠). No derivative.
/// </summary>
public abstract class Comparison(string name) : NonDifferentiable(name)
{
    /// <inheritdoc/>
    public sealed override int Arity => 2;

    /// <inheritdoc/>
    /// <remarks>About half the pairs are ties, so that ≥, ≤, = and ≠ are exercised where they differ from &gt; and &lt;.</remarks>
    public sealed override OpDomain Domain { get; } = new("a, b in [-3, 3] of one shape, about half the pairs equal", s =>
    {
        var shape = s.Shape();
        var a = s.Floats(shape, -3, 3).ToArray<double>();
        var b = s.Floats(shape, -3, 3).ToArray<double>();
        for (var i = 0; i < b.Length; i++)
            if (s.Coin()) b[i] = a[i];
        // One case in four compares with a scalar: one of the other operand's values, so ties still occur.
        return s.Int(0, 7) switch
        {
            0 => new OpCase([Tensor.Scalar(b[0], DType.Float64), Tensor.FromArray(b, shape)], OpParams.None),
            1 => new OpCase([Tensor.FromArray(a, shape), Tensor.Scalar(a[0], DType.Float64)], OpParams.None),
            _ => new OpCase([Tensor.FromArray(a, shape), Tensor.FromArray(b, shape)], OpParams.None),
        };
    });

    /// <summary>y[i] = a[i] ⋈ b[i] over one contiguous chunk.</summary>
    protected abstract void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> y) where T : unmanaged, INumber<T>;

    /// <inheritdoc/>
    protected internal sealed override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (a, b) = (x[0], x[1]);
        Tensor.RequireSameDType(Name, a, b);
        Tensor.RequireSameShapeOrScalar(Name, a, b);
        return a.DType switch
        {
            DType.Float32 => Run<float>(a, b),
            DType.Float64 => Run<double>(a, b),
            DType.Int32 => Run<int>(a, b),
            _ => throw new ArgumentException($"{Name}: compares float32, float64 or int32 tensors, got {a.DType.Name()} {a.ShapeText} and {b.DType.Name()} {b.ShapeText}; use And/Or/Not on bool masks"),
        };
    }

    private Tensor Run<T>(Tensor a, Tensor b) where T : unmanaged, INumber<T>
    {
        var (sa, sb) = (a.Data<T>(), b.Data<T>());
        if (Shapes.Equal(a.Dims, b.Dims))
        {
            var same = Tensor.Allocate(a.ShapeArray, out bool[] dst);
            ParallelKernel.For(sa.Length, 1, (start, length) =>
                Kernel<T>(sa.AsSpan(start, length), sb.AsSpan(start, length), dst.AsSpan(start, length)));
            return same;
        }
        var scalarIsB = b.Rank == 0;
        var (full, scalar) = scalarIsB ? (sa, sb[0]) : (sb, sa[0]);
        var y = Tensor.Allocate(scalarIsB ? a.ShapeArray : b.ShapeArray, out bool[] result);
        ParallelKernel.For(full.Length, 1, (start, length) =>
        {
            // The scalar repeated over a small block stands in for the other operand, so each comparison keeps one kernel.
            Span<T> repeated = stackalloc T[Math.Min(length, Block)];
            repeated.Fill(scalar);
            for (var i = start; i < start + length; i += Block)
            {
                var n = Math.Min(Block, start + length - i);
                if (scalarIsB) Kernel<T>(full.AsSpan(i, n), repeated[..n], result.AsSpan(i, n));
                else Kernel<T>(repeated[..n], full.AsSpan(i, n), result.AsSpan(i, n));
            }
        });
        return y;
    }

    private const int Block = 512;
}
