using System.Numerics;
using System.Runtime.CompilerServices;

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

    /// <summary>Elements per block: every element goes through the kernel in a block of this size (or in the tensor's last block).</summary>
    private const int Block = 256;

    private Tensor Run<T>(Tensor x, OpParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var src = x.Data<T>();
        var y = Tensor.Allocate(x.ShapeArray, out T[] dst);
        if (RunsInAlignedBlocks)
            ParallelKernel.For(src.Length, 4, (start, length) => Blocks<T>(src.AsSpan(start, length), dst.AsSpan(start, length), p), Block);
        else
            ParallelKernel.For(src.Length, 4, (start, length) => Kernel<T>(src.AsSpan(start, length), dst.AsSpan(start, length), p));
        return y;
    }

    /// <summary>
    /// Whether the kernel must see its elements in blocks at fixed, aligned offsets (see <see cref="Blocks"/>) to
    /// give results that do not depend on the thread count. Costs two copies through L1: 15–70% on exp, so only
    /// kernels measured to need it say yes.
    /// </summary>
    protected virtual bool RunsInAlignedBlocks => false;

    /// <summary>
    /// Runs the kernel block by block on copies in a 64-byte-aligned scratch. Why: TensorPrimitives' float64 sin
    /// and cos round some elements differently depending on the buffer's address and on where a span ends
    /// (measured: cos differed in 375 of 16,384 elements when the same values moved by 8–56 bytes, and sin
    /// differed between 1 and 2 threads). With blocks at fixed offsets from the tensor's start, each element is
    /// computed the same way whatever the thread count and wherever the buffers lie.
    /// </summary>
    private unsafe void Blocks<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        const int Alignment = 64;
        var lanes = Alignment / sizeof(T);
        Span<T> raw = stackalloc T[2 * Block + lanes];
        var misalignment = (int)((nint)Unsafe.AsPointer(ref raw[0]) % Alignment) / sizeof(T);
        var scratch = raw.Slice(misalignment == 0 ? 0 : lanes - misalignment, 2 * Block);
        var input = scratch[..Block];
        var output = scratch[Block..];
        for (var start = 0; start < x.Length; start += Block)
        {
            var length = Math.Min(Block, x.Length - start);
            x.Slice(start, length).CopyTo(input);
            Kernel<T>(input[..length], output[..length], p);
            output[..length].CopyTo(y.Slice(start, length));
        }
    }

    /// <inheritdoc/>
    public sealed override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => tx[0]! * Derivative(x[0], y, p);

    /// <inheritdoc/>
    public sealed override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [gy * Derivative(x[0], y, p)];
}
