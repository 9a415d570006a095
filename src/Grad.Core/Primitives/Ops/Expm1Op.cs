namespace Autodiff;

/// <summary>y = eˣ − 1, accurate for tiny x;  dy/dx = eˣ.</summary>
public sealed class Expm1Op : UnaryElementwise
{
    /// <summary>The single instance.</summary>
    public static readonly Expm1Op Instance = new();

    private Expm1Op() : base("expm1") { }

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3, 3);

    /// <inheritdoc/>
    /// <remarks>Not <c>TensorPrimitives.ExpM1</c>: that is eˣ − 1 with eˣ rounded first.</remarks>
    protected override void Kernel<T>(ReadOnlySpan<T> x, Span<T> y, OpParams p)
    {
        for (var i = 0; i < y.Length; i++) y[i] = SpecialFunctions.Expm1(x[i]);
    }

    /// <inheritdoc/>
    /// <remarks>eˣ rather than y + 1, which loses every digit where y ≈ −1 (x ≪ 0).</remarks>
    protected override Tensor Derivative(Tensor x, Tensor y, OpParams p) => x.Exp();
}

public sealed partial class Tensor
{
    /// <summary>Elementwise eˣ − 1, accurate when |x| is tiny.</summary>
    public Tensor Expm1() => Expm1Op.Instance.Bind(OpParams.None, this);
}
