using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace Autodiff.Checkpoints;

/// <summary>The contents of a safetensors file: its tensors by name and its free-form string metadata.</summary>
/// <param name="Tensors">The tensors, keyed by name.</param>
/// <param name="Metadata">The header's <c>__metadata__</c> map (empty when the file has none).</param>
public sealed record SafeTensorsFile(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata);

/// <summary>
/// Reads and writes the safetensors format: an 8-byte little-endian unsigned header length N, then N bytes of UTF-8
/// JSON <c>{"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, …, "__metadata__": {…}}</c>, then
/// the tensors' bytes, row-major and little-endian, with offsets counted from the first byte after the header. The
/// data is one contiguous buffer with no gaps or overlaps. Grad writes float32, float64, int32 and bool as F32, F64,
/// I32 and BOOL, orders the data by element size (largest first) then by name, and pads the header with spaces so the
/// data starts at a multiple of 8 bytes, as the reference writer does; every tensor is then aligned to its element size.
/// </summary>
public static class SafeTensors
{
    /// <summary>The header key reserved for metadata.</summary>
    public const string MetadataKey = "__metadata__";

    /// <summary>Largest header accepted (the reference implementation's limit): a bigger one is taken as corruption.</summary>
    public const long MaxHeaderLength = 100_000_000;

    /// <summary>
    /// Writes <paramref name="tensors"/> (names must be distinct and not <c>__metadata__</c>) and optional
    /// <paramref name="metadata"/> to <paramref name="path"/> atomically: a temporary file in the same directory is
    /// written, flushed to disk and renamed over the target, so a crash never leaves a half-written file.
    /// </summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var named = Validate(tensors, metadata);
        AtomicFile.Write(path, stream => Write(stream, named, metadata));
    }

    /// <summary>Reads every tensor of the safetensors file at <paramref name="path"/>, checking the whole file first.</summary>
    /// <exception cref="InvalidDataException">The file is truncated or corrupt; the message names the file and the problem.</exception>
    public static SafeTensorsFile Load(string path)
    {
        using var stream = OpenRead(path);
        var header = SafeTensorsHeader.Read(stream, path);
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var entry in header.Entries) tensors.Add(entry.Name, header.ReadTensor(stream, entry));
        return new SafeTensorsFile(tensors, header.Metadata);
    }

    internal static FileStream OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1 << 16);
    }

    private static KeyValuePair<string, Tensor>[] Validate(IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var named = tensors.ToArray();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, tensor) in named)
        {
            if (name is null) throw new ArgumentException("SafeTensors.Save: a tensor name is null");
            if (name == MetadataKey) throw new ArgumentException($"SafeTensors.Save: \"{MetadataKey}\" is reserved for metadata and cannot name a tensor");
            if (tensor is null) throw new ArgumentException($"SafeTensors.Save: the tensor named \"{name}\" is null");
            if (!seen.Add(name)) throw new ArgumentException($"SafeTensors.Save: two tensors are named \"{name}\"");
        }
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
                if (key is null || value is null) throw new ArgumentException($"SafeTensors.Save: metadata entry \"{key}\" has a null key or value");
        }
        return named;
    }

    /// <summary>Writes the format to <paramref name="stream"/>: header length, padded JSON header, data.</summary>
    internal static void Write(Stream stream, IReadOnlyList<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        // Largest elements first, then by name: each tensor starts at a multiple of its element size.
        var ordered = tensors
            .OrderByDescending(t => SafeTensorsDType.For(t.Value.DType).Size)
            .ThenBy(t => t.Key, StringComparer.Ordinal)
            .ToArray();
        var json = new MemoryStream();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal)) writer.WriteString(key, value);
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var (name, tensor) in ordered)
            {
                var type = SafeTensorsDType.For(tensor.DType);
                var end = offset + (long)tensor.Size * type.Size;
                writer.WriteStartObject(name);
                writer.WriteString("dtype", type.Name);
                writer.WriteStartArray("shape");
                foreach (var d in tensor.Dims) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset = end;
            }
            writer.WriteEndObject();
        }
        var padding = (int)((8 - json.Length % 8) % 8);
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)(json.Length + padding));
        stream.Write(length);
        json.Position = 0;
        json.CopyTo(stream);
        for (var i = 0; i < padding; i++) stream.WriteByte((byte)' ');
        foreach (var (_, tensor) in ordered) SafeTensorsDType.Encode(tensor, stream);
    }
}

/// <summary>One tensor's entry in a header, with offsets made absolute in the file.</summary>
internal sealed record SafeTensorsEntry(string Name, SafeTensorsDType Type, int[] Shape, int Count, long Start, long End);

/// <summary>A header read from a file and checked against it: every problem a corrupt or truncated file can have is found here.</summary>
internal sealed class SafeTensorsHeader
{
    private readonly string _file;

    private SafeTensorsHeader(string file, SafeTensorsEntry[] entries, IReadOnlyDictionary<string, string> metadata)
    {
        _file = file;
        Entries = entries;
        Metadata = metadata;
    }

    /// <summary>The tensors in header order.</summary>
    public SafeTensorsEntry[] Entries { get; }

    /// <summary>The <c>__metadata__</c> map, empty if absent.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>Reads and checks the header of the file open in <paramref name="stream"/>; <paramref name="file"/> names it in errors.</summary>
    public static SafeTensorsHeader Read(Stream stream, string file)
    {
        var fileLength = stream.Length;
        if (fileLength < 8)
            throw Corrupt(file, $"the file is {fileLength} bytes long, shorter than the 8-byte header length that starts every safetensors file");
        Span<byte> prefix = stackalloc byte[8];
        stream.Position = 0;
        stream.ReadExactly(prefix);
        var headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > (ulong)(fileLength - 8))
            throw Corrupt(file, $"the header length is {headerLength} bytes but only {fileLength - 8} bytes follow it (the file is {fileLength} bytes): truncated, or not a safetensors file");
        if (headerLength > SafeTensors.MaxHeaderLength)
            throw Corrupt(file, $"the header length is {headerLength} bytes, more than the {SafeTensors.MaxHeaderLength} a safetensors reader accepts");
        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        var dataStart = 8 + (long)headerLength;
        var entries = Parse(file, headerBytes, out var metadata);
        CheckCoverage(file, entries, fileLength - dataStart);
        var absolute = Array.ConvertAll(entries, e => e with { Start = dataStart + e.Start, End = dataStart + e.End });
        return new SafeTensorsHeader(file, absolute, metadata);
    }

    /// <summary>Reads one tensor's data from <paramref name="stream"/>.</summary>
    public Tensor ReadTensor(Stream stream, SafeTensorsEntry entry)
    {
        var bytes = new byte[entry.End - entry.Start];
        stream.Position = entry.Start;
        stream.ReadExactly(bytes);
        var data = entry.Type.Decode(bytes, entry.Count, $"SafeTensors: {_file}: tensor \"{entry.Name}\"");
        return new Tensor(data, entry.Shape);
    }

    private static SafeTensorsEntry[] Parse(string file, byte[] headerBytes, out IReadOnlyDictionary<string, string> metadata)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(headerBytes);
        }
        catch (DecoderFallbackException e)
        {
            throw Corrupt(file, $"the header is not valid UTF-8 ({e.Message})", e);
        }
        if (!text.StartsWith('{'))
            throw Corrupt(file, $"the header must be a JSON object starting with '{{' but starts with {Quote(text[..Math.Min(20, text.Length)])}");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw Corrupt(file, $"the header is not valid JSON: {e.Message}", e);
        }
        using (document)
        {
            var root = document.RootElement;
            var entries = new List<SafeTensorsEntry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            metadata = new Dictionary<string, string>();
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name))
                    throw Corrupt(file, $"the header names \"{property.Name}\" twice");
                if (property.Name == SafeTensors.MetadataKey)
                    metadata = ParseMetadata(file, property.Value);
                else
                    entries.Add(ParseEntry(file, property.Name, property.Value));
            }
            return [.. entries];
        }
    }

    private static Dictionary<string, string> ParseMetadata(string file, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Corrupt(file, $"\"{SafeTensors.MetadataKey}\" must be an object of strings, got a JSON {value.ValueKind}");
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Corrupt(file, $"metadata \"{item.Name}\" must be a string, got a JSON {item.Value.ValueKind}");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Corrupt(file, $"the metadata names \"{item.Name}\" twice");
        }
        return metadata;
    }

    private static SafeTensorsEntry ParseEntry(string file, string name, JsonElement value)
    {
        var where = $"tensor \"{name}\"";
        if (value.ValueKind != JsonValueKind.Object)
            throw Corrupt(file, $"{where} must be an object with dtype, shape and data_offsets, got a JSON {value.ValueKind}");
        JsonElement? dtype = null, shape = null, offsets = null;
        foreach (var field in value.EnumerateObject())
        {
            switch (field.Name)
            {
                case "dtype" when dtype is null: dtype = field.Value; break;
                case "shape" when shape is null: shape = field.Value; break;
                case "data_offsets" when offsets is null: offsets = field.Value; break;
                default: throw Corrupt(file, $"{where} has an unexpected or repeated field \"{field.Name}\"; expected dtype, shape and data_offsets once each");
            }
        }
        if (dtype is not { ValueKind: JsonValueKind.String } typeName)
            throw Corrupt(file, $"{where} needs a string \"dtype\"");
        var type = SafeTensorsDType.Parse(typeName.GetString()!)
            ?? throw Corrupt(file, $"{where} has dtype \"{typeName.GetString()}\", which Grad does not read; it reads {SafeTensorsDType.Supported}");
        var dims = Naturals(file, where, "shape", shape, count: null);
        var range = Naturals(file, where, "data_offsets", offsets, count: 2);
        var shapeArray = new int[dims.Length];
        long elements = 1;
        for (var i = 0; i < dims.Length; i++)
        {
            if (dims[i] > int.MaxValue)
                throw Corrupt(file, $"{where} has dimension {dims[i]}, larger than a Grad tensor can hold");
            shapeArray[i] = (int)dims[i];
            elements *= (long)dims[i];
            if (elements > int.MaxValue)
                throw Corrupt(file, $"{where} has shape [{string.Join(", ", dims)}], more elements than a Grad tensor can hold");
        }
        var (begin, end) = (range[0], range[1]);
        if (begin > end)
            throw Corrupt(file, $"{where} has data_offsets [{begin}, {end}]: the end comes before the beginning");
        var expected = (ulong)elements * (ulong)type.Size;
        if (end - begin != expected)
            throw Corrupt(file, $"{where} has data_offsets [{begin}, {end}] ({end - begin} bytes) but {type.Name} shape [{string.Join(", ", dims)}] needs {elements} × {type.Size} = {expected} bytes");
        if (end > long.MaxValue / 2)
            throw Corrupt(file, $"{where} has data_offsets [{begin}, {end}], beyond any file");
        return new SafeTensorsEntry(name, type, shapeArray, (int)elements, (long)begin, (long)end);
    }

    /// <summary>A JSON array of non-negative integers (of <paramref name="count"/> items when given).</summary>
    private static ulong[] Naturals(string file, string where, string field, JsonElement? value, int? count)
    {
        if (value is not { ValueKind: JsonValueKind.Array } array)
            throw Corrupt(file, $"{where} needs an array \"{field}\"");
        var items = new List<ulong>();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetUInt64(out var n))
                throw Corrupt(file, $"{where} has {field} {array.GetRawText()}: every entry must be a non-negative integer");
            items.Add(n);
        }
        if (count is { } wanted && items.Count != wanted)
            throw Corrupt(file, $"{where} has {field} {array.GetRawText()}: expected exactly {wanted} numbers");
        return [.. items];
    }

    /// <summary>The data ranges, in offset order, must tile the data buffer exactly: from 0, without gaps or overlaps, to its end.</summary>
    private static void CheckCoverage(string file, SafeTensorsEntry[] entries, long bufferLength)
    {
        var ordered = entries.OrderBy(e => e.Start).ThenBy(e => e.End).ToArray();
        long covered = 0;
        SafeTensorsEntry? previous = null;
        foreach (var entry in ordered)
        {
            if (entry.Start < covered)
                throw Corrupt(file, $"tensor \"{entry.Name}\" (bytes {entry.Start}..{entry.End}) overlaps tensor \"{previous!.Name}\" (bytes {previous.Start}..{previous.End})");
            if (entry.Start > covered)
                throw Corrupt(file, $"bytes {covered}..{entry.Start} of the data belong to no tensor (a gap before tensor \"{entry.Name}\")");
            if (entry.End > bufferLength)
                throw Corrupt(file, $"tensor \"{entry.Name}\" has data_offsets [{entry.Start}, {entry.End}] but the data after the header is only {bufferLength} bytes: truncated");
            covered = entry.End;
            previous = entry;
        }
        if (covered != bufferLength)
            throw Corrupt(file, $"the tensors cover {covered} bytes of data but {bufferLength} bytes follow the header: {bufferLength - covered} trailing bytes belong to no tensor");
    }

    private static string Quote(string s) => JsonSerializer.Serialize(s);

    private static InvalidDataException Corrupt(string file, string problem, Exception? inner = null) =>
        new($"SafeTensors: {file} is not a valid safetensors file: {problem}", inner);
}
