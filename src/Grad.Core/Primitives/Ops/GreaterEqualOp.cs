namespace Autodiff;

/// <summary>y = a ≥ b elementwise, as bool; no derivative.</summary>
public sealed class GreaterEqualOp : Comparison
{
    /// <summary>The single instance.</summary>
    public static readonly GreaterEqualOp Instance = new();

    private GreaterEqualOp() : base("greater_equal") { }

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> y)
    {
        for (var i = 0; i < y.Length; i++) y[i] = a[i] >= b[i];
    }
}

public sealed partial class Tensor
{
    /// <summary>Elementwise this ≥ other as a bool mask, with numpy broadcasting (same dtype required).</summary>
    public Tensor Ge(Tensor other) => Broadcasting(GreaterEqualOp.Instance, this, other);

    /// <summary>Elementwise this ≥ value as a bool mask (the constant takes this tensor's dtype).</summary>
    public Tensor Ge(double value) => Ge(ConstantLike(GreaterEqualOp.Instance.Name, value, this));
}
