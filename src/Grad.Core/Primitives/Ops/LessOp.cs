namespace Autodiff;

/// <summary>y = a &lt; b elementwise, as bool; no derivative.</summary>
public sealed class LessOp : Comparison
{
    /// <summary>The single instance.</summary>
    public static readonly LessOp Instance = new();

    private LessOp() : base("less") { }

    /// <inheritdoc/>
    protected override void Kernel<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<bool> y)
    {
        for (var i = 0; i < y.Length; i++) y[i] = a[i] < b[i];
    }
}

public sealed partial class Tensor
{
    /// <summary>Elementwise this &lt; other as a bool mask, with numpy broadcasting (same dtype required).</summary>
    public Tensor Lt(Tensor other) => Broadcasting(LessOp.Instance, this, other);

    /// <summary>Elementwise this &lt; value as a bool mask (the constant takes this tensor's dtype).</summary>
    public Tensor Lt(double value) => Lt(ConstantLike(LessOp.Instance.Name, value, this));
}
