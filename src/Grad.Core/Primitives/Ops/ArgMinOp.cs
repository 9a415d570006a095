using System.Numerics;

namespace Autodiff;

/// <summary>y = the int32 index of the smallest element along one axis (the first on ties); not differentiable.</summary>
public sealed class ArgMinOp : ArgReduction
{
    /// <summary>The single instance.</summary>
    public static readonly ArgMinOp Instance = new();

    private ArgMinOp() : base("argmin") { }

    /// <inheritdoc/>
    protected override bool Beats<T>(T candidate, T best) => candidate < best;
}

public sealed partial class Tensor
{
    /// <summary>The int32 flat index of the smallest element (the first on ties), as a scalar.</summary>
    public Tensor ArgMin() => Reshape(-1).ArgMin(0);

    /// <summary>The int32 index of the smallest element along <paramref name="axis"/> (the first on ties); the axis stays as size 1 when <paramref name="keepDims"/>.</summary>
    public Tensor ArgMin(int axis, bool keepDims = false) =>
        ArgMinOp.Instance.Bind(new ReduceParams([Shapes.Axis("argmin", axis, Rank, Dims)], keepDims), this);
}
