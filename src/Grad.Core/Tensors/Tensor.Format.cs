using System.Globalization;
using System.Text;

namespace Autodiff;

public sealed partial class Tensor
{
    /// <summary>
    /// The values in numpy's layout, e.g. <c>tensor([[1., 2.],\n        [3., 4.]], dtype=float32)</c>: nested brackets per
    /// axis, columns aligned, floats to 4 (float32) or 6 (float64) decimals with trailing zeros dropped, or in scientific
    /// notation with as many mantissa decimals when some |x| ≥ 1e8 or a non-zero |x| would round to 0. Ints print
    /// plainly, bools as <c>true</c>/<c>false</c>, rank 0 as a bare scalar, empty tensors as <c>[]</c> with their shape. Above 1000 elements each long axis shows its first and last 3 entries
    /// around <c>...</c> and the shape is printed too.
    /// </summary>
    public override string ToString() => TensorFormatter.Format(this);
}

/// <summary>Numpy-style printing of a tensor (threshold 1000, edge items 3, line width 75).</summary>
internal static class TensorFormatter
{
    public const int Threshold = 1000;
    public const int EdgeItems = 3;
    public const int LineWidth = 75;
    private const string Prefix = "tensor(";
    private const string Ellipsis = "...";

    public static string Format(Tensor t)
    {
        var dims = t.ShapeArray;
        var dtype = $"dtype={t.DType.Name()})";
        if (t.Size == 0) return $"{Prefix}[], shape={Shapes.Format(dims)}, {dtype}";

        var summarise = t.Size > Threshold;
        // Per axis, the indices shown; -1 stands for the "..." between the leading and trailing edge items.
        var shown = new int[dims.Length][];
        for (var a = 0; a < dims.Length; a++)
            shown[a] = summarise && dims[a] > 2 * EdgeItems
                ? [0, 1, 2, -1, dims[a] - 3, dims[a] - 2, dims[a] - 1]
                : Enumerable.Range(0, dims[a]).ToArray();
        var strides = Shapes.Strides(dims);

        var visible = new List<int>();
        Collect(shown, strides, 0, 0, visible);
        var element = ElementFormat.For(t, visible);

        var sb = new StringBuilder(Prefix);
        if (dims.Length == 0) sb.Append(element.Format(0).Trim());
        else Render(sb, shown, strides, element, 0, 0);
        sb.Append(", ");
        if (summarise) sb.Append("shape=").Append(Shapes.Format(dims)).Append(", ");
        return sb.Append(dtype).ToString();
    }

    private static void Collect(int[][] shown, int[] strides, int axis, int offset, List<int> visible)
    {
        if (axis == shown.Length)
        {
            visible.Add(offset);
            return;
        }
        foreach (var i in shown[axis])
            if (i >= 0) Collect(shown, strides, axis + 1, offset + i * strides[axis], visible);
    }

    private static void Render(StringBuilder sb, int[][] shown, int[] strides, ElementFormat element, int axis, int offset)
    {
        var rank = shown.Length;
        sb.Append('[');
        if (axis == rank - 1)
        {
            // The innermost axis: one row of elements, wrapped under its opening bracket when it gets too long.
            var indent = Prefix.Length + rank;
            var column = indent;
            for (var k = 0; k < shown[axis].Length; k++)
            {
                var i = shown[axis][k];
                var token = i < 0 ? Ellipsis : element.Format(offset + i * strides[axis]);
                if (k > 0)
                {
                    sb.Append(',');
                    column++;
                    if (column + 1 + token.Length > LineWidth - 1)
                    {
                        sb.Append('\n').Append(' ', indent);
                        column = indent;
                    }
                    else
                    {
                        sb.Append(' ');
                        column++;
                    }
                }
                sb.Append(token);
                column += token.Length;
            }
        }
        else
        {
            // Sub-arrays one per line, with a blank line per further level of nesting, as numpy does.
            var separator = "," + new string('\n', rank - axis - 1) + new string(' ', Prefix.Length + axis + 1);
            for (var k = 0; k < shown[axis].Length; k++)
            {
                if (k > 0) sb.Append(separator);
                var i = shown[axis][k];
                if (i < 0) sb.Append(Ellipsis);
                else Render(sb, shown, strides, element, axis + 1, offset + i * strides[axis]);
            }
        }
        sb.Append(']');
    }
}

/// <summary>Formats the elements of one tensor to a common width, chosen from the elements that will be shown.</summary>
internal sealed class ElementFormat
{
    private readonly Tensor _tensor;
    private readonly int _width;
    private readonly bool _scientific;
    private readonly int _digits;
    private readonly int _intWidth;
    private readonly int _fracWidth;
    private readonly int _expWidth;

    private ElementFormat(Tensor tensor, List<int> visible)
    {
        _tensor = tensor;
        _digits = tensor.DType == DType.Float64 ? 6 : 4;
        if (!tensor.DType.IsFloat())
        {
            foreach (var i in visible) _width = Math.Max(_width, Plain(i).Length);
            return;
        }

        double maxAbs = 0, minAbs = double.PositiveInfinity;
        foreach (var i in visible)
        {
            var v = Math.Abs(tensor.GetAsDouble(i));
            if (!double.IsFinite(v)) continue;
            maxAbs = Math.Max(maxAbs, v);
            if (v > 0) minAbs = Math.Min(minAbs, v);
        }
        // Scientific when fixed notation would be too wide, or would print some non-zero element as 0.
        _scientific = maxAbs >= 1e8 || minAbs < Math.Pow(10, -_digits);
        foreach (var i in visible)
        {
            var v = tensor.GetAsDouble(i);
            if (!double.IsFinite(v)) continue;
            var (whole, fraction, exponent) = Parts(v);
            _intWidth = Math.Max(_intWidth, whole.Length);
            _fracWidth = Math.Max(_fracWidth, fraction.Length);
            _expWidth = Math.Max(_expWidth, exponent.Length);
        }
        foreach (var i in visible) _width = Math.Max(_width, Unpadded(i).Length);
    }

    public static ElementFormat For(Tensor tensor, List<int> visible) => new(tensor, visible);

    /// <summary>Element <paramref name="index"/> (row-major), right-aligned to the common width.</summary>
    public string Format(int index) => Unpadded(index).PadLeft(_width);

    private string Unpadded(int index)
    {
        if (!_tensor.DType.IsFloat()) return Plain(index);
        var v = _tensor.GetAsDouble(index);
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        var (whole, fraction, exponent) = Parts(v);
        var text = whole.PadLeft(_intWidth) + fraction.PadRight(_fracWidth);
        return _scientific ? text + "e" + exponent[0] + exponent[1..].PadLeft(_expWidth - 1, '0') : text;
    }

    private string Plain(int index) => _tensor.DType == DType.Bool
        ? (_tensor.GetAsDouble(index) != 0 ? "true" : "false")
        : ((int)_tensor.GetAsDouble(index)).ToString(CultureInfo.InvariantCulture);

    /// <summary>The digits before the point, the point with the digits after it (trailing zeros dropped), and the signed exponent.</summary>
    private (string Whole, string Fraction, string Exponent) Parts(double v)
    {
        string mantissa, exponent = "";
        if (_scientific)
        {
            var text = v.ToString("E" + _digits, CultureInfo.InvariantCulture);   // e.g. -1.2340E+005
            var e = text.IndexOf('E');
            mantissa = text[..e];
            var power = int.Parse(text[(e + 1)..], CultureInfo.InvariantCulture);
            exponent = (power < 0 ? "-" : "+") + Math.Abs(power).ToString("00", CultureInfo.InvariantCulture);
        }
        else mantissa = v.ToString("F" + _digits, CultureInfo.InvariantCulture);
        // Fixed notation drops trailing zeros ("1." not "1.0000"); scientific keeps them so the exponents line up.
        if (!_scientific) mantissa = mantissa.TrimEnd('0');
        var point = mantissa.IndexOf('.');
        return (mantissa[..point], mantissa[point..], exponent);
    }
}
