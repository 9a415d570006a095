using System.Numerics;

namespace Autodiff;

/// <summary>y = the int32 index of the largest element along one axis (the first on ties); not differentiable.</summary>
public sealed class ArgMaxOp : ArgReduction
{
    /// <summary>The single instance.</summary>
    public static readonly ArgMaxOp Instance = new();

    private ArgMaxOp() : base("argmax") { }

    /// <inheritdoc/>
    protected override bool Beats<T>(T candidate, T best) => candidate > best;
}

public sealed partial class Tensor
{
    /// <summary>The int32 flat index of the largest element (the first on ties), as a scalar.</summary>
    public Tensor ArgMax() => Reshape(-1).ArgMax(0);

    /// <summary>The int32 index of the largest element along <paramref name="axis"/> (the first on ties); the axis stays as size 1 when <paramref name="keepDims"/>.</summary>
    public Tensor ArgMax(int axis, bool keepDims = false) =>
        ArgMaxOp.Instance.Bind(new ReduceParams([Shapes.Axis("argmax", axis, Rank, Dims)], keepDims), this);
}
