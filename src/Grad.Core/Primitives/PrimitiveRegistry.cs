namespace Autodiff;

/// <summary>
/// Every primitive the library defines, so that generic tests can enumerate them with their domains.
/// Adding a primitive means one file plus one line here; a test fails if a concrete primitive is missing.
/// </summary>
public static class PrimitiveRegistry
{
    /// <summary>All registered primitives.</summary>
    public static IReadOnlyList<Primitive> All { get; } =
    [
        IdentityOp.Instance,
        // Elementwise, unary
        NegOp.Instance,
        ExpOp.Instance,
        LogOp.Instance,
        ReciprocalOp.Instance,
        SinOp.Instance,
        CosOp.Instance,
        SqrtOp.Instance,
        RsqrtOp.Instance,
        SquareOp.Instance,
        AbsOp.Instance,
        SignOp.Instance,
        TanhOp.Instance,
        SigmoidOp.Instance,
        ReluOp.Instance,
        SoftplusOp.Instance,
        ErfOp.Instance,
        Log1pOp.Instance,
        Expm1Op.Instance,
        PowScalarOp.Instance,
        CastOp.Instance,
        // Elementwise, binary
        AddOp.Instance,
        SubOp.Instance,
        MulOp.Instance,
        DivOp.Instance,
        PowOp.Instance,
        // Elementwise, comparisons and logic (bool outputs, no derivative)
        GreaterOp.Instance,
        GreaterEqualOp.Instance,
        LessOp.Instance,
        LessEqualOp.Instance,
        EqualOp.Instance,
        NotEqualOp.Instance,
        LogicalNotOp.Instance,
        LogicalAndOp.Instance,
        LogicalOrOp.Instance,
        // Elementwise, selection
        WhereOp.Instance,
        ReluGradOp.Instance,
        // Reductions
        SumOp.Instance,
        MaxOp.Instance,
        ProdOp.Instance,
        ArgMaxOp.Instance,
        ArgMinOp.Instance,
        LogSoftmaxOp.Instance,
        SoftmaxCrossEntropyOp.Instance,
        // Movement
        BroadcastToOp.Instance,
        ReshapeOp.Instance,
        PermuteOp.Instance,
        SliceOp.Instance,
        PadOp.Instance,
        ConcatOp.Instance,
        FlipOp.Instance,
        GatherOp.Instance,
        ScatterAddOp.Instance,
        // Contraction
        MatMulOp.Instance,
        Conv2dOp.Instance,
        ConvTranspose2dOp.Instance,
        Conv2dWeightGradOp.Instance,
        // Pooling
        MaxPool2dOp.Instance,
        MaxPool2dGatherOp.Instance,
        MaxPool2dScatterOp.Instance,
        // User-defined derivatives
        CustomVjpOp.Instance,
    ];

    /// <summary>The primitive with the given name.</summary>
    public static Primitive Get(string name) =>
        All.FirstOrDefault(p => p.Name == name) ?? throw new KeyNotFoundException($"no primitive named '{name}'");
}
