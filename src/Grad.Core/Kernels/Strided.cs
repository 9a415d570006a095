namespace Autodiff;

/// <summary>
/// The one strided-copy loop behind broadcast, permute, slice, flip and pad: walk an output shape in
/// row-major order, reading the source at <c>offset + Σ index[d]·stride[d]</c> (strides may be 0 or negative).
/// </summary>
internal static class Strided
{
    /// <summary>dst[i] = src[offset + Σ idx·srcStrides] for each multi-index of <paramref name="shape"/>, in row-major order.</summary>
    public static void Gather<T>(T[] src, int offset, int[] srcStrides, int[] shape, T[] dst)
    {
        var rank = shape.Length;
        if (dst.Length == 0) return;
        if (rank == 0)
        {
            dst[0] = src[offset];
            return;
        }
        var inner = shape[rank - 1];
        var innerStride = srcStrides[rank - 1];
        if (rank >= 2 && inner > 1 && Math.Abs(innerStride) > 1 && srcStrides[rank - 2] != 0 && Math.Abs(srcStrides[rank - 2]) < Math.Abs(innerStride))
        {
            // The next-outer axis is the one contiguous in the source (a transpose): walk tiles, not rows.
            Tiled(src, offset, srcStrides, shape, dst);
            return;
        }
        var outer = dst.Length / inner;
        ParallelKernel.For(outer, inner, (start, count) =>
        {
            var index = new int[rank - 1];
            // Position the odometer at row `start`.
            var rem = start;
            for (var d = rank - 2; d >= 0; d--)
            {
                index[d] = rem % shape[d];
                rem /= shape[d];
            }
            var basePos = offset;
            for (var d = 0; d < rank - 1; d++) basePos += index[d] * srcStrides[d];
            for (var row = start; row < start + count; row++)
            {
                var o = row * inner;
                if (innerStride == 1)
                    Array.Copy(src, basePos, dst, o, inner);
                else if (innerStride == 0)
                    Array.Fill(dst, src[basePos], o, inner);
                else
                    for (int j = 0, s = basePos; j < inner; j++, s += innerStride) dst[o + j] = src[s];
                // Advance the odometer over the outer dims.
                for (var d = rank - 2; d >= 0; d--)
                {
                    index[d]++;
                    basePos += srcStrides[d];
                    if (index[d] < shape[d]) break;
                    basePos -= index[d] * srcStrides[d];
                    index[d] = 0;
                }
            }
        });
    }

    /// <summary>
    /// <see cref="Gather{T}(T[], int, int[], int[], T[])"/> for when the last two output axes are read with the smaller
    /// stride outer: copying row by row would touch a new cache line per element, so each 32×32 tile is
    /// copied while its source lines are still in L1.
    /// </summary>
    private static void Tiled<T>(T[] src, int offset, int[] srcStrides, int[] shape, T[] dst)
    {
        const int Tile = 32;
        var rank = shape.Length;
        int rows = shape[rank - 2], cols = shape[rank - 1];
        int rowStride = srcStrides[rank - 2], colStride = srcStrides[rank - 1];
        var planes = dst.Length / (rows * cols);
        var rowTiles = (rows + Tile - 1) / Tile;
        ParallelKernel.For(planes * rowTiles, Tile * cols, (start, count) =>
        {
            for (var t = start; t < start + count; t++)
            {
                var (plane, rowTile) = Math.DivRem(t, rowTiles);
                var planeStart = offset;
                var rem = plane;
                for (var d = rank - 3; d >= 0; d--)
                {
                    planeStart += rem % shape[d] * srcStrides[d];
                    rem /= shape[d];
                }
                int r0 = rowTile * Tile, r1 = Math.Min(rows, r0 + Tile);
                for (var c0 = 0; c0 < cols; c0 += Tile)
                {
                    var c1 = Math.Min(cols, c0 + Tile);
                    for (var r = r0; r < r1; r++)
                    {
                        var o = (plane * rows + r) * cols;
                        var s = planeStart + r * rowStride;
                        for (var c = c0; c < c1; c++) dst[o + c] = src[s + c * colStride];
                    }
                }
            }
        });
    }

    /// <summary>dst[offset + Σ idx·dstStrides] = src[i] for each multi-index of <paramref name="shape"/> (the transpose of <see cref="Gather"/>; targets must be distinct).</summary>
    public static void Scatter<T>(T[] src, int[] shape, T[] dst, int offset, int[] dstStrides)
    {
        var rank = shape.Length;
        if (src.Length == 0) return;
        var index = new int[rank];
        var pos = offset;
        for (var i = 0; i < src.Length; i++)
        {
            dst[pos] = src[i];
            for (var d = rank - 1; d >= 0; d--)
            {
                index[d]++;
                pos += dstStrides[d];
                if (index[d] < shape[d]) break;
                pos -= index[d] * dstStrides[d];
                index[d] = 0;
            }
        }
    }

    /// <summary>Strides of <paramref name="inShape"/> read as if broadcast to <paramref name="outShape"/> (0 on broadcast dims).</summary>
    public static int[] BroadcastStrides(int[] inShape, int[] outShape)
    {
        var strides = Shapes.Strides(inShape);
        var result = new int[outShape.Length];
        var lead = outShape.Length - inShape.Length;
        for (var d = 0; d < inShape.Length; d++)
            result[lead + d] = inShape[d] == 1 && outShape[lead + d] != 1 ? 0 : strides[d];
        return result;
    }

    /// <summary>A gather over any dtype: dispatches on the storage type once.</summary>
    public static Tensor Gather(Tensor src, int offset, int[] srcStrides, int[] shape) => src.RawData switch
    {
        float[] f => Run(f, offset, srcStrides, shape),
        double[] d => Run(d, offset, srcStrides, shape),
        int[] n => Run(n, offset, srcStrides, shape),
        bool[] b => Run(b, offset, srcStrides, shape),
        _ => throw new InvalidOperationException(),
    };

    private static Tensor Run<T>(T[] src, int offset, int[] strides, int[] shape)
    {
        var y = Tensor.Allocate(shape, out T[] dst);
        Gather(src, offset, strides, shape, dst);
        return y;
    }
}
