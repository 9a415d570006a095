namespace Autodiff;

/// <summary>y = x, as a new tensor object. Transforms use it to give each input leaf an identity of its own.</summary>
public sealed class IdentityOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly IdentityOp Instance = new();

    private IdentityOp() : base("identity") { }

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("any tensor", s => new OpCase([s.Floats(s.Shape(), -3, 3)], OpParams.None));

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p) => x[0].Alias();

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => tx[0]!;

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => [gy];
}
