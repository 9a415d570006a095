namespace Autodiff;

/// <summary>y = a ≠ b elementwise, as bool; no derivative.</summary>
public sealed class NotEqualOp : Comparison
{
    /// <summary>The single instance.</summary>
    public static readonly NotEqualOp Instance = new();

    private NotEqualOp() : base("not_equal") { }

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> y)
    {
        for (var i = 0; i < y.Length; i++) y[i] = a[i] != b[i];
    }
}

public sealed partial class Tensor
{
    /// <summary>Elementwise this ≠ other as a bool mask, with numpy broadcasting (same dtype required).</summary>
    public Tensor Ne(Tensor other) => Broadcasting(NotEqualOp.Instance, this, other);

    /// <summary>Elementwise this ≠ value as a bool mask (the constant takes this tensor's dtype).</summary>
    public Tensor Ne(double value) => Ne(ConstantLike(NotEqualOp.Instance.Name, value, this));
}
