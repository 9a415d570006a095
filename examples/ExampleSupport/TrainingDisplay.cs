using System.Globalization;
using Autodiff.Training;
using Spectre.Console;

namespace Autodiff.Examples;

/// <summary>
/// Shows a training run: a live progress bar per epoch when the console is interactive (each bar ends as its epoch's
/// summary), and one plain line per epoch when output is redirected (so logs and tests read stable text).
/// </summary>
public static class TrainingDisplay
{
    /// <summary>
    /// Runs <paramref name="fit"/>, giving it the step and epoch callbacks that drive the display, and returns its result.
    /// </summary>
    public static T Run<T>(int epochs, Func<Action<StepReport>, Action<EpochReport>, T> fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        if (!AnsiConsole.Profile.Capabilities.Interactive || Console.IsOutputRedirected)
            return fit(_ => { }, report => Console.WriteLine(Line(report, epochs)));

        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(context =>
            {
                ProgressTask? task = null;
                result = fit(
                    step =>
                    {
                        if (task is null || step.Step == 1)
                            task = context.AddTask($"epoch {step.Epoch}/{epochs}", maxValue: step.StepsInEpoch);
                        task.Value = step.Step;
                        task.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {step.Epoch}/{epochs} loss {step.Loss:F4}");
                    },
                    report =>
                    {
                        if (task is not null) task.Description = Markup.Escape(Line(report, epochs));
                    });
            });
        return result;
    }

    /// <summary>The plain-text line for one epoch: losses, accuracies (in %), time and speed.</summary>
    public static string Line(EpochReport report, int epochs)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = string.Create(CultureInfo.InvariantCulture, $"epoch {report.Epoch}/{epochs}: train loss {report.TrainLoss:F4}");
        if (report.TrainAccuracy is { } trainAccuracy) text += string.Create(CultureInfo.InvariantCulture, $", train accuracy {100 * trainAccuracy:F2}%");
        if (report.Test is { } test)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", test loss {test.Loss:F4}");
            if (test.Accuracy is { } accuracy) text += string.Create(CultureInfo.InvariantCulture, $", test accuracy {100 * accuracy:F2}%");
        }
        return text + string.Create(CultureInfo.InvariantCulture, $" ({report.TrainSeconds:F1} s, {report.SamplesPerSecond:F0} samples/s)");
    }
}
