using System.Numerics;

namespace Autodiff;

/// <summary>Whether each operand of <see cref="MatMulOp"/> is used transposed (its last two axes swapped), as BLAS's transa/transb.</summary>
public sealed record MatMulParams(bool TransposeA, bool TransposeB) : OpParams
{
    /// <summary>y = a·b.</summary>
    public static readonly MatMulParams Plain = new(false, false);
}

/// <summary>
/// y = op(a)·op(b) over the last two axes, batched over equal leading axes, where op transposes an operand
/// when <see cref="MatMulParams"/> says so: [..., m, k]·[..., k, n] → [..., m, n]. The flags let the VJP
/// multiply by transposes without copying them (the GEMM packs straight from the strided storage).
/// VJP (no flags): ga = gy·bᵀ, gb = aᵀ·gy. JVP: ta·b + a·tb. Broadcasting of batch axes and the 1-D cases
/// live in <see cref="Tensor.MatMul"/>.
/// </summary>
public sealed class MatMulOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly MatMulOp Instance = new();

    private MatMulOp() : base("matmul") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(MatMulParams);

    /// <inheritdoc/>
    public override int Arity => 2;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("op(a) [..., m, k], op(b) [..., k, n] with equal batch axes (0 to 2), either operand transposed", s =>
    {
        var batch = s.Shape(0, 2, maxDim: 3);
        int m = s.Int(1, 5), k = s.Int(1, 5), n = s.Int(1, 5);
        var p = new MatMulParams(s.Coin(), s.Coin());
        int[] aShape = p.TransposeA ? [.. batch, k, m] : [.. batch, m, k];
        int[] bShape = p.TransposeB ? [.. batch, n, k] : [.. batch, k, n];
        return new OpCase([s.Floats(aShape, -2, 2), s.Floats(bShape, -2, 2)], p);
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (a, b) = (x[0], x[1]);
        var mp = (MatMulParams)p;
        a.RequireFloat("matmul");
        Tensor.RequireSameDType("matmul", a, b);
        var ok = a.Rank >= 2 && a.Rank == b.Rank && a.Dims[..^2].SequenceEqual(b.Dims[..^2])
            && (mp.TransposeA ? a.Dims[^2] : a.Dims[^1]) == (mp.TransposeB ? b.Dims[^1] : b.Dims[^2]);
        if (!ok)
            throw new ArgumentException($"matmul: shapes {a.ShapeText} and {b.ShapeText} ({a.DType.Name()}) do not fit [..., m, k]·[..., k, n] with equal batch axes (transposed: a {mp.TransposeA}, b {mp.TransposeB})");
        return a.DType == DType.Float32 ? Run<float>(a, b, mp) : Run<double>(a, b, mp);
    }

    private static Tensor Run<T>(Tensor a, Tensor b, MatMulParams p) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int m = p.TransposeA ? a.Dims[^1] : a.Dims[^2];
        int k = p.TransposeA ? a.Dims[^2] : a.Dims[^1];
        int n = p.TransposeB ? b.Dims[^2] : b.Dims[^1];
        int[] outShape = [.. a.Dims[..^2], m, n];
        var batches = Shapes.Size(a.Dims[..^2]);
        var (sa, sb) = (a.Data<T>(), b.Data<T>());
        // Element (i, p) of op(a) is at i·rowStride + p·colStride within its batch; likewise for b.
        var (aRow, aCol) = p.TransposeA ? (1, m) : (k, 1);
        var (bRow, bCol) = p.TransposeB ? (1, k) : (n, 1);
        var c = new T[Shapes.Size(outShape)];
        void One(int batch, bool parallel) => Gemm.Multiply(
            sa, batch * m * k, aRow, aCol,
            sb, batch * k * n, bRow, bCol,
            c, batch * m * n, m, k, n, parallel);
        // Many small products: one per task. Few large ones: each product splits its rows across cores.
        if (batches >= 2 * Parallelism.MaxThreads && (long)m * k * n < 1 << 18)
            ParallelKernel.For(batches, ParallelKernel.Cost(2L * m * k * n), (start, count) =>
            {
                for (var batch = start; batch < start + count; batch++) One(batch, parallel: false);
            });
        else
            for (var batch = 0; batch < batches; batch++) One(batch, parallel: true);
        return Tensor.Wrap(c, outShape);
    }

    private static Tensor Product(Tensor a, Tensor b, bool transposeA, bool transposeB) =>
        MatMulOp.Instance.Bind(new MatMulParams(transposeA, transposeB), a, b);

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p)
    {
        var (a, b) = (x[0], x[1]);
        if (tx[1] is null) return MatMulOp.Instance.Bind(p, tx[0]!, b);
        if (tx[0] is null) return MatMulOp.Instance.Bind(p, a, tx[1]!);
        return MatMulOp.Instance.Bind(p, tx[0]!, b) + MatMulOp.Instance.Bind(p, a, tx[1]!);
    }

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) => Vjp(gy, x, y, p, [true, true]);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p, bool[] wanted)
    {
        // With Â = op(a), B̂ = op(b): gÂ = gy·B̂ᵀ and gB̂ = Âᵀ·gy; a transposed operand takes the transpose of its
        // cotangent, which is again one product with flags: (gy·B̂ᵀ)ᵀ = B̂·gyᵀ and (Âᵀ·gy)ᵀ = gyᵀ·Â.
        var (a, b) = (x[0], x[1]);
        var mp = (MatMulParams)p;
        Tensor? ga = !wanted[0] ? null
            : mp.TransposeA ? Product(b, gy, mp.TransposeB, true) : Product(gy, b, false, !mp.TransposeB);
        Tensor? gb = !wanted[1] ? null
            : mp.TransposeB ? Product(gy, a, true, mp.TransposeA) : Product(a, gy, !mp.TransposeA, false);
        return [ga, gb];
    }
}

public sealed partial class Tensor
{
    /// <summary>
    /// Matrix product with numpy's rules: 1-D operands are promoted (a vector on the left is a row,
    /// on the right a column, and the added axis is removed after); batch axes broadcast.
    /// </summary>
    public Tensor MatMul(Tensor other)
    {
        RequireSameDType("matmul", this, other);
        if (Rank == 0 || other.Rank == 0)
            throw new ArgumentException($"matmul: operands must have rank ≥ 1, got {ShapeText} and {other.ShapeText} ({DType.Name()}); use * for scalars");
        var a = Rank == 1 ? Reshape(1, Dims[0]) : this;
        var b = other.Rank == 1 ? other.Reshape(other.Dims[0], 1) : other;
        if (a.Dims[^1] != b.Dims[^2])
            throw new ArgumentException($"matmul: inner dimensions differ: {ShapeText} · {other.ShapeText} ({DType.Name()}): {a.Dims[^1]} vs {b.Dims[^2]}");
        var batchA = a.ShapeArray[..^2];
        var batchB = b.ShapeArray[..^2];
        var batch = Shapes.Broadcast("matmul", batchA, batchB, $"batch axes of {ShapeText} and {other.ShapeText} ({DType.Name()})");
        a = a.BroadcastTo([.. batch, a.Dims[^2], a.Dims[^1]]);
        b = b.BroadcastTo([.. batch, b.Dims[^2], b.Dims[^1]]);
        var y = MatMulOp.Instance.Bind(MatMulParams.Plain, a, b);
        if (Rank == 1 && other.Rank == 1) return y.Reshape();
        if (Rank == 1) return y.Reshape([.. y.ShapeArray[..^2], y.Dims[^1]]);
        if (other.Rank == 1) return y.Reshape(y.ShapeArray[..^1]);
        return y;
    }

    /// <summary>The inner product of two vectors (or <see cref="MatMul"/> for higher ranks).</summary>
    public Tensor Dot(Tensor other) => MatMul(other);

    /// <summary>The outer product of two vectors: [m] ⊗ [n] → [m, n].</summary>
    public Tensor Outer(Tensor other)
    {
        if (Rank != 1 || other.Rank != 1)
            throw new ArgumentException($"outer: needs two vectors, got {ShapeText} and {other.ShapeText} ({DType.Name()})");
        return Reshape(Dims[0], 1) * other.Reshape(1, other.Dims[0]);
    }
}
