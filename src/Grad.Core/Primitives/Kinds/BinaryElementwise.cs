using System.Numerics;

namespace Autodiff;

/// <summary>
/// y = f(a, b) elementwise on two float tensors of the same shape and dtype. Primitives do not broadcast:
/// the public operators insert an explicit <c>BroadcastTo</c>, whose VJP is the one place un-broadcasting lives.
/// </summary>
public abstract class BinaryElementwise(string name) : Primitive(name)
{
    /// <inheritdoc/>
    public sealed override int Arity => 2;

    /// <summary>Computes y = f(a, b) over one contiguous chunk.</summary>
    protected abstract void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> y) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <inheritdoc/>
    protected internal sealed override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (a, b) = (x[0], x[1]);
        a.RequireFloat(Name);
        Tensor.RequireSameDType(Name, a, b);
        Tensor.RequireSameShape(Name, a, b);
        return a.DType == DType.Float32 ? Run<float>(a, b) : Run<double>(a, b);
    }

    private Tensor Run<T>(Tensor a, Tensor b) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (sa, sb) = (a.Data<T>(), b.Data<T>());
        var y = Tensor.Allocate(a.ShapeArray, out T[] dst);
        ParallelKernel.For(sa.Length, 2, (start, length) =>
            Kernel<T>(sa.AsSpan(start, length), sb.AsSpan(start, length), dst.AsSpan(start, length)));
        return y;
    }
}
