namespace Autodiff;

/// <summary>
/// A primitive operation: a forward kernel plus JVP and VJP rules written in differentiable tensor ops.
/// Everything differentiable in the library is built from primitives; transforms only ever see primitives.
/// </summary>
/// <remarks>
/// Each primitive must return a fresh <see cref="Tensor"/> object from <see cref="Evaluate"/> (storage may
/// be shared), because transforms key tangents and cotangents by tensor identity.
/// </remarks>
public abstract class Primitive(string name)
{
    /// <summary>The op's name as used in error messages, e.g. <c>matmul</c>.</summary>
    public string Name { get; } = name;

    /// <summary>The number of tensor inputs, or -1 for a variadic op such as concat.</summary>
    public abstract int Arity { get; }

    /// <summary>The type of <see cref="OpParams"/> the op reads; <see cref="Bind"/> rejects any other.</summary>
    public virtual Type ParamsType => typeof(OpParams);

    /// <summary>False for ops whose output carries no derivative (comparisons, argmax).</summary>
    public virtual bool IsDifferentiable => true;

    /// <summary>
    /// Where the op's inputs may be drawn from for checking its derivatives, or null if the op
    /// declares none (the registry test fails for such an op).
    /// </summary>
    public abstract OpDomain? Domain { get; }

    /// <summary>Runs the kernel on concrete inputs. Called only by the evaluating interpreter.</summary>
    protected internal abstract Tensor Evaluate(Tensor[] x, OpParams p);

    /// <summary>
    /// The tangent of the output given tangents of the inputs. A null tangent is a zero tangent
    /// (always null for int and bool inputs). Written in tensor ops so it can itself be differentiated.
    /// </summary>
    public abstract Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p);

    /// <summary>
    /// The cotangents of the inputs given the cotangent <paramref name="gy"/> of the output; null where an
    /// input has no derivative (int and bool inputs). Written in tensor ops so it can itself be differentiated.
    /// </summary>
    public abstract Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p);

    /// <summary>
    /// <see cref="Vjp(Tensor, Tensor[], Tensor, OpParams)"/> when only the inputs flagged in <paramref name="wanted"/>
    /// need a cotangent (the others may come back null). Reverse mode calls this one, so an op whose cotangents
    /// are expensive and separable (matmul: one product each) can skip work nobody reads.
    /// </summary>
    public virtual Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p, bool[] wanted) => Vjp(gy, x, y, p);

    /// <summary>Applies the op through the current interpreter stack (evaluation, JVP, VJP, nested).</summary>
    public Tensor Bind(OpParams p, params Tensor[] x)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (!ParamsType.IsInstanceOfType(p))
            throw new ArgumentException($"{Name}: takes parameters of type {ParamsType.Name}, got {p.GetType().Name}");
        ArgumentNullException.ThrowIfNull(x);
        if (Arity >= 0 && x.Length != Arity)
            throw new ArgumentException($"{Name}: takes {Arity} inputs, got {x.Length}");
        for (var i = 0; i < x.Length; i++)
            if (x[i] is null) throw new ArgumentNullException(nameof(x), $"{Name}: input {i} of {x.Length} is null");
        // A copy: a tape keeps the inputs until its pullback runs, and the caller's array (Concat's, a custom
        // VJP's arguments) may be reused and overwritten in the meantime.
        return Interpreter.Bind(this, p, [.. x]);
    }

    /// <inheritdoc/>
    public override string ToString() => Name;

    /// <summary>Materialises a null (zero) tangent as zeros shaped like its primal.</summary>
    protected static Tensor TangentOrZeros(Tensor?[] tx, Tensor[] x, int i) => tx[i] ?? Tensor.ZerosLike(x[i]);
}

/// <summary>Static parameters of one application of a primitive (axes, shapes, constants). Records, so they print.</summary>
public record OpParams
{
    /// <summary>No parameters.</summary>
    public static readonly OpParams None = new();
}

/// <summary>Parameters holding one constant, e.g. a scalar exponent or a leaky-relu slope.</summary>
public sealed record ScalarParams(double Value) : OpParams;

/// <summary>Parameters holding one axis.</summary>
public sealed record AxisParams(int Axis) : OpParams;

/// <summary>Parameters holding a target shape.</summary>
public sealed record ShapeParams(int[] Shape) : OpParams
{
    /// <inheritdoc/>
    public override string ToString() => $"ShapeParams {{ Shape = {Shapes.Format(Shape)} }}";
}

/// <summary>Parameters of a reduction: sorted, non-negative axes and whether reduced axes are kept as size 1.</summary>
public sealed record ReduceParams(int[] Axes, bool KeepDims) : OpParams
{
    /// <inheritdoc/>
    public override string ToString() => $"ReduceParams {{ Axes = [{string.Join(", ", Axes)}], KeepDims = {KeepDims} }}";
}
