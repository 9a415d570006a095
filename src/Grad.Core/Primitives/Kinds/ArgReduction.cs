using System.Numerics;

namespace Autodiff;

/// <summary>
/// y = the int32 position, along one axis, of the element that wins a comparison (argmax, argmin); the first
/// one on ties, and the first NaN if there is one, as numpy does. Params: <see cref="ReduceParams"/> with
/// exactly one axis. Not differentiable: the output is an integer.
/// </summary>
public abstract class ArgReduction(string name) : Primitive(name)
{
    /// <inheritdoc/>
    public sealed override int Arity => 1;

    /// <inheritdoc/>
    public sealed override Type ParamsType => typeof(ReduceParams);

    /// <inheritdoc/>
    public sealed override bool IsDifferentiable => false;

    /// <summary>True when <paramref name="candidate"/> should replace <paramref name="best"/> (neither is NaN).</summary>
    protected abstract bool Beats<T>(T candidate, T best) where T : INumber<T>;

    /// <inheritdoc/>
    public sealed override OpDomain Domain { get; } = new("x in [-3, 3] (distinct values), rank ≥ 1, one axis, keepDims either way", s =>
    {
        var shape = s.Shape(1, 3);
        return new OpCase([s.DistinctFloats(shape, -3, 3)], new ReduceParams([s.Int(0, shape.Length - 1)], s.Coin()));
    });

    /// <inheritdoc/>
    protected internal sealed override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var input = x[0];
        var rp = (ReduceParams)p;
        if (rp.Axes.Length != 1 || input.Rank == 0)
            throw new ArgumentException($"{Name}: needs exactly one axis of a tensor of rank ≥ 1, got axes [{string.Join(", ", rp.Axes)}] for {input.DType.Name()} {input.ShapeText}");
        Shapes.RequireNormalAxes(Name, rp.Axes, input);
        if (input.Dims[rp.Axes[0]] == 0 && Shapes.Size(Shapes.Reduced(input.Dims, rp.Axes, keepDims: false)) > 0)
            throw new ArgumentException($"{Name}: axis {rp.Axes[0]} of {input.DType.Name()} {input.ShapeText} is empty; there is no position to return");
        return input.RawData switch
        {
            float[] => Run<float>(input, rp),
            double[] => Run<double>(input, rp),
            int[] => Run<int>(input, rp),
            _ => throw new ArgumentException($"{Name}: needs a float32, float64 or int32 tensor, got {input.DType.Name()} {input.ShapeText}"),
        };
    }

    private Tensor Run<T>(Tensor x, ReduceParams p) where T : unmanaged, INumber<T>
    {
        var rows = ReductionLayout.RowsLast(x, p.Axes, out var rowLength);
        var src = rows.Data<T>();
        var outShape = Shapes.Reduced(x.Dims, p.Axes, p.KeepDims);
        var y = Tensor.Allocate(outShape, out int[] dst);
        ParallelKernel.For(dst.Length, rowLength, (start, count) =>
        {
            for (var i = start; i < start + count; i++) dst[i] = Position(src.AsSpan(i * rowLength, rowLength));
        });
        return y;
    }

    private int Position<T>(ReadOnlySpan<T> row) where T : INumber<T>
    {
        var best = 0;
        if (T.IsNaN(row[0])) return 0;
        for (var i = 1; i < row.Length; i++)
        {
            if (T.IsNaN(row[i])) return i;
            if (Beats(row[i], row[best])) best = i;
        }
        return best;
    }

    /// <inheritdoc/>
    public sealed override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) =>
        throw new InvalidOperationException($"{Name}: has no JVP; its int32 output carries no derivative");

    /// <inheritdoc/>
    public sealed override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [null];
}
