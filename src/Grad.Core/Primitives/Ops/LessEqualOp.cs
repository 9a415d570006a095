namespace Autodiff;

/// <summary>y = a ≤ b elementwise, as bool; no derivative.</summary>
public sealed class LessEqualOp : Comparison
{
    /// <summary>The single instance.</summary>
    public static readonly LessEqualOp Instance = new();

    private LessEqualOp() : base("less_equal") { }

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> y)
    {
        for (var i = 0; i < y.Length; i++) y[i] = a[i] <= b[i];
    }
}

public sealed partial class Tensor
{
    /// <summary>Elementwise this ≤ other as a bool mask, with numpy broadcasting (same dtype required).</summary>
    public Tensor Le(Tensor other) => Broadcasting(LessEqualOp.Instance, this, other);

    /// <summary>Elementwise this ≤ value as a bool mask (the constant takes this tensor's dtype).</summary>
    public Tensor Le(double value) => Le(ConstantLike(LessEqualOp.Instance.Name, value, this));
}
