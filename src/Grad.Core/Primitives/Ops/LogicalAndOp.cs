namespace Autodiff;

/// <summary>y = a ∧ b elementwise on bool masks; no derivative.</summary>
public sealed class LogicalAndOp : LogicalBinary
{
    /// <summary>The single instance.</summary>
    public static readonly LogicalAndOp Instance = new();

    private LogicalAndOp() : base("logical_and") { }

    /// <inheritdoc/>
    protected override bool Apply(bool a, bool b) => a && b;
}

public sealed partial class Tensor
{
    /// <summary>Elementwise logical and of two bool masks, with numpy broadcasting.</summary>
    public Tensor And(Tensor other) => Broadcasting(LogicalAndOp.Instance, this, other);
}
