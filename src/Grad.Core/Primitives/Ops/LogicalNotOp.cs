namespace Autodiff;

/// <summary>y = ¬x elementwise on a bool mask; no derivative.</summary>
public sealed class LogicalNotOp : NonDifferentiable
{
    /// <summary>The single instance.</summary>
    public static readonly LogicalNotOp Instance = new();

    private LogicalNotOp() : base("logical_not") { }

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("x a random bool mask", s => new OpCase([s.Bools(s.Shape())], OpParams.None));

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var input = x[0];
        if (input.DType != DType.Bool)
            throw new ArgumentException($"{Name}: needs a bool tensor, got {input.DType.Name()} {input.ShapeText}; compare first (e.g. x.Gt(0)) to make a mask");
        var src = input.Data<bool>();
        var y = Tensor.Allocate(input.ShapeArray, out bool[] dst);
        for (var i = 0; i < dst.Length; i++) dst[i] = !src[i];
        return y;
    }
}

public sealed partial class Tensor
{
    /// <summary>Elementwise logical not of a bool mask.</summary>
    public Tensor Not() => LogicalNotOp.Instance.Bind(OpParams.None, this);
}
