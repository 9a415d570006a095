namespace Autodiff;

public sealed partial class Tensor
{
    /// <summary>
    /// The int32 tensor [0, 1, …, <paramref name="stop"/> − 1] (empty when stop ≤ 0). Integer arguments give int32, as
    /// numpy's <c>arange</c> gives its integer type; pass doubles for a float range.
    /// </summary>
    public static Tensor Arange(int stop) => Arange(0, stop, 1);

    /// <summary>The int32 tensor [start, start + step, …] of the values before <paramref name="stop"/> (after it, for a negative step).</summary>
    public static Tensor Arange(int start, int stop, int step = 1)
    {
        if (step == 0) throw new ArgumentException($"Arange: step is 0 (start = {start}, stop = {stop}); the range would never end");
        var count = RangeCount("Arange", ((double)stop - start) / step);
        var result = Allocate([count], out int[] data);
        for (var i = 0; i < count; i++) data[i] = start + i * step;
        return result;
    }

    /// <summary>
    /// [start, start + step, …] up to but excluding <paramref name="stop"/>: ⌈(stop − start) / step⌉ values, element i
    /// being start + i·step computed in double and rounded to <paramref name="dtype"/>. Int32 needs whole start and step.
    /// </summary>
    public static Tensor Arange(double start, double stop, double step = 1, DType dtype = DType.Float32)
    {
        const string op = "Arange";
        if (!double.IsFinite(start) || !double.IsFinite(stop) || !double.IsFinite(step) || step == 0)
            throw new ArgumentException($"{op}: needs finite start and stop and a finite non-zero step, got start = {start}, stop = {stop}, step = {step}");
        if (dtype == DType.Bool)
            throw new ArgumentException($"{op}: cannot make a bool range; use float32, float64 or int32");
        if (dtype == DType.Int32 && (start != Math.Floor(start) || step != Math.Floor(step)))
            throw new ArgumentException($"{op}: an int32 range needs whole start and step, got start = {start}, step = {step}");
        var count = RangeCount(op, (stop - start) / step);
        var values = new double[count];
        for (var i = 0; i < count; i++) values[i] = start + i * step;
        return FromDoubles(op, values, dtype, count);
    }

    /// <summary>
    /// <paramref name="num"/> evenly spaced values from <paramref name="start"/> to <paramref name="stop"/>, both included
    /// exactly: element i is start + i·(stop − start)/(num − 1), the last element is stop, and num = 1 gives [start].
    /// </summary>
    public static Tensor Linspace(double start, double stop, int num, DType dtype = DType.Float32)
    {
        const string op = "Linspace";
        if (!double.IsFinite(start) || !double.IsFinite(stop))
            throw new ArgumentException($"{op}: needs finite start and stop, got start = {start}, stop = {stop}");
        if (num < 0) throw new ArgumentOutOfRangeException(nameof(num), $"{op}: num = {num} is negative");
        if (!dtype.IsFloat())
            throw new ArgumentException($"{op}: makes float32 or float64 values, not {dtype.Name()}; use Arange for integers");
        var values = new double[num];
        if (num > 0) values[0] = start;
        if (num > 1)
        {
            var step = (stop - start) / (num - 1);
            for (var i = 1; i < num - 1; i++) values[i] = start + i * step;
            values[num - 1] = stop;
        }
        return FromDoubles(op, values, dtype, num);
    }

    /// <summary>The <paramref name="n"/>×<paramref name="m"/> matrix (m defaults to n) with ones on the main diagonal and zeros elsewhere.</summary>
    public static Tensor Eye(int n, int? m = null, DType dtype = DType.Float32)
    {
        var columns = m ?? n;
        if (n < 0 || columns < 0)
            throw new ArgumentException($"Eye: dimensions must not be negative, got n = {n}, m = {columns}");
        var values = new double[Shapes.Size([n, columns])];
        for (var i = 0; i < Math.Min(n, columns); i++) values[i * columns + i] = 1;
        return FromDoubles("Eye", values, dtype, n, columns);
    }

    private static int RangeCount(string op, double span)
    {
        var count = Math.Ceiling(span);
        if (count > Array.MaxLength)
            throw new ArgumentException($"{op}: the range would hold {count} elements, more than an array can hold");
        return count > 0 ? (int)count : 0;
    }

    /// <summary>Converts fresh double values to <paramref name="dtype"/> (checked for int32, naming <paramref name="op"/>) in a new tensor.</summary>
    private static Tensor FromDoubles(string op, double[] values, DType dtype, params int[] shape)
    {
        var result = Allocate(dtype, shape);
        switch (result.RawData)
        {
            case double[] d:
                values.CopyTo(d);
                break;
            case float[] f:
                for (var i = 0; i < f.Length; i++) f[i] = (float)values[i];
                break;
            case int[] n:
                for (var i = 0; i < n.Length; i++)
                {
                    if (!FitsInt32(values[i]))
                        throw new ArgumentException($"{op}: element {i} would be {values[i]}, which does not fit in int32");
                    n[i] = (int)values[i];
                }
                break;
            case bool[] b:
                for (var i = 0; i < b.Length; i++) b[i] = values[i] != 0;
                break;
        }
        return result;
    }
}
