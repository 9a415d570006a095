using System.Numerics;

namespace Autodiff;

/// <summary>
/// An immutable n-dimensional array of float32, float64, int32 or bool in row-major order.
/// Every operation returns a new tensor; nothing about a tensor changes after it is made.
/// </summary>
public sealed partial class Tensor
{
    // Shared with this tensor's aliases and reshapes; never written after the kernel that made it returns. A transform
    // may release it when it ends (see Storage), after which every read throws.
    private readonly Storage _storage;
    private readonly int[] _shape;

    private Tensor(Storage storage, int[] shape)
    {
        _storage = storage;
        _shape = shape;
        if (storage.Length != Shapes.Size(shape))
            throw new ArgumentException($"tensor: data has {storage.Length} elements but shape {Shapes.Format(shape)} needs {Shapes.Size(shape)}");
    }

    /// <summary>The element type.</summary>
    public DType DType => _storage.DType;

    /// <summary>The dimensions, outermost first. A fresh copy: changing it does not change the tensor.</summary>
    public int[] Shape => (int[])_shape.Clone();

    /// <summary>The number of dimensions; 0 for a scalar.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements.</summary>
    public int Size => _storage.Length;

    /// <summary>The shape written as <c>[2, 3]</c>, for messages.</summary>
    public string ShapeText => Shapes.Format(_shape);

    /// <summary>The dimensions without a copy; callers must not write to it.</summary>
    internal ReadOnlySpan<int> Dims => _shape;

    /// <summary>The shape array itself; callers must not write to it.</summary>
    internal int[] ShapeArray => _shape;

    /// <summary>The buffer, shared with this tensor's aliases.</summary>
    internal Storage Storage => _storage;

    /// <summary>The storage array itself; callers must not write to it.</summary>
    internal T[] Data<T>() => _storage.Array as T[] ?? throw WrongRead(typeof(T).Name);

    internal ReadOnlySpan<T> Span<T>() => Data<T>();

    /// <summary>The storage array of whatever element type; callers must not write to it.</summary>
    internal Array RawData => _storage.IsReleased ? throw _storage.LeakedError(ShapeText) : _storage.Array;

    private Exception WrongRead(string elementType) => _storage.IsReleased
        ? _storage.LeakedError(ShapeText)
        : new InvalidOperationException($"tensor of dtype {DType.Name()} read as {elementType}");

    /// <summary>
    /// A new tensor of <paramref name="shape"/> (which it keeps; the caller must not change it) whose buffer
    /// <paramref name="data"/> the calling kernel fills before returning the tensor. This is the one way kernels make
    /// tensors: the buffer comes from the pool, and a reverse-mode transform can give it back when it is done.
    /// Its contents are unspecified: write every element, or use <see cref="AllocateZeroed{T}"/>.
    /// </summary>
    internal static Tensor Allocate<T>(int[] shape, out T[] data)
    {
        var storage = Storage.Allocate<T>(Shapes.Size(shape));
        data = (T[])storage.Array;
        return new Tensor(storage, shape);
    }

    /// <summary><see cref="Allocate{T}(int[], out T[])"/> with every element zero, for kernels that accumulate.</summary>
    internal static Tensor AllocateZeroed<T>(int[] shape, out T[] data)
    {
        var storage = Storage.AllocateZeroed<T>(Shapes.Size(shape));
        data = (T[])storage.Array;
        return new Tensor(storage, shape);
    }

    /// <summary><see cref="Allocate{T}(int[], out T[])"/> for a dtype known at run time; fill it through <see cref="RawData"/>.</summary>
    internal static Tensor Allocate(DType dtype, int[] shape) => new(Storage.Allocate(dtype, Shapes.Size(shape)), shape);

    /// <summary>A new tensor object sharing this one's storage (safe because storage is immutable).</summary>
    internal Tensor Alias() => new(_storage, _shape);

    /// <summary>
    /// The same values under a new identity that no transform has seen, so every transform treats it as a
    /// constant. This is stop-gradient; <see cref="Grad.StopGradient"/> is its public name.
    /// </summary>
    internal Tensor AsConstant() => Alias();

    /// <summary>A new tensor object with this storage viewed under another shape of the same size.</summary>
    internal Tensor WithShape(int[] shape) => new(_storage, shape);

    /// <summary>Copies the elements out, converting to <typeparamref name="T"/> (float, double, int or bool).</summary>
    public T[] ToArray<T>()
    {
        var data = RawData;
        var result = data is T[] same ? (T[])same.Clone() : new T[Size];
        if (data is not T[])
            for (var i = 0; i < result.Length; i++) result[i] = Convert<T>("ToArray", i);
        GC.KeepAlive(this); // the buffer is read after the last use of this (see Storage)
        return result;
    }

    /// <summary>The single element of a one-element tensor, converted to <typeparamref name="T"/>.</summary>
    public T Item<T>()
    {
        if (Size != 1)
            throw new InvalidOperationException($"Item: tensor of shape {ShapeText} ({DType.Name()}) has {Size} elements; Item needs exactly one");
        var item = RawData is T[] same ? same[0] : Convert<T>("Item", 0);
        GC.KeepAlive(this);
        return item;
    }

    internal double GetAsDouble(int index)
    {
        var value = RawData switch
        {
            float[] f => f[index],
            double[] d => d[index],
            int[] n => n[index],
            bool[] b => b[index] ? 1.0 : 0.0,
            _ => throw new InvalidOperationException(),
        };
        GC.KeepAlive(this);
        return value;
    }

    /// <summary>Element <paramref name="index"/> converted to <typeparamref name="T"/>; <paramref name="op"/> names the caller in errors.</summary>
    private T Convert<T>(string op, int index)
    {
        var value = GetAsDouble(index);
        if (typeof(T) == typeof(float)) return (T)(object)(float)value;
        if (typeof(T) == typeof(double)) return (T)(object)value;
        if (typeof(T) == typeof(int))
        {
            if (!FitsInt32(value))
                throw new OverflowException($"{op}: element {index} of {DType.Name()} {ShapeText} is {value}, which does not fit in an int");
            return (T)(object)(int)value;
        }
        if (typeof(T) == typeof(bool)) return (T)(object)(value != 0);
        throw new NotSupportedException($"ToArray/Item: cannot convert elements to {typeof(T).Name}; use float, double, int or bool");
    }

    /// <summary>Whether <paramref name="value"/> truncated toward zero is an int32: false for NaN, ±∞ and values beyond ±2³¹.</summary>
    internal static bool FitsInt32(double value) => value > int.MinValue - 1.0 && value < int.MaxValue + 1.0;

    internal void RequireFloat(string op)
    {
        if (!DType.IsFloat())
            throw new ArgumentException($"{op}: needs a float32 or float64 tensor, got {DType.Name()} with shape {ShapeText}; use .Cast(DType.Float32) first");
    }

    internal static void RequireSameDType(string op, Tensor a, Tensor b)
    {
        if (a.DType != b.DType)
            throw new ArgumentException($"{op}: dtypes differ: {a.DType.Name()} {a.ShapeText} and {b.DType.Name()} {b.ShapeText}; cast one explicitly with .Cast(...)");
    }

    /// <summary>Throws unless a and b have one shape or one of them is a scalar (the elementwise kinds' operand rule).</summary>
    internal static void RequireSameShapeOrScalar(string op, Tensor a, Tensor b)
    {
        if (!Shapes.Equal(a.Dims, b.Dims) && a.Rank != 0 && b.Rank != 0)
            throw new ArgumentException($"{op}: operands {a.DType.Name()} {a.ShapeText} and {b.DType.Name()} {b.ShapeText} must have the same shape, or one must be a scalar; broadcast them first");
    }

    internal static void RequireSameShape(string op, Tensor a, Tensor b)
    {
        if (!Shapes.Equal(a.Dims, b.Dims))
            throw new ArgumentException($"{op}: shapes differ: {a.ShapeText} ({a.DType.Name()}) and {b.ShapeText} ({b.DType.Name()})");
    }
}

/// <summary>The float element types kernels are written over, once, generically.</summary>
internal static class FloatKernel
{
    /// <summary>Converts a double constant to the kernel's element type.</summary>
    public static T C<T>(double value) where T : IFloatingPointIeee754<T> => T.CreateChecked(value);
}
