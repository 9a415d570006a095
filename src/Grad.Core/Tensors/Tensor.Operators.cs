namespace Autodiff;

public sealed partial class Tensor
{
    /// <summary>
    /// Applies a binary primitive after numpy-broadcasting both operands explicitly. A one-element operand that the
    /// other's shape absorbs goes to an elementwise primitive or a comparison as a scalar instead, which costs no broadcast copy.
    /// </summary>
    internal static Tensor Broadcasting(Primitive op, Tensor a, Tensor b)
    {
        RequireSameDType(op.Name, a, b);
        if (Shapes.Equal(a.Dims, b.Dims)) return op.Bind(OpParams.None, a, b);
        var shape = Shapes.Broadcast(op.Name, a, b);
        if (op is BinaryElementwise or Comparison)
        {
            if (b.Size == 1 && Shapes.Equal(a.Dims, shape)) return op.Bind(OpParams.None, a, AsScalar(b));
            if (a.Size == 1 && Shapes.Equal(b.Dims, shape)) return op.Bind(OpParams.None, AsScalar(a), b);
        }
        return op.Bind(OpParams.None, a.BroadcastTo(shape), b.BroadcastTo(shape));
    }

    private static Tensor AsScalar(Tensor x) => x.Rank == 0 ? x : x.Reshape();

    /// <summary>Elementwise a + b with numpy broadcasting.</summary>
    public static Tensor operator +(Tensor a, Tensor b) => Broadcasting(AddOp.Instance, a, b);

    /// <summary>Elementwise a − b with numpy broadcasting.</summary>
    public static Tensor operator -(Tensor a, Tensor b) => Broadcasting(SubOp.Instance, a, b);

    /// <summary>Elementwise a · b with numpy broadcasting.</summary>
    public static Tensor operator *(Tensor a, Tensor b) => Broadcasting(MulOp.Instance, a, b);

    /// <summary>Elementwise a / b with numpy broadcasting.</summary>
    public static Tensor operator /(Tensor a, Tensor b) => Broadcasting(DivOp.Instance, a, b);

    /// <summary>Elementwise negation.</summary>
    public static Tensor operator -(Tensor a) => a.Neg();

    /// <summary>Adds a constant (in the tensor's dtype).</summary>
    public static Tensor operator +(Tensor a, double b) => a + ScalarLike(b, a);

    /// <summary>Adds a constant (in the tensor's dtype).</summary>
    public static Tensor operator +(double a, Tensor b) => ScalarLike(a, b) + b;

    /// <summary>Subtracts a constant (in the tensor's dtype).</summary>
    public static Tensor operator -(Tensor a, double b) => a - ScalarLike(b, a);

    /// <summary>Subtracts from a constant (in the tensor's dtype).</summary>
    public static Tensor operator -(double a, Tensor b) => ScalarLike(a, b) - b;

    /// <summary>Multiplies by a constant (in the tensor's dtype).</summary>
    public static Tensor operator *(Tensor a, double b) => a * ScalarLike(b, a);

    /// <summary>Multiplies by a constant (in the tensor's dtype).</summary>
    public static Tensor operator *(double a, Tensor b) => ScalarLike(a, b) * b;

    /// <summary>Divides by a constant (in the tensor's dtype).</summary>
    public static Tensor operator /(Tensor a, double b) => a / ScalarLike(b, a);

    /// <summary>Divides a constant by each element (in the tensor's dtype).</summary>
    public static Tensor operator /(double a, Tensor b) => ScalarLike(a, b) / b;

    /// <summary>Elementwise a + b with numpy broadcasting.</summary>
    public Tensor Add(Tensor other) => this + other;

    /// <summary>Elementwise a − b with numpy broadcasting.</summary>
    public Tensor Sub(Tensor other) => this - other;

    /// <summary>Elementwise a · b with numpy broadcasting.</summary>
    public Tensor Mul(Tensor other) => this * other;

    /// <summary>Elementwise a / b with numpy broadcasting.</summary>
    public Tensor Div(Tensor other) => this / other;

    private static Tensor ScalarLike(double value, Tensor like)
    {
        like.RequireFloat("arithmetic with a constant");
        return Scalar(value, like.DType);
    }
}
