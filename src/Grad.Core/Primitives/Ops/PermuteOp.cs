namespace Autodiff;

/// <summary>Parameters holding a permutation of axes.</summary>
public sealed record PermParams(int[] Perm) : OpParams
{
    /// <inheritdoc/>
    public override string ToString() => $"PermParams {{ Perm = [{string.Join(", ", Perm)}] }}";
}

/// <summary>y = x with axes reordered: y.shape[i] = x.shape[perm[i]]. VJP: the inverse permutation of gy.</summary>
public sealed class PermuteOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly PermuteOp Instance = new();

    private PermuteOp() : base("permute") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(PermParams);

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x of any shape, a random permutation of its axes", s =>
    {
        var shape = s.Shape(0, 4);
        return new OpCase([s.Floats(shape, -3, 3)], new PermParams(s.Permutation(shape.Length)));
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var perm = ((PermParams)p).Perm;
        var input = x[0];
        if (perm.Length != input.Rank || !perm.Order().SequenceEqual(Enumerable.Range(0, input.Rank)))
            throw new ArgumentException($"permute: [{string.Join(", ", perm)}] is not a permutation of the {input.Rank} axes of {input.DType.Name()} {input.ShapeText}");
        var strides = Shapes.Strides(input.Dims);
        return Strided.Gather(input, 0, perm.Select(d => strides[d]).ToArray(), perm.Select(d => input.Dims[d]).ToArray());
    }

    internal static int[] Inverse(int[] perm)
    {
        var inverse = new int[perm.Length];
        for (var i = 0; i < perm.Length; i++) inverse[perm[i]] = i;
        return inverse;
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => tx[0]!.Permute(((PermParams)p).Perm);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [gy.Permute(Inverse(((PermParams)p).Perm))];
}

public sealed partial class Tensor
{
    /// <summary>Reorders axes: result.Shape[i] = Shape[perm[i]] (negative axes count from the end).</summary>
    public Tensor Permute(params int[] perm)
    {
        if (perm.Length != Rank)
            throw new ArgumentException($"permute: permutation [{string.Join(", ", perm)}] has {perm.Length} axes for {DType.Name()} {ShapeText}");
        _ = Shapes.Axes("permute", perm, Rank, Dims); // throws on a repeated axis
        var p = perm.Select(a => Shapes.Axis("permute", a, Rank, Dims)).ToArray();
        var identity = true;
        for (var i = 0; i < p.Length; i++) identity &= p[i] == i;
        if (identity) return this;
        return PermuteOp.Instance.Bind(new PermParams(p), this);
    }

    /// <summary>Reverses the axes (a matrix transpose for rank 2).</summary>
    public Tensor Transpose() => Permute(Enumerable.Range(0, Rank).Reverse().ToArray());

    /// <summary>Swaps two axes.</summary>
    public Tensor SwapAxes(int axis1, int axis2)
    {
        var a = Shapes.Axis("swapaxes", axis1, Rank, Dims);
        var b = Shapes.Axis("swapaxes", axis2, Rank, Dims);
        var perm = Enumerable.Range(0, Rank).ToArray();
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>The matrix transpose of the last two axes (batched), written <c>.mT</c> in PyTorch.</summary>
    public Tensor MT => Rank < 2
        ? throw new ArgumentException($"mT: needs rank ≥ 2, got {DType.Name()} {ShapeText}")
        : SwapAxes(-1, -2);
}
