namespace Autodiff;

/// <summary>
/// One level of the interpreter stack. The top level sees every <see cref="Primitive.Bind"/>; it passes the
/// op down to the level below (so outer transforms see it too) and adds its own meaning: a tangent (JVP)
/// or a tape entry (VJP). Below the bottom level, ops are simply evaluated.
/// </summary>
/// <remarks>
/// Levels are created by transforms, one per call, and identify their own tensors by reference: a tensor
/// tracked by one level is invisible to another, which is what rules out perturbation confusion.
/// The stack lives in an <see cref="AsyncLocal{T}"/>, so threads and async flows never share it.
/// </remarks>
internal abstract class Interpreter(Interpreter? parent)
{
    private static readonly AsyncLocal<Interpreter?> CurrentLevel = new();

    /// <summary>The level below this one; null when ops below are simply evaluated.</summary>
    public Interpreter? Parent { get; } = parent;

    /// <summary>The current top of the stack, or null when nothing is being transformed.</summary>
    public static Interpreter? Current => CurrentLevel.Value;

    /// <summary>Applies <paramref name="op"/> at this level; must delegate the primal to <see cref="ApplyBelow"/>.</summary>
    public abstract Tensor Apply(Primitive op, OpParams p, Tensor[] x);

    public static Tensor Bind(Primitive op, OpParams p, Tensor[] x)
    {
        var top = CurrentLevel.Value;
        return top is null ? Evaluate(op, p, x) : top.Apply(op, p, x);
    }

    /// <summary>Applies the op at the levels below this one (evaluating at the bottom).</summary>
    protected Tensor ApplyBelow(Primitive op, OpParams p, Tensor[] x) =>
        Parent is null ? Evaluate(op, p, x) : Parent.Apply(op, p, x);

    private static Tensor Evaluate(Primitive op, OpParams p, Tensor[] x)
    {
        var y = op.Evaluate(x, p);
        // Kernels read input arrays, not tensors: the inputs must stay reachable until the kernel is done, or a
        // storage's reclaimer could give an array back to the pool while it is still being read.
        GC.KeepAlive(x);
        foreach (var input in x)
            if (ReferenceEquals(input, y))
                throw new InvalidOperationException($"{op.Name}: kernel returned its input object; primitives must return a fresh tensor");
        return y;
    }

    /// <summary>Runs <paramref name="body"/> with <paramref name="level"/> as the top of the stack, restoring the old top after.</summary>
    public static T RunWith<T>(Interpreter? level, Func<T> body)
    {
        var saved = CurrentLevel.Value;
        CurrentLevel.Value = level;
        try
        {
            return body();
        }
        finally
        {
            CurrentLevel.Value = saved;
        }
    }

    /// <summary>Runs a derivative rule so that only the levels below this one see its ops.</summary>
    protected T RunBelow<T>(Func<T> rule) => RunWith(Parent, rule);

    /// <summary>Checks a rule's output against the primal it belongs to, naming the op when a rule is wrong.</summary>
    protected static void CheckLike(Primitive op, string what, Tensor derivative, Tensor primal)
    {
        if (!Shapes.Equal(derivative.Dims, primal.Dims) || derivative.DType != primal.DType)
            throw new InvalidOperationException(
                $"{op.Name}: {what} rule returned {derivative.DType.Name()} {derivative.ShapeText} for a primal of {primal.DType.Name()} {primal.ShapeText}");
    }
}
