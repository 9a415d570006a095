using System.Buffers.Binary;
using System.IO.Compression;

namespace Autodiff.Data;

/// <summary>The element types of the IDX format, by the code in the third byte of the magic number.</summary>
public enum IdxType : byte
{
    /// <summary>Unsigned byte (0x08); loads as int32.</summary>
    UInt8 = 0x08,
    /// <summary>Signed byte (0x09); loads as int32.</summary>
    Int8 = 0x09,
    /// <summary>Big-endian signed 16-bit integer (0x0B); loads as int32.</summary>
    Int16 = 0x0B,
    /// <summary>Big-endian signed 32-bit integer (0x0C); loads as int32.</summary>
    Int32 = 0x0C,
    /// <summary>Big-endian IEEE float32 (0x0D); loads as float32.</summary>
    Float32 = 0x0D,
    /// <summary>Big-endian IEEE float64 (0x0E); loads as float64.</summary>
    Float64 = 0x0E,
}

/// <summary>The header of an IDX file: its element type and dimensions, outermost first.</summary>
/// <param name="Type">The element type.</param>
/// <param name="Shape">The dimensions.</param>
public sealed record IdxHeader(IdxType Type, int[] Shape);

/// <summary>
/// Reads IDX files, the format of MNIST and Fashion-MNIST: two zero bytes, an element type code, the number of
/// dimensions, each dimension as a big-endian 32-bit integer, then the elements, big-endian, row-major. Files may be
/// gzip-compressed (recognised by the gzip magic bytes 1f 8b, whatever the name). Everything is checked: the magic,
/// the type, the dimensions and the exact length; an error names the file and what is wrong.
/// </summary>
public static class Idx
{
    /// <summary>
    /// The array in the IDX file at <paramref name="path"/> (raw or gzip) as a tensor of its shape: integer types as
    /// int32, float32 as float32, float64 as float64.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a well-formed IDX file; the message names it.</exception>
    public static Tensor Read(string path)
    {
        var file = IdxFile.Read(path);
        return new Tensor(file.Decode(), file.Header.Shape);
    }

    /// <summary>The header of the IDX file at <paramref name="path"/> (raw or gzip), after checking the file's length against it.</summary>
    public static IdxHeader ReadHeader(string path) => IdxFile.Read(path).Header;
}

/// <summary>A checked IDX file in memory: its header and where the elements start in <see cref="Bytes"/>.</summary>
internal sealed class IdxFile
{
    private IdxFile(string path, IdxHeader header, byte[] bytes, int dataStart)
    {
        Path = path;
        Header = header;
        Bytes = bytes;
        DataStart = dataStart;
    }

    public string Path { get; }

    public IdxHeader Header { get; }

    /// <summary>The whole file, decompressed.</summary>
    public byte[] Bytes { get; }

    public int DataStart { get; }

    /// <summary>The number of elements.</summary>
    public int Count => (Bytes.Length - DataStart) / ElementSize(Header.Type);

    /// <summary>Reads and checks the file at <paramref name="path"/>.</summary>
    public static IdxFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Idx: {path} does not exist", path);
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Checks IDX bytes (raw or gzip) that came from <paramref name="source"/> (a path or URL, for messages).</summary>
    public static IdxFile Parse(byte[] bytes, string source)
    {
        var compressed = IsGzip(bytes);
        var data = compressed ? Decompressed(bytes, source) : bytes;
        var what = compressed ? "decompressed file" : "file";
        if (data.Length < 4)
            throw Bad(source, $"the {what} is {data.Length} bytes long, shorter than the 4-byte IDX magic number");
        if (data[0] != 0 || data[1] != 0)
            throw Bad(source, $"the magic number starts with 0x{data[0]:x2} 0x{data[1]:x2}, not 0x00 0x00: not an IDX file");
        var type = (IdxType)data[2];
        if (!Enum.IsDefined(type))
            throw Bad(source, $"element type code 0x{data[2]:x2} is not an IDX type (0x08 u8, 0x09 i8, 0x0B i16, 0x0C i32, 0x0D f32, 0x0E f64)");
        var rank = data[3];
        var dataStart = 4 + 4 * rank;
        if (data.Length < dataStart)
            throw Bad(source, $"the header declares {rank} dimensions ({dataStart} header bytes) but the {what} is only {data.Length} bytes long: truncated");
        var shape = new int[rank];
        long count = 1;
        for (var d = 0; d < rank; d++)
        {
            var dim = BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(4 + 4 * d));
            if (dim > int.MaxValue)
                throw Bad(source, $"dimension {d} is {dim}, larger than a tensor can hold");
            shape[d] = (int)dim;
            count *= dim;
            if (count > int.MaxValue)
                throw Bad(source, $"dimensions [{string.Join(", ", shape[..(d + 1)])}…] hold more elements than a tensor can");
        }
        var expected = dataStart + count * ElementSize(type);
        if (data.Length != expected)
        {
            var problem = data.Length < expected ? "truncated" : $"{data.Length - expected} bytes too long";
            throw Bad(source, $"a {type} array of shape [{string.Join(", ", shape)}] takes {expected} bytes with its header, but the {what} has {data.Length}: {problem}");
        }
        return new IdxFile(source, new IdxHeader(type, shape), data, dataStart);
    }

    /// <summary>The elements as the storage array of their tensor dtype.</summary>
    public Array Decode()
    {
        var (bytes, start) = (Bytes, DataStart);
        return Header.Type switch
        {
            IdxType.UInt8 => Elements(i => (int)bytes[start + i]),
            IdxType.Int8 => Elements(i => (int)(sbyte)bytes[start + i]),
            IdxType.Int16 => Elements(i => (int)BinaryPrimitives.ReadInt16BigEndian(bytes.AsSpan(start + 2 * i))),
            IdxType.Int32 => Elements(i => BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(start + 4 * i))),
            IdxType.Float32 => Elements(i => BinaryPrimitives.ReadSingleBigEndian(bytes.AsSpan(start + 4 * i))),
            IdxType.Float64 => Elements(i => BinaryPrimitives.ReadDoubleBigEndian(bytes.AsSpan(start + 8 * i))),
            _ => throw new InvalidOperationException($"Idx: no decoder for {Header.Type}"),
        };
    }

    private T[] Elements<T>(Func<int, T> at)
    {
        var values = new T[Count];
        for (var i = 0; i < values.Length; i++) values[i] = at(i);
        return values;
    }

    /// <summary>The unsigned-byte elements themselves (for images, which are scaled straight to float).</summary>
    public ReadOnlySpan<byte> UInt8Elements(string expectedFor)
    {
        if (Header.Type != IdxType.UInt8)
            throw Bad(Path, $"{expectedFor} must be unsigned bytes (IDX type 0x08), but this file holds {Header.Type}");
        return Bytes.AsSpan(DataStart);
    }

    public static int ElementSize(IdxType type) => type switch
    {
        IdxType.UInt8 or IdxType.Int8 => 1,
        IdxType.Int16 => 2,
        IdxType.Int32 or IdxType.Float32 => 4,
        IdxType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "not an IDX type"),
    };

    /// <summary>Whether <paramref name="bytes"/> start with the gzip magic number 1f 8b.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    private static byte[] Decompressed(byte[] bytes, string source)
    {
        if (!IsGzip(bytes)) return bytes;
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
            using var output = new MemoryStream(bytes.Length * 4);
            gzip.CopyTo(output);
            return output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw Bad(source, $"it starts like gzip (1f 8b) but does not decompress: {e.Message}", e);
        }
        catch (EndOfStreamException e)
        {
            throw Bad(source, $"the gzip stream ends early: truncated ({e.Message})", e);
        }
    }

    public static InvalidDataException Bad(string source, string problem, Exception? inner = null) =>
        new($"Idx: {source} is not a valid IDX file: {problem}", inner);
}
