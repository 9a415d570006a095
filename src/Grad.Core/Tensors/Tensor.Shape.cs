namespace Autodiff;

// Shape and indexing composed from primitives (reshape, slice, flip, gather, scatter-add): no rules here.
public sealed partial class Tensor
{
    /// <summary>Removes every size-1 axis (a reshape; the gradient reshapes back).</summary>
    public Tensor Squeeze() => Reshape(ShapeArray.Where(d => d != 1).ToArray());

    /// <summary>Removes the given axes (negative counts from the end), each of which must have size 1.</summary>
    public Tensor Squeeze(params int[] axes)
    {
        var a = Shapes.Axes("squeeze", axes, Rank, Dims);
        foreach (var d in a)
            if (Dims[d] != 1)
                throw new ArgumentException($"squeeze: axis {d} has size {Dims[d]}, not 1, in {DType.Name()} {ShapeText}");
        return Reshape(Shapes.Reduced(Dims, a, keepDims: false));
    }

    /// <summary>The elements as a vector of length <see cref="Size"/> (a scalar becomes a 1-vector).</summary>
    public Tensor Flatten() => Reshape(Size);

    /// <summary>Merges axes <paramref name="startAxis"/> to <paramref name="endAxis"/> (inclusive; negative counts from the end) into one.</summary>
    public Tensor Flatten(int startAxis, int endAxis = -1)
    {
        if (Rank == 0) return Flatten(); // PyTorch's rule: a scalar has one axis to flatten, of size 1
        var start = Shapes.Axis("flatten", startAxis, Rank, Dims);
        var end = Shapes.Axis("flatten", endAxis, Rank, Dims);
        if (start > end)
            throw new ArgumentException($"flatten: start axis {startAxis} comes after end axis {endAxis} in {DType.Name()} {ShapeText}");
        var merged = 1;
        for (var d = start; d <= end; d++) merged *= Dims[d];
        return Reshape([.. Dims[..start], merged, .. Dims[(end + 1)..]]);
    }

    /// <summary>
    /// The entries at int32 <paramref name="indices"/> (1-D, negative counting from the end) along <paramref name="axis"/>,
    /// in their order, repeats allowed (PyTorch's index_select). The gradient scatter-adds back, so repeats accumulate.
    /// </summary>
    public Tensor IndexSelect(int axis, Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        if (indices.Rank != 1)
            throw new ArgumentException($"index_select: indices must be 1-D, got {indices.DType.Name()} {indices.ShapeText} for {DType.Name()} {ShapeText}");
        return Take(indices, axis, "index_select");
    }

    /// <summary>numpy's take without an axis: the elements of the flattened tensor at int32 <paramref name="indices"/>, shaped like the indices.</summary>
    public Tensor Take(Tensor indices) => Flatten().Take(indices, 0, "take");

    /// <summary>
    /// numpy's take along <paramref name="axis"/>: int32 <paramref name="indices"/> of any shape replace that axis, so the
    /// result has shape x.shape[:axis] + indices.shape + x.shape[axis+1:]. Gradients of repeated picks accumulate.
    /// </summary>
    public Tensor Take(Tensor indices, int axis) => Take(indices, axis, "take");

    private Tensor Take(Tensor indices, int axis, string op)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var a = Shapes.Axis(op, axis, Rank, Dims);
        if (indices.DType != DType.Int32)
            throw new ArgumentException($"{op}: indices must be int32, got {indices.DType.Name()} {indices.ShapeText} for {DType.Name()} {ShapeText}");
        var n = Dims[a];
        var values = indices.Span<int>();
        for (var i = 0; i < values.Length; i++)
            if (values[i] < -n || values[i] >= n)
                throw new IndexOutOfRangeException($"{op}: index {values[i]} is out of range for axis {a} of size {n} in {DType.Name()} {ShapeText}");
        // One index per output element: the picks along axis a, repeated over every other axis of x.
        var k = indices.Size;
        var column = Enumerable.Repeat(1, Rank).ToArray();
        column[a] = k;
        var spread = Shape;
        spread[a] = k;
        var picked = GatherOp.Instance.Bind(new AxisParams(a), this, indices.Reshape(column).BroadcastTo(spread));
        return picked.Reshape([.. Dims[..a], .. indices.ShapeArray, .. Dims[(a + 1)..]]);
    }

    /// <summary>
    /// One-hot rows: for int32 <paramref name="labels"/> of shape s, a tensor of shape s + [classes] with 1 at
    /// each label's position and 0 elsewhere. A label outside [0, classes) is an error.
    /// </summary>
    public static Tensor OneHot(Tensor labels, int classes, DType dtype = DType.Float32)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.DType != DType.Int32)
            throw new ArgumentException($"one_hot: labels must be int32, got {labels.DType.Name()} {labels.ShapeText}");
        if (classes < 0)
            throw new ArgumentException($"one_hot: the number of classes must be non-negative, got {classes} for labels {labels.ShapeText}");
        if (dtype == DType.Bool)
            throw new ArgumentException($"one_hot: dtype bool is not supported for labels {labels.ShapeText}; use float32, float64 or int32");
        var values = labels.Span<int>();
        for (var i = 0; i < values.Length; i++)
            if (values[i] < 0 || values[i] >= classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"one_hot: label {values[i]} at flat position {i} is out of range [0, {classes}) for labels int32 {labels.ShapeText}");
        int[] column = [.. labels.ShapeArray, 1];
        return ScatterAddOp.Instance.Bind(
            new ScatterParams(labels.Rank, [.. labels.ShapeArray, classes]), Ones(dtype, column), labels.Reshape(column));
    }

    /// <summary>
    /// numpy's basic slicing x[start:stop:step, ...] on the leading axes, one (start, stop, step) per axis: null
    /// bounds take the default for the step's sign, negative bounds count from the end, bounds are clamped, and a
    /// negative step walks backwards. Axes past the given ones are kept whole.
    /// </summary>
    public Tensor Slice(params (int? Start, int? Stop, int Step)[] perAxis)
    {
        ArgumentNullException.ThrowIfNull(perAxis);
        if (perAxis.Length > Rank)
            throw new ArgumentException($"slice: {perAxis.Length} axes of bounds given for {DType.Name()} {ShapeText}");
        var starts = new int[Rank];
        var stops = Shape;
        var steps = Enumerable.Repeat(1, Rank).ToArray();
        var reversed = new List<int>();
        for (var d = 0; d < perAxis.Length; d++)
        {
            var (start, stop, step) = perAxis[d];
            if (step == 0)
                throw new ArgumentException($"slice: step 0 on axis {d} of {DType.Name()} {ShapeText}; a step must be non-zero");
            var (first, count) = PythonSlice(start, stop, step, Dims[d]);
            // A backward walk first, first − |step|, … is the forward walk from its last element, flipped.
            // Only a walk of two or more elements needs its stride; |int.MinValue| is not an int, and picks one element.
            var stride = count > 1 ? Math.Abs(step) : 1;
            var low = step > 0 ? first : first - (count - 1) * stride;
            (starts[d], stops[d], steps[d]) = count == 0 ? (0, 0, 1) : (low, low + (count - 1) * stride + 1, stride);
            if (step < 0 && count > 1) reversed.Add(d);
        }
        var whole = true;
        for (var d = 0; d < Rank; d++) whole &= starts[d] == 0 && stops[d] == Dims[d] && steps[d] == 1;
        var sliced = whole ? this : SliceOp.Instance.Bind(new SliceParams(starts, stops, steps), this);
        return reversed.Count == 0 ? sliced : sliced.Flip([.. reversed]);
    }

    /// <summary>Python's slice.indices for a dimension of size n: the first index and the number of elements.</summary>
    private static (int First, int Count) PythonSlice(int? start, int? stop, int step, int n)
    {
        int Clamp(int? bound, int fallback)
        {
            if (bound is not int b) return fallback;
            if (b < 0) return Math.Max(b + n, step < 0 ? -1 : 0);
            return b >= n ? (step < 0 ? n - 1 : n) : b;
        }
        var first = Clamp(start, step < 0 ? n - 1 : 0);
        var last = Clamp(stop, step < 0 ? -1 : n);
        var count = step > 0
            ? (last > first ? (last - first - 1) / step + 1 : 0)
            : (first > last ? (int)((first - last - 1) / -(long)step) + 1 : 0);
        return (first, count);
    }
}
