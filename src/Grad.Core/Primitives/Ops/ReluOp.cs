using System.Numerics;
using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>y = max(x, 0);  dy/dx = 1 where x &gt; 0, else 0 (0 at the kink, as in JAX), applied by <see cref="ReluGradOp"/>.</summary>
public sealed class ReluOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly ReluOp Instance = new();

    private ReluOp() : base("relu") { }

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3, 3, gap: 0.1);

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var input = x[0];
        input.RequireFloat(Name);
        return input.DType == DType.Float32 ? Run<float>(input) : Run<double>(input);
    }

    private static Tensor Run<T>(Tensor input) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var src = input.Data<T>();
        var y = Tensor.Allocate(input.ShapeArray, out T[] dst);
        ParallelKernel.For(src.Length, 1, (start, length) => TensorPrimitives.Max(src.AsSpan(start, length), T.Zero, dst.AsSpan(start, length)));
        return y;
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => ReluGradOp.Instance.Bind(OpParams.None, x[0], tx[0]!);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [ReluGradOp.Instance.Bind(OpParams.None, x[0], gy)];
}

public sealed partial class Tensor
{
    /// <summary>Elementwise rectified linear unit, max(x, 0).</summary>
    public Tensor Relu() => ReluOp.Instance.Bind(OpParams.None, this);
}
