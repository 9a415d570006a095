namespace Autodiff;

/// <summary>The element type of a <see cref="Tensor"/>.</summary>
public enum DType
{
    /// <summary>32-bit IEEE float: the default for training.</summary>
    Float32,
    /// <summary>64-bit IEEE float: what gradient checks use.</summary>
    Float64,
    /// <summary>32-bit signed integer: indices and labels.</summary>
    Int32,
    /// <summary>Boolean: masks and comparison results.</summary>
    Bool,
}

/// <summary>Facts about <see cref="DType"/> values.</summary>
public static class DTypes
{
    /// <summary>The lower-case name numpy would print, e.g. <c>float32</c>.</summary>
    public static string Name(this DType dtype) => dtype switch
    {
        DType.Float32 => "float32",
        DType.Float64 => "float64",
        DType.Int32 => "int32",
        DType.Bool => "bool",
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>True for <see cref="DType.Float32"/> and <see cref="DType.Float64"/>: the dtypes that carry derivatives.</summary>
    public static bool IsFloat(this DType dtype) => dtype is DType.Float32 or DType.Float64;

    /// <summary>The dtype whose storage element is <typeparamref name="T"/>.</summary>
    public static DType Of<T>() =>
        typeof(T) == typeof(float) ? DType.Float32
        : typeof(T) == typeof(double) ? DType.Float64
        : typeof(T) == typeof(int) ? DType.Int32
        : typeof(T) == typeof(bool) ? DType.Bool
        : throw new NotSupportedException($"no dtype stores elements of type {typeof(T).Name}; use float, double, int or bool");
}
