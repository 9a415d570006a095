namespace Autodiff;

/// <summary>
/// An op whose output carries no derivative (comparisons, logical ops). Transforms never track its output,
/// so a mask built from it is a constant; its rules exist only to say so.
/// </summary>
public abstract class NonDifferentiable(string name) : Primitive(name)
{
    /// <inheritdoc/>
    public sealed override bool IsDifferentiable => false;

    /// <inheritdoc/>
    public sealed override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) =>
        throw new InvalidOperationException($"{Name}: has no derivative (its {y.DType.Name()} {y.ShapeText} output is a constant to every transform)");

    /// <summary>No input receives a cotangent: one null per input.</summary>
    public sealed override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => new Tensor?[x.Length];
}
