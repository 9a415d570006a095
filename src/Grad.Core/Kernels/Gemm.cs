using System.Numerics;
using System.Runtime.InteropServices;

namespace Autodiff;

/// <summary>General matrix multiply C = A·B on row-major float data, SIMD over columns, parallel over row blocks.</summary>
internal static class Gemm
{
    private const int RowBlock = 4;
    private const int DepthBlock = 256;

    /// <summary>C[m×n] = A[m×k] · B[k×n]; C is overwritten.</summary>
    public static void Multiply<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int m, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        c[..(m * n)].Clear();
        for (var i0 = 0; i0 < m; i0 += RowBlock)
        {
            var rows = Math.Min(RowBlock, m - i0);
            for (var p0 = 0; p0 < k; p0 += DepthBlock)
            {
                var depth = Math.Min(DepthBlock, k - p0);
                if (rows == RowBlock) Block4(a, b, c, i0, p0, depth, k, n);
                else
                    for (var i = i0; i < i0 + rows; i++) Row(a, b, c, i, p0, depth, k, n);
            }
        }
    }

    private static void Block4<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int i0, int p0, int depth, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var c0 = c.Slice(i0 * n, n);
        var c1 = c.Slice((i0 + 1) * n, n);
        var c2 = c.Slice((i0 + 2) * n, n);
        var c3 = c.Slice((i0 + 3) * n, n);
        var w = Vector<T>.Count;
        for (var p = p0; p < p0 + depth; p++)
        {
            var bRow = b.Slice(p * n, n);
            T a0 = a[i0 * k + p], a1 = a[(i0 + 1) * k + p], a2 = a[(i0 + 2) * k + p], a3 = a[(i0 + 3) * k + p];
            var j = 0;
            if (Vector.IsHardwareAccelerated && n >= w)
            {
                var bv = MemoryMarshal.Cast<T, Vector<T>>(bRow);
                var v0 = MemoryMarshal.Cast<T, Vector<T>>(c0);
                var v1 = MemoryMarshal.Cast<T, Vector<T>>(c1);
                var v2 = MemoryMarshal.Cast<T, Vector<T>>(c2);
                var v3 = MemoryMarshal.Cast<T, Vector<T>>(c3);
                Vector<T> s0 = new(a0), s1 = new(a1), s2 = new(a2), s3 = new(a3);
                for (var q = 0; q < bv.Length; q++)
                {
                    var bq = bv[q];
                    v0[q] += s0 * bq;
                    v1[q] += s1 * bq;
                    v2[q] += s2 * bq;
                    v3[q] += s3 * bq;
                }
                j = bv.Length * w;
            }
            for (; j < n; j++)
            {
                var bj = bRow[j];
                c0[j] += a0 * bj;
                c1[j] += a1 * bj;
                c2[j] += a2 * bj;
                c3[j] += a3 * bj;
            }
        }
    }

    private static void Row<T>(ReadOnlySpan<T> a, ReadOnlySpan<T> b, Span<T> c, int i, int p0, int depth, int k, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var cRow = c.Slice(i * n, n);
        for (var p = p0; p < p0 + depth; p++)
            System.Numerics.Tensors.TensorPrimitives.MultiplyAdd(b.Slice(p * n, n), a[i * k + p], cRow, cRow);
    }
}
