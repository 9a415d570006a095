namespace Autodiff;

public sealed partial class Tensor
{
    /// <summary>A float32 tensor holding a copy of <paramref name="data"/> in row-major order.</summary>
    public static Tensor FromArray(float[] data, params int[] shape) => FromCopy(data, shape);

    /// <summary>A float64 tensor holding a copy of <paramref name="data"/> in row-major order.</summary>
    public static Tensor FromArray(double[] data, params int[] shape) => FromCopy(data, shape);

    /// <summary>An int32 tensor holding a copy of <paramref name="data"/> in row-major order.</summary>
    public static Tensor FromArray(int[] data, params int[] shape) => FromCopy(data, shape);

    /// <summary>A bool tensor holding a copy of <paramref name="data"/> in row-major order.</summary>
    public static Tensor FromArray(bool[] data, params int[] shape) => FromCopy(data, shape);

    private static Tensor FromCopy<T>(T[] data, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        foreach (var d in shape)
            if (d < 0) throw new ArgumentException($"FromArray: negative dimension in shape {Shapes.Format(shape)}");
        var size = Shapes.Size(shape);
        if (data.Length != size)
            throw new ArgumentException($"FromArray: {data.Length} {DTypes.Of<T>().Name()} values do not fill shape {Shapes.Format(shape)} ({size} elements)");
        var result = Allocate((int[])shape.Clone(), out T[] copy);
        data.CopyTo(copy);
        return result;
    }

    /// <summary>A tensor holding a copy of <paramref name="data"/> (float[], double[], int[] or bool[]), whose length the caller has checked against <paramref name="shape"/>.</summary>
    internal static Tensor CopyOf(Array data, int[] shape)
    {
        var result = Allocate(DTypeOfArray(data), shape);
        Array.Copy(data, result.RawData, data.Length);
        return result;
    }

    private static DType DTypeOfArray(Array data) => data switch
    {
        float[] => DType.Float32,
        double[] => DType.Float64,
        int[] => DType.Int32,
        bool[] => DType.Bool,
        _ => throw new ArgumentException($"tensor data of type {data.GetType().Name} is not supported"),
    };

    /// <summary>A rank-0 tensor holding <paramref name="value"/>.</summary>
    public static Tensor Scalar(double value, DType dtype = DType.Float32) => Full(value, dtype);

    /// <summary>A tensor of <paramref name="shape"/> filled with <paramref name="value"/>.</summary>
    public static Tensor Full(double value, DType dtype, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var size = Shapes.Size(shape, "Full");
        if (dtype == DType.Int32 && !FitsInt32(value))
            throw new ArgumentException($"Full: the value {value} does not fit in int32 (shape {Shapes.Format(shape)})");
        var result = Allocate(dtype, (int[])shape.Clone());
        switch (result.RawData)
        {
            case float[] f: Array.Fill(f, (float)value); break;
            case double[] d: Array.Fill(d, value); break;
            case int[] n: Array.Fill(n, (int)value); break;
            case bool[] b: Array.Fill(b, value != 0); break;
        }
        return result;
    }

    /// <summary>A float32 tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => Full(0, DType.Float32, shape);

    /// <summary>A tensor of zeros of the given dtype.</summary>
    public static Tensor Zeros(DType dtype, params int[] shape) => Full(0, dtype, shape);

    /// <summary>A float32 tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(1, DType.Float32, shape);

    /// <summary>A tensor of ones of the given dtype.</summary>
    public static Tensor Ones(DType dtype, params int[] shape) => Full(1, dtype, shape);

    /// <summary>Zeros with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor ZerosLike(Tensor like) => Full(0, like.DType, like.ShapeArray);

    /// <summary>Ones with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor OnesLike(Tensor like) => Full(1, like.DType, like.ShapeArray);

    /// <summary><paramref name="value"/> with the shape and dtype of <paramref name="like"/>.</summary>
    public static Tensor FullLike(Tensor like, double value) => Full(value, like.DType, like.ShapeArray);
}
