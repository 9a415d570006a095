using System.Numerics;
using System.Numerics.Tensors;

namespace Autodiff;

/// <summary>
/// y = x − m − log Σ exp(x − m) along one axis, m the max of that axis (fused so that no exp overflows);
/// VJP gx = gy − exp(y)·Σ gy, JVP ty = tx − Σ exp(y)·tx (sums along the axis).
/// </summary>
public sealed class LogSoftmaxOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly LogSoftmaxOp Instance = new();

    private LogSoftmaxOp() : base("log_softmax") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(AxisParams);

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x in [-3, 3], rank ≥ 1, one axis", s =>
    {
        var shape = s.Shape(1, 3);
        return new OpCase([s.Floats(shape, -3, 3)], new AxisParams(s.Int(0, shape.Length - 1)));
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var input = x[0];
        input.RequireFloat(Name);
        var axis = ((AxisParams)p).Axis;
        if (axis < 0 || axis >= input.Rank)
            throw new ArgumentException($"log_softmax: axis {axis} is out of range for {input.DType.Name()} {input.ShapeText}");
        return input.DType == DType.Float32 ? Run<float>(input, axis) : Run<double>(input, axis);
    }

    private static Tensor Run<T>(Tensor x, int axis) where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Element (o, k, i) of the [outer, n, inner] view sits at (o·n + k)·inner + i; each (o, i) is one line.
        var n = x.Dims[axis];
        var inner = Shapes.Size(x.Dims[(axis + 1)..]);
        var src = x.Data<T>();
        var y = Tensor.Allocate(x.ShapeArray, out T[] dst);
        var lines = n == 0 ? 0 : src.Length / n;
        ParallelKernel.For(lines, 4 * n, (start, count) =>
        {
            if (inner == 1)
            {
                var exps = new T[n];
                for (var line = start; line < start + count; line++) Contiguous(src.AsSpan(line * n, n), dst.AsSpan(line * n, n), exps);
                return;
            }
            for (var line = start; line < start + count; line++)
            {
                var (o, i) = Math.DivRem(line, inner);
                var first = o * n * inner + i;
                var m = src[first];
                for (var k = 1; k < n; k++) m = T.Max(m, src[first + k * inner]);
                m = Shift(m);
                var sum = T.Zero;
                for (var k = 0; k < n; k++) sum += T.Exp(src[first + k * inner] - m);
                var logSum = T.Log(sum);
                for (var k = 0; k < n; k++) dst[first + k * inner] = src[first + k * inner] - m - logSum;
            }
        });
        return y;
    }

    /// <summary>One line along the last axis, with vectorised primitives: y = (x − m) − log Σ exp(x − m).</summary>
    private static void Contiguous<T>(ReadOnlySpan<T> x, Span<T> y, Span<T> exps) where T : unmanaged, IFloatingPointIeee754<T>
    {
        TensorPrimitives.Subtract(x, Shift(TensorPrimitives.Max(x)), y);
        TensorPrimitives.Exp(y, exps);
        TensorPrimitives.Subtract(y, T.Log(TensorPrimitives.Sum<T>(exps)), y);
    }

    /// <summary>The max to subtract; an infinite max (all −∞, or a +∞) cannot be subtracted, and shifting by 0 is as good as any.</summary>
    private static T Shift<T>(T max) where T : IFloatingPointIeee754<T> => T.IsFinite(max) ? max : T.Zero;

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p)
    {
        var axis = ((AxisParams)p).Axis;
        return tx[0]! - (y.Exp() * tx[0]!).Sum([axis], keepDims: true);
    }

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p)
    {
        var axis = ((AxisParams)p).Axis;
        return [gy - y.Exp() * gy.Sum([axis], keepDims: true)];
    }
}

public sealed partial class Tensor
{
    /// <summary>log softmax along <paramref name="axis"/>: x − log Σ exp(x), computed stably (finite for inputs like ±1e4).</summary>
    public Tensor LogSoftmax(int axis = -1) =>
        LogSoftmaxOp.Instance.Bind(new AxisParams(Shapes.Axis("log_softmax", axis, Rank, Dims)), this);
}
