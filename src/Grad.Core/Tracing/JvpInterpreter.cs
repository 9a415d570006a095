namespace Autodiff;

/// <summary>Forward mode: carries a tangent for each tensor that depends on this level's inputs.</summary>
internal sealed class JvpInterpreter(Interpreter? parent) : Interpreter(parent)
{
    private readonly Dictionary<Tensor, Tensor> _tangents = new(ReferenceEqualityComparer.Instance);

    // Threads started inside the function inherit this level (the stack is an AsyncLocal) and bind ops on it at once.
    private readonly Lock _gate = new();

    public void Seed(Tensor primal, Tensor tangent)
    {
        lock (_gate) _tangents[primal] = tangent;
    }

    /// <summary>The tangent of <paramref name="primal"/> at this level, or null where it does not depend on the inputs.</summary>
    public Tensor? TangentOf(Tensor primal)
    {
        lock (_gate) return _tangents.GetValueOrDefault(primal);
    }

    public override Tensor Apply(Primitive op, OpParams p, Tensor[] x)
    {
        var y = ApplyBelow(op, p, x);
        if (!op.IsDifferentiable || !y.DType.IsFloat()) return y;

        Tensor?[]? tx = null;
        lock (_gate)
        {
            for (var i = 0; i < x.Length; i++)
            {
                if (_tangents.TryGetValue(x[i], out var t))
                {
                    tx ??= new Tensor?[x.Length];
                    tx[i] = t;
                }
            }
        }
        if (tx is null) return y;

        var ty = RunBelow(() => op.Jvp(x, tx, y, p));
        CheckLike(op, "JVP", ty, y);
        Seed(y, ty);
        return y;
    }
}
