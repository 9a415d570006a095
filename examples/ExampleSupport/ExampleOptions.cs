using System.Globalization;

namespace Autodiff.Examples;

/// <summary>
/// The command line every example takes: <c>--epochs</c>, <c>--batch-size</c>, <c>--lr</c>, <c>--seed</c>,
/// <c>--data-dir</c>, <c>--checkpoint</c>, plus any extra string options an example declares. Defaults come from the
/// example, so running it with no arguments reproduces the accuracy its README line states.
/// </summary>
public sealed record ExampleOptions
{
    /// <summary>The number of passes over the training set.</summary>
    public required int Epochs { get; init; }

    /// <summary>The training batch size.</summary>
    public required int BatchSize { get; init; }

    /// <summary>The peak learning rate.</summary>
    public required double LearningRate { get; init; }

    /// <summary>The seed of the root PRNG key (initialisation, shuffling, dropout).</summary>
    public int Seed { get; init; }

    /// <summary>Where MNIST is cached, or null for <c>$GRAD_DATA_DIR</c> or the user's data folder.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Where the trained model's checkpoint is written.</summary>
    public required string CheckpointPath { get; init; }

    /// <summary>The example's own options (name without dashes → value).</summary>
    public IReadOnlyDictionary<string, string> Extra { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Parses <paramref name="args"/> over <paramref name="defaults"/>. <paramref name="extra"/> names the example's own
    /// options with their defaults. Returns null after printing usage when <c>--help</c> is given.
    /// </summary>
    /// <exception cref="ArgumentException">An option is unknown, lacks a value, or its value does not parse or is out of range.</exception>
    public static ExampleOptions? Parse(string[] args, ExampleOptions defaults, string programName,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(defaults);
        var options = defaults with { Extra = new Dictionary<string, string>(extra ?? new Dictionary<string, string>()) };
        var extras = (Dictionary<string, string>)options.Extra;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                Console.WriteLine(Usage(programName, defaults, extras));
                return null;
            }
            if (!name.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"{programName}: unexpected argument '{name}'\n{Usage(programName, defaults, extras)}");
            if (i + 1 >= args.Length) throw new ArgumentException($"{programName}: option {name} needs a value");
            var value = args[++i];
            options = name switch
            {
                "--epochs" => options with { Epochs = Positive(name, value) },
                "--batch-size" => options with { BatchSize = Positive(name, value) },
                "--lr" => options with { LearningRate = PositiveReal(name, value) },
                "--seed" => options with { Seed = Integer(name, value) },
                "--data-dir" => options with { DataDirectory = value },
                "--checkpoint" => options with { CheckpointPath = value },
                _ when extras.ContainsKey(name[2..]) => Set(options, extras, name[2..], value),
                _ => throw new ArgumentException($"{programName}: unknown option {name}\n{Usage(programName, defaults, extras)}"),
            };
        }
        return options;
    }

    /// <summary>One line naming every setting, printed at the start of a run so its log says how it was made.</summary>
    public string Describe() =>
        string.Create(CultureInfo.InvariantCulture,
            $"epochs {Epochs}, batch size {BatchSize}, lr {LearningRate}, seed {Seed}, threads {Parallelism.MaxThreads}")
        + string.Concat(Extra.Select(pair => $", {pair.Key} {pair.Value}"));

    private static ExampleOptions Set(ExampleOptions options, Dictionary<string, string> extras, string name, string value)
    {
        extras[name] = value;
        return options;
    }

    private static int Integer(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var result)
            ? result
            : throw new ArgumentException($"option {name}: '{value}' is not an integer");

    private static int Positive(string name, string value) =>
        Integer(name, value) is var result and > 0 ? result : throw new ArgumentException($"option {name}: {value} must be at least 1");

    private static double PositiveReal(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var result) && result > 0 && double.IsFinite(result)
            ? result
            : throw new ArgumentException($"option {name}: '{value}' is not a positive number");

    private static string Usage(string programName, ExampleOptions defaults, Dictionary<string, string> extras) =>
        string.Create(CultureInfo.InvariantCulture, $"""
            usage: {programName} [options]
              --epochs N        passes over the training set (default {defaults.Epochs})
              --batch-size N    training batch size (default {defaults.BatchSize})
              --lr X            peak learning rate (default {defaults.LearningRate})
              --seed N          root PRNG seed (default {defaults.Seed})
              --data-dir DIR    MNIST cache folder (default $GRAD_DATA_DIR/mnist or the user's data folder)
              --checkpoint F    where to save the trained model (default {defaults.CheckpointPath})
            """)
        + string.Concat(extras.Select(pair => $"\n  --{pair.Key,-16}(default {pair.Value})"));
}
