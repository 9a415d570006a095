namespace Autodiff;

public sealed partial class Tensor
{
    /// <summary>
    /// True when every |a − b| ≤ <paramref name="atol"/> + <paramref name="rtol"/>·|b| (numpy's <c>allclose</c>, with this
    /// tensor as a and <paramref name="other"/> as the reference b), compared in double so dtypes may differ. Equal
    /// infinities are close; NaN is close to nothing unless <paramref name="equalNan"/>. Shapes must be equal: unlike
    /// numpy there is no broadcasting, and a shape mismatch throws rather than returning false, because it is a bug
    /// in the caller rather than a difference in values.
    /// </summary>
    public bool AllClose(Tensor other, double rtol = 1e-5, double atol = 1e-8, bool equalNan = false)
    {
        ArgumentNullException.ThrowIfNull(other);
        RequireSameShape("AllClose", this, other);
        if (!(rtol >= 0) || !(atol >= 0))
            throw new ArgumentException($"AllClose: tolerances must be ≥ 0, got rtol = {rtol}, atol = {atol}");
        for (var i = 0; i < Size; i++)
        {
            double a = GetAsDouble(i), b = other.GetAsDouble(i);
            if (a == b) continue;   // also equal infinities
            if (double.IsNaN(a) || double.IsNaN(b))
            {
                if (equalNan && double.IsNaN(a) && double.IsNaN(b)) continue;
                return false;
            }
            // An infinity is close only to itself (handled above); the formula alone would call inf close to −inf.
            if (double.IsInfinity(a) || double.IsInfinity(b)) return false;
            if (!(Math.Abs(a - b) <= atol + rtol * Math.Abs(b))) return false;
        }
        return true;
    }

    /// <summary>
    /// True when <paramref name="other"/> has the same dtype, the same shape and exactly equal elements (NaN equals
    /// nothing, −0 equals +0). A value comparison that never throws; tensors themselves compare by reference.
    /// </summary>
    public bool ArrayEqual(Tensor other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (DType != other.DType || !Shapes.Equal(Dims, other.Dims)) return false;
        for (var i = 0; i < Size; i++)
            if (GetAsDouble(i) != other.GetAsDouble(i)) return false;
        return true;
    }

    /// <summary>Copies a rank-2 tensor out as a rectangular array, converting to <typeparamref name="T"/> as <see cref="ToArray{T}"/> does.</summary>
    public T[,] ToArray2D<T>()
    {
        if (Rank != 2)
            throw new InvalidOperationException($"ToArray2D: needs a rank-2 tensor, got shape {ShapeText} ({DType.Name()})");
        var flat = ToArray<T>();
        int rows = _shape[0], columns = _shape[1];
        var result = new T[rows, columns];
        for (var r = 0; r < rows; r++)
            for (var c = 0; c < columns; c++)
                result[r, c] = flat[r * columns + c];
        return result;
    }
}
