namespace Autodiff;

/// <summary>Shape arithmetic shared by ops: sizes, strides, broadcasting, axis normalisation.</summary>
internal static class Shapes
{
    public static readonly int[] Scalar = [];

    /// <summary>
    /// The number of elements of <paramref name="shape"/>; throws (naming <paramref name="op"/> when given) for a
    /// negative dimension or for more elements than an array can hold.
    /// </summary>
    public static int Size(ReadOnlySpan<int> shape, string? op = null)
    {
        var prefix = op is null ? "" : op + ": ";
        var empty = false;
        foreach (var d in shape)
        {
            if (d < 0) throw new ArgumentException($"{prefix}negative dimension in shape {Format(shape)}");
            empty |= d == 0;
        }
        // A zero dimension empties any shape, however large the others; otherwise stop at the limit, before the
        // running product (each factor below 2^31) could wrap around a long.
        if (empty) return 0;
        long size = 1;
        foreach (var d in shape)
        {
            size *= d;
            if (size > Array.MaxLength)
                throw new ArgumentException($"{prefix}shape {Format(shape)} has {Product(shape)} elements, more than an array can hold");
        }
        return (int)size;
    }

    private static System.Numerics.BigInteger Product(ReadOnlySpan<int> shape)
    {
        System.Numerics.BigInteger product = 1;
        foreach (var d in shape) product *= d;
        return product;
    }

    /// <summary>Row-major strides, in elements.</summary>
    public static int[] Strides(ReadOnlySpan<int> shape)
    {
        var strides = new int[shape.Length];
        var s = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= shape[i];
        }
        return strides;
    }

    public static string Format(ReadOnlySpan<int> shape) => "[" + string.Join(", ", shape.ToArray()) + "]";

    public static bool Equal(ReadOnlySpan<int> a, ReadOnlySpan<int> b) => a.SequenceEqual(b);

    /// <summary>Numpy broadcasting: align from the right; each pair of dims must match or one must be 1.</summary>
    public static int[] Broadcast(string op, Tensor a, Tensor b) =>
        Broadcast(op, a.Dims, b.Dims, $"{Format(a.Dims)} ({a.DType.Name()}) and {Format(b.Dims)} ({b.DType.Name()})");

    /// <summary>Numpy broadcasting of two shapes; <paramref name="operands"/> describes them in the error.</summary>
    public static int[] Broadcast(string op, ReadOnlySpan<int> sa, ReadOnlySpan<int> sb, string operands)
    {
        var rank = Math.Max(sa.Length, sb.Length);
        var result = new int[rank];
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - sa.Length ? 1 : sa[i - (rank - sa.Length)];
            var db = i < rank - sb.Length ? 1 : sb[i - (rank - sb.Length)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: cannot broadcast {operands}: dimension {i} of the broadcast shape is {da} vs {db}");
            result[i] = da == 1 ? db : da;
        }
        return result;
    }

    /// <summary>Maps a possibly negative axis into [0, rank).</summary>
    public static int Axis(string op, int axis, int rank, ReadOnlySpan<int> shape)
    {
        var a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis), $"{op}: axis {axis} is out of range for a tensor of rank {rank} and shape {Format(shape)}");
        return a;
    }

    /// <summary>Normalises, sorts and de-duplicates axes; throws on repeats.</summary>
    public static int[] Axes(string op, ReadOnlySpan<int> axes, int rank, ReadOnlySpan<int> shape)
    {
        var result = new int[axes.Length];
        for (var i = 0; i < axes.Length; i++) result[i] = Axis(op, axes[i], rank, shape);
        Array.Sort(result);
        for (var i = 1; i < result.Length; i++)
            if (result[i] == result[i - 1])
                throw new ArgumentException($"{op}: axis {result[i]} is repeated in [{string.Join(", ", axes.ToArray())}] for shape {Format(shape)}");
        return result;
    }

    /// <summary>
    /// Checks axes given to a primitive directly (the public methods normalise them first): each in [0, rank),
    /// in increasing order, none repeated.
    /// </summary>
    public static void RequireNormalAxes(string op, int[] axes, Tensor x)
    {
        var ok = true;
        for (var i = 0; ok && i < axes.Length; i++)
            ok = axes[i] >= 0 && axes[i] < x.Rank && (i == 0 || axes[i] > axes[i - 1]);
        if (!ok)
            throw new ArgumentException($"{op}: axes [{string.Join(", ", axes)}] must be distinct, increasing and in [0, {x.Rank}) for {x.DType.Name()} {x.ShapeText}");
    }

    public static int[] AllAxes(int rank)
    {
        var axes = new int[rank];
        for (var i = 0; i < rank; i++) axes[i] = i;
        return axes;
    }

    /// <summary>The shape after reducing <paramref name="axes"/> (sorted, normalised).</summary>
    public static int[] Reduced(ReadOnlySpan<int> shape, int[] axes, bool keepDims)
    {
        var result = new List<int>(shape.Length);
        for (var i = 0; i < shape.Length; i++)
        {
            if (Array.BinarySearch(axes, i) >= 0)
            {
                if (keepDims) result.Add(1);
            }
            else result.Add(shape[i]);
        }
        return [.. result];
    }
}
