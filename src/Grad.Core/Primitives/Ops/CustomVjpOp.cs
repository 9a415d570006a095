namespace Autodiff;

/// <summary>A user function and the reverse-mode rule that replaces its derivative.</summary>
/// <param name="Function">The forward computation; transforms do not look inside it.</param>
/// <param name="Rule">Given (inputs, output, output cotangent), the input cotangents, in tensor ops.</param>
public sealed record CustomVjpParams(Func<Tensor[], Tensor> Function, Func<Tensor[], Tensor, Tensor, Tensor[]> Rule) : OpParams;

/// <summary>
/// y = f(x) for a user function whose VJP is the user's rule (JAX's custom_vjp): for stability fixes,
/// straight-through estimators, gradient clipping inside a graph. The JVP is the true forward-mode
/// derivative of f (the rule is reverse-only, as in JAX).
/// </summary>
public sealed class CustomVjpOp : Primitive
{
    /// <summary>The single instance; the function and rule travel in <see cref="CustomVjpParams"/>.</summary>
    public static readonly CustomVjpOp Instance = new();

    private CustomVjpOp() : base("custom_vjp") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(CustomVjpParams);

    /// <inheritdoc/>
    public override int Arity => -1;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("f(a, b) = sin(a)·b with its hand-written rule", s =>
    {
        var shape = s.Shape();
        var rule = new CustomVjpParams(
            x => x[0].Sin() * x[1],
            (x, y, gy) => [gy * x[1] * x[0].Cos(), gy * x[0].Sin()]);
        return new OpCase([s.Floats(shape, -3, 3), s.Floats(shape, -3, 3)], rule);
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        // Evaluate with no interpreter at all: the rule, not the body, defines the derivative.
        var y = Interpreter.RunWith(null, () => ((CustomVjpParams)p).Function(x));
        // Always a new object: the user's function may return an input or a stored tensor (a table lookup), the same
        // object on every call, and transforms key tangents and cotangents by object.
        return y.Alias();
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p)
    {
        var tangents = x.Select((input, i) => input.DType.IsFloat() ? TangentOrZeros(tx, x, i) : input).ToArray();
        return Grad.Jvp(((CustomVjpParams)p).Function, x, tangents).Tangent;
    }

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p)
    {
        var gx = ((CustomVjpParams)p).Rule(x, y, gy);
        if (gx.Length != x.Length)
            throw new InvalidOperationException($"custom_vjp: the rule returned {gx.Length} cotangents for {x.Length} inputs");
        return gx;
    }
}
