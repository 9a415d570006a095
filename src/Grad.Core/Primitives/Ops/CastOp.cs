using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Autodiff;

/// <summary>Parameters of a cast: the target dtype.</summary>
public sealed record CastParams(DType To) : OpParams;

/// <summary>
/// y = x converted to another dtype. Between float dtypes the derivative is the identity (the tangent is
/// cast forward, the cotangent back); to or from int32 and bool there is no derivative.
/// </summary>
/// <remarks>
/// Float to int32 truncates toward zero and saturates (NaN becomes 0); to bool, nonzero (and NaN) is true;
/// bool to a number is 0 or 1. A cast from bool is how a comparison mask becomes a constant float tensor.
/// </remarks>
public sealed class CastOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly CastOp Instance = new();

    private CastOp() : base("cast") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(CastParams);

    /// <inheritdoc/>
    public override int Arity => 1;

    /// <inheritdoc/>
    /// <remarks>float64 → float64, because derivative checks run in float64; the float32 round trip has its own tests.</remarks>
    public override OpDomain Domain { get; } = OpDomain.Unary(-3, 3, p: new CastParams(DType.Float64));

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var input = x[0];
        var to = ((CastParams)p).To;
        var y = Tensor.Allocate(to, input.ShapeArray);
        switch (input.RawData)
        {
            case float[] s: FromNumbers(s, y.RawData); break;
            case double[] s: FromNumbers(s, y.RawData); break;
            case int[] s: FromNumbers(s, y.RawData); break;
            case bool[] s: FromBools(s, y.RawData); break;
            default: throw new InvalidOperationException($"{Name}: unsupported storage for {input.DType.Name()} {input.ShapeText}");
        }
        return y;
    }

    private static void FromNumbers<TFrom>(TFrom[] src, Array dst) where TFrom : unmanaged, INumber<TFrom>
    {
        switch (dst)
        {
            case float[] f: TensorPrimitives.ConvertTruncating<TFrom, float>(src, f); break;
            case double[] d: TensorPrimitives.ConvertTruncating<TFrom, double>(src, d); break;
            case int[] n: TensorPrimitives.ConvertSaturating<TFrom, int>(src, n); break;
            case bool[] b:
                for (var i = 0; i < src.Length; i++) b[i] = src[i] != TFrom.Zero;
                break;
        }
    }

    private static void FromBools(bool[] src, Array dst)
    {
        // A .NET bool is one byte holding 0 or 1, so the widening conversions of bytes give 0 and 1 directly.
        var bytes = MemoryMarshal.Cast<bool, byte>(src.AsSpan());
        switch (dst)
        {
            case float[] f: TensorPrimitives.ConvertTruncating<byte, float>(bytes, f); break;
            case double[] d: TensorPrimitives.ConvertTruncating<byte, double>(bytes, d); break;
            case int[] n: TensorPrimitives.ConvertTruncating<byte, int>(bytes, n); break;
            case bool[] b: src.AsSpan().CopyTo(b); break;
        }
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) => tx[0]!.Cast(y.DType);

    /// <inheritdoc/>
    /// <remarks>Null for an int32 or bool input: it has no derivative.</remarks>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) =>
        [x[0].DType.IsFloat() ? gy.Cast(x[0].DType) : null];
}

public sealed partial class Tensor
{
    /// <summary>This tensor converted to <paramref name="dtype"/> (this same tensor if it already has it); differentiable between float dtypes.</summary>
    public Tensor Cast(DType dtype) => dtype == DType ? this : CastOp.Instance.Bind(new CastParams(dtype), this);
}
