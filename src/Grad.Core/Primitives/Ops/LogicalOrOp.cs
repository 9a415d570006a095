namespace Autodiff;

/// <summary>y = a ∨ b elementwise on bool masks; no derivative.</summary>
public sealed class LogicalOrOp : LogicalBinary
{
    /// <summary>The single instance.</summary>
    public static readonly LogicalOrOp Instance = new();

    private LogicalOrOp() : base("logical_or") { }

    /// <inheritdoc/>
    protected override bool Apply(bool a, bool b) => a || b;
}

public sealed partial class Tensor
{
    /// <summary>Elementwise logical or of two bool masks, with numpy broadcasting.</summary>
    public Tensor Or(Tensor other) => Broadcasting(LogicalOrOp.Instance, this, other);
}
