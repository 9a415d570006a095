using System.Numerics;

namespace Autodiff;

/// <summary>
/// The indexed loops behind gather and scatter-add along one axis. A tensor is viewed as [outer, n, inner]
/// around the axis; an index tensor of the same rank as [outer, k, inner] picks, for each of its elements,
/// a position along the axis: element (o, j, i) pairs with (o, indices[o, j, i], i).
/// </summary>
internal static class AlongAxis
{
    /// <summary>
    /// Checks that <paramref name="indices"/> (int32) has the rank of <paramref name="shape"/> and its dims
    /// off <paramref name="axis"/>, and that every index is in [−n, n); returns them wrapped into [0, n).
    /// </summary>
    public static int[] CheckedIndices(string op, int[] shape, Tensor indices, int axis, string operands)
    {
        if (indices.DType != DType.Int32)
            throw new ArgumentException($"{op}: indices must be int32, got {indices.DType.Name()} ({operands})");
        var ok = indices.Rank == shape.Length && axis >= 0 && axis < shape.Length;
        for (var d = 0; ok && d < shape.Length; d++) ok = d == axis || indices.Dims[d] == shape[d];
        if (!ok)
            throw new ArgumentException($"{op}: along axis {axis}, indices must have rank {shape.Length} and match shape {Shapes.Format(shape)} on every other axis ({operands})");
        var n = shape[axis];
        var raw = indices.Data<int>();
        var wrapped = new int[raw.Length];
        for (var e = 0; e < raw.Length; e++)
        {
            var index = raw[e];
            if (index < -n || index >= n)
                throw new IndexOutOfRangeException(
                    $"{op}: index {index} at position {Shapes.Format(Unravel(e, indices.Dims))} is out of range for axis {axis} of size {n} ({operands})");
            wrapped[e] = index < 0 ? index + n : index;
        }
        return wrapped;
    }

    /// <summary>dst[o, j, i] = src[o, indices[o, j, i], i] for a source with <paramref name="n"/> positions along the axis.</summary>
    public static void Gather<T>(T[] src, int n, int[] indices, int k, int inner, T[] dst)
    {
        var rows = k == 0 || inner == 0 ? 0 : indices.Length / inner;
        ParallelKernel.For(rows, inner, (start, count) =>
        {
            for (var row = start; row < start + count; row++)
            {
                var o = row / k;
                for (int i = 0, e = row * inner; i < inner; i++, e++) dst[e] = src[(o * n + indices[e]) * inner + i];
            }
        });
    }

    /// <summary>dst[o, indices[o, j, i], i] += src[o, j, i], accumulating duplicates; dst has <paramref name="n"/> positions along the axis.</summary>
    public static void ScatterAdd<T>(T[] src, int[] indices, int k, int inner, T[] dst, int n) where T : INumber<T>
    {
        var outer = k == 0 || inner == 0 ? 0 : indices.Length / (k * inner);
        // Different o never write the same element, so the outer slabs can run in parallel.
        ParallelKernel.For(outer, k * inner, (start, count) =>
        {
            for (var o = start; o < start + count; o++)
                for (int e = o * k * inner, j = 0; j < k; j++)
                    for (var i = 0; i < inner; i++, e++) dst[(o * n + indices[e]) * inner + i] += src[e];
        });
    }

    /// <summary>The multi-index of flat position <paramref name="flat"/> in row-major <paramref name="shape"/>.</summary>
    private static int[] Unravel(int flat, ReadOnlySpan<int> shape)
    {
        var index = new int[shape.Length];
        for (var d = shape.Length - 1; d >= 0; d--) (flat, index[d]) = Math.DivRem(flat, shape[d]);
        return index;
    }
}
