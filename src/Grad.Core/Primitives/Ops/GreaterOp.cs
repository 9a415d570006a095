namespace Autodiff;

/// <summary>y = a &gt; b elementwise, as bool; no derivative.</summary>
public sealed class GreaterOp : Comparison
{
    /// <summary>The single instance.</summary>
    public static readonly GreaterOp Instance = new();

    private GreaterOp() : base("greater") { }

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> y)
    {
        for (var i = 0; i < y.Length; i++) y[i] = a[i] > b[i];
    }
}

public sealed partial class Tensor
{
    /// <summary>Elementwise this &gt; other as a bool mask, with numpy broadcasting (same dtype required).</summary>
    public Tensor Gt(Tensor other) => Broadcasting(GreaterOp.Instance, this, other);

    /// <summary>Elementwise this &gt; value as a bool mask (the constant takes this tensor's dtype).</summary>
    public Tensor Gt(double value) => Gt(ConstantLike(GreaterOp.Instance.Name, value, this));
}
