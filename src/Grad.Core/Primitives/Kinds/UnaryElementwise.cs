using System.Numerics;

namespace Autodiff;

/// <summary>y = f(x) elementwise on a float tensor. A leaf op gives the kernel and dy/dx in tensor ops.</summary>
public abstract class UnaryElementwise(string name) : Primitive(name)
{
    /// <inheritdoc/>
    public sealed override int Arity => 1;

    /// <summary>Computes y = f(x) over one contiguous chunk.</summary>
    protected abstract void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) where T : unmanaged, IFloatingPointIeee754<T>;

    /// <summary>dy/dx elementwise, in tensor ops so that it can itself be differentiated.</summary>
    protected abstract Tensor Derivative(Tensor x, Tensor y, OpParams p);

    /// <inheritdoc/>
    protected internal sealed override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var input = x[0];
        input.RequireFloat(Name);
        return input.DType == DType.Float32 ? Run<float>(input, p) : Run<double>(input, p);
    }

    private Tensor Run<T>(Tensor x, OpParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var src = x.Data<T>();
        var y = Tensor.Allocate(x.ShapeArray, out T[] dst);
        ParallelKernel.For(src.Length, 4, (start, length) => Kernel<T>(src.AsSpan(start, length), dst.AsSpan(start, length), p));
        return y;
    }

    /// <inheritdoc/>
    public sealed override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => tx[0]! * Derivative(x[0], y, p);

    /// <inheritdoc/>
    public sealed override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [gy * Derivative(x[0], y, p)];
}
