namespace Autodiff;

/// <summary>Elementwise composites built from comparisons and <see cref="Where(Tensor, Tensor, Tensor)"/>; they carry no rules of their own.</summary>
public sealed partial class Tensor
{
    /// <summary>
    /// Elementwise max(a, b) with numpy broadcasting. At ties the gradient is split evenly, ½ to each
    /// operand (JAX's convention for <c>lax.max</c>); NaN in either operand gives NaN.
    /// </summary>
    public static Tensor Maximum(Tensor a, Tensor b) => Extremum("maximum", a, b, larger: true);

    /// <summary>
    /// Elementwise min(a, b) with numpy broadcasting. At ties the gradient is split evenly, ½ to each
    /// operand (JAX's convention for <c>lax.min</c>); NaN in either operand gives NaN.
    /// </summary>
    public static Tensor Minimum(Tensor a, Tensor b) => Extremum("minimum", a, b, larger: false);

    private static Tensor Extremum(string op, Tensor a, Tensor b, bool larger)
    {
        RequireSameDType(op, a, b);
        var shape = Shapes.Broadcast(op, a, b);
        (a, b) = (a.BroadcastTo(shape), b.BroadcastTo(shape));
        var (aWins, bWins) = larger ? (a.Gt(b), a.Lt(b)) : (a.Lt(b), a.Gt(b));
        if (!a.DType.IsFloat()) return Where(bWins, b, a);
        // Neither wins at a tie (or a NaN): the value is a = b (or NaN), and ½a + ½b shares the gradient.
        var tie = 0.5 * a + 0.5 * b;
        return Where(aWins, a, Where(bWins, b, tie));
    }

    /// <summary>
    /// Elementwise min(max(x, lo), hi), as <c>jnp.clip</c>; at x = lo or x = hi the gradient is ½
    /// (see <see cref="Maximum"/>). Requires lo ≤ hi.
    /// </summary>
    public Tensor Clamp(double min, double max)
    {
        if (!(min <= max))
            throw new ArgumentException($"clamp: needs min <= max, got min = {min} and max = {max} for a {DType.Name()} {ShapeText} tensor");
        return Minimum(Maximum(this, ConstantLike("clamp", min, this)), ConstantLike("clamp", max, this));
    }

    /// <summary>
    /// Elementwise min(max(x, lo), hi) with numpy broadcasting of all three, as <c>jnp.clip</c>
    /// (where lo &gt; hi the result is hi; at x = lo or x = hi the gradient is split ½ / ½).
    /// </summary>
    public Tensor Clamp(Tensor min, Tensor max) => Minimum(Maximum(this, min), max);

    /// <summary>
    /// A rank-0 constant of <paramref name="like"/>'s dtype; throws (naming <paramref name="op"/>) when the
    /// value is not exactly an int32 or bool value for such a tensor, rather than silently truncating.
    /// </summary>
    internal static Tensor ConstantLike(string op, double value, Tensor like)
    {
        var exact = like.DType switch
        {
            DType.Int32 => value == Math.Floor(value) && value >= int.MinValue && value <= int.MaxValue,
            DType.Bool => value is 0 or 1,
            _ => true,
        };
        if (!exact)
            throw new ArgumentException($"{op}: the constant {value} is not exactly representable as {like.DType.Name()}, so it cannot be used with the {like.DType.Name()} {like.ShapeText} tensor; cast the tensor to float64 first");
        return Scalar(value, like.DType);
    }
}
