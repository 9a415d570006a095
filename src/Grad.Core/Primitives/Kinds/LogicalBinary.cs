namespace Autodiff;

/// <summary>y = a ∘ b elementwise on two bool tensors of the same shape (logical and, or). No derivative.</summary>
public abstract class LogicalBinary(string name) : NonDifferentiable(name)
{
    /// <inheritdoc/>
    public sealed override int Arity => 2;

    /// <inheritdoc/>
    public sealed override OpDomain Domain { get; } = new("a, b random bool masks of one shape", s =>
    {
        var shape = s.Shape();
        return new OpCase([s.Bools(shape), s.Bools(shape)], OpParams.None);
    });

    /// <summary>The truth table: the result for one pair.</summary>
    protected abstract bool Apply(bool a, bool b);

    /// <inheritdoc/>
    protected internal sealed override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (a, b) = (x[0], x[1]);
        if (a.DType != DType.Bool || b.DType != DType.Bool)
            throw new ArgumentException($"{Name}: needs two bool tensors, got {a.DType.Name()} {a.ShapeText} and {b.DType.Name()} {b.ShapeText}; compare first (e.g. x.Gt(0)) to make a mask");
        Tensor.RequireSameShape(Name, a, b);
        var (sa, sb) = (a.Data<bool>(), b.Data<bool>());
        var y = Tensor.Allocate(a.ShapeArray, out bool[] dst);
        for (var i = 0; i < dst.Length; i++) dst[i] = Apply(sa[i], sb[i]);
        return y;
    }
}
