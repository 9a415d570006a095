using System.Numerics;

namespace Autodiff;

/// <summary>
/// y = a ⋈ b elementwise as a bool tensor, for two float32, float64 or int32 tensors of the same shape and
/// dtype (IEEE semantics: every comparison with NaN is false except ≠). No derivative.
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
        return new OpCase([Tensor.FromArray(a, shape), Tensor.FromArray(b, shape)], OpParams.None);
    });

    /// <summary>y[i] = a[i] ⋈ b[i] over one contiguous chunk.</summary>
    protected abstract void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> y) where T : unmanaged, INumber<T>;

    /// <inheritdoc/>
    protected internal sealed override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (a, b) = (x[0], x[1]);
        Tensor.RequireSameDType(Name, a, b);
        Tensor.RequireSameShape(Name, a, b);
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
        var y = Tensor.Allocate(a.ShapeArray, out bool[] dst);
        ParallelKernel.For(sa.Length, 1, (start, length) =>
            Kernel<T>(sa.AsSpan(start, length), sb.AsSpan(start, length), dst.AsSpan(start, length)));
        return y;
    }
}
