using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Autodiff.Checkpoints;

/// <summary>
/// One element type of the safetensors format, by its name in the header (<c>F32</c>, <c>BF16</c>, …): its size in
/// bytes, the Grad dtype it loads as, and how its little-endian bytes become that dtype's elements. Grad writes
/// F32, F64, I32 and BOOL (its own dtypes, exactly); it also reads the narrower floats (F16, BF16 → float32) and the
/// other integers (→ int32, refusing values int32 cannot hold).
/// </summary>
internal sealed class SafeTensorsDType
{
    private delegate Array Decoder(byte[] bytes, int count, string where);

    private readonly Decoder _decode;

    private SafeTensorsDType(string name, int size, DType loadsAs, Decoder decode)
    {
        Name = name;
        Size = size;
        LoadsAs = loadsAs;
        _decode = decode;
    }

    /// <summary>The name in the header, e.g. <c>F32</c>.</summary>
    public string Name { get; }

    /// <summary>Bytes per element.</summary>
    public int Size { get; }

    /// <summary>The Grad dtype a tensor stored in this type loads as.</summary>
    public DType LoadsAs { get; }

    /// <summary>The elements of <paramref name="bytes"/> (little-endian) as the storage array of <see cref="LoadsAs"/>; <paramref name="where"/> names the tensor in errors.</summary>
    public Array Decode(byte[] bytes, int count, string where) => _decode(bytes, count, where);

    private static readonly SafeTensorsDType[] All =
    [
        new("F64", 8, DType.Float64, (b, n, _) => Direct<double>(b, n)),
        new("F32", 4, DType.Float32, (b, n, _) => Direct<float>(b, n)),
        new("I32", 4, DType.Int32, (b, n, _) => Direct<int>(b, n)),
        new("BOOL", 1, DType.Bool, Booleans),
        new("F16", 2, DType.Float32, (b, n, _) => Floats(n, i => (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(2 * i))))),
        // bfloat16 is the high half of a float32.
        new("BF16", 2, DType.Float32, (b, n, _) => Floats(n, i => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(2 * i)) << 16))),
        new("I64", 8, DType.Int32, (b, n, w) => Integers(n, w, "I64", i => BinaryPrimitives.ReadInt64LittleEndian(b.AsSpan(8 * i)))),
        new("U64", 8, DType.Int32, (b, n, w) => Integers(n, w, "U64", i => (long)Math.Min(BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan(8 * i)), long.MaxValue))),
        new("U32", 4, DType.Int32, (b, n, w) => Integers(n, w, "U32", i => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan(4 * i)))),
        new("I16", 2, DType.Int32, (b, n, w) => Integers(n, w, "I16", i => BinaryPrimitives.ReadInt16LittleEndian(b.AsSpan(2 * i)))),
        new("U16", 2, DType.Int32, (b, n, w) => Integers(n, w, "U16", i => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan(2 * i)))),
        new("I8", 1, DType.Int32, (b, n, w) => Integers(n, w, "I8", i => (sbyte)b[i])),
        new("U8", 1, DType.Int32, (b, n, w) => Integers(n, w, "U8", i => b[i])),
    ];

    /// <summary>The names this reader understands, for error messages.</summary>
    public static string Supported => string.Join(", ", All.Select(t => t.Name));

    /// <summary>The type named <paramref name="name"/> in a header, or null when it is not one Grad reads (e.g. F8_E4M3).</summary>
    public static SafeTensorsDType? Parse(string name) => Array.Find(All, t => t.Name == name);

    /// <summary>The type Grad writes for a tensor of <paramref name="dtype"/>: the same values, bit for bit.</summary>
    public static SafeTensorsDType For(DType dtype) => dtype switch
    {
        DType.Float64 => All[0],
        DType.Float32 => All[1],
        DType.Int32 => All[2],
        DType.Bool => All[3],
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    /// <summary>Writes the tensor's elements to <paramref name="stream"/> as little-endian bytes, in the form <see cref="For"/> names.</summary>
    public static void Encode(Tensor tensor, Stream stream)
    {
        switch (tensor.RawData)
        {
            case double[] d: WriteLittleEndian<double>(d, stream); break;
            case float[] f: WriteLittleEndian<float>(f, stream); break;
            case int[] n: WriteLittleEndian<int>(n, stream); break;
            // A .NET bool is one byte but only 0 and 1 are BOOL values: convert rather than trust the storage.
            case bool[] b: stream.Write(Array.ConvertAll(b, v => v ? (byte)1 : (byte)0)); break;
            default: throw new InvalidOperationException($"SafeTensors: no encoding for storage {tensor.RawData.GetType().Name}");
        }
        GC.KeepAlive(tensor);
    }

    private static void WriteLittleEndian<T>(T[] values, Stream stream) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (BitConverter.IsLittleEndian)
        {
            stream.Write(bytes);
            return;
        }
        var swapped = bytes.ToArray();
        ReverseEach(swapped, Marshal.SizeOf<T>());
        stream.Write(swapped);
    }

    private static T[] Direct<T>(byte[] bytes, int count) where T : unmanaged
    {
        var values = new T[count];
        var target = MemoryMarshal.AsBytes(values.AsSpan());
        bytes.AsSpan(0, target.Length).CopyTo(target);
        if (!BitConverter.IsLittleEndian) ReverseEach(target, Marshal.SizeOf<T>());
        return values;
    }

    private static void ReverseEach(Span<byte> bytes, int size)
    {
        for (var i = 0; i + size <= bytes.Length; i += size) bytes.Slice(i, size).Reverse();
    }

    private delegate float FloatAt(int index);

    private delegate long IntegerAt(int index);

    private static float[] Floats(int count, FloatAt at)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++) values[i] = at(i);
        return values;
    }

    private static int[] Integers(int count, string where, string type, IntegerAt at)
    {
        var values = new int[count];
        for (var i = 0; i < count; i++)
        {
            var value = at(i);
            if (value is < int.MinValue or > int.MaxValue)
                throw new InvalidDataException($"{where}: element {i} of this {type} tensor is {value}, which int32 (the dtype it loads as) cannot hold");
            values[i] = (int)value;
        }
        return values;
    }

    private static Array Booleans(byte[] bytes, int count, string where)
    {
        var values = new bool[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = bytes[i] switch
            {
                0 => false,
                1 => true,
                var other => throw new InvalidDataException($"{where}: element {i} of this BOOL tensor is the byte 0x{other:x2}; a BOOL is 0 or 1"),
            };
        }
        return values;
    }
}
