using System.Diagnostics;
using Autodiff.Data;
using Autodiff.Nn;
using Autodiff.Optimizers;

namespace Autodiff.Training;

/// <summary>One optimizer step, as <see cref="FitOptions.OnStep"/> sees it.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="Step">The step within the epoch, from 1.</param>
/// <param name="StepsInEpoch">The number of steps in each epoch.</param>
/// <param name="Loss">The batch's loss before the update.</param>
/// <param name="Accuracy">The batch's accuracy before the update, for a classification loss; otherwise null.</param>
public readonly record struct StepReport(int Epoch, int Step, int StepsInEpoch, double Loss, double? Accuracy);

/// <summary>A model's mean loss and accuracy over a dataset.</summary>
/// <param name="Loss">The loss averaged over examples.</param>
/// <param name="Accuracy">The fraction of examples whose largest logit is the label, for a classification loss; otherwise null.</param>
/// <param name="Count">The number of examples evaluated.</param>
public sealed record Evaluation(double Loss, double? Accuracy, int Count);

/// <summary>What one epoch did: the training figures, the evaluation on the test set if one was given, and the speed.</summary>
/// <param name="Epoch">The epoch, from 1.</param>
/// <param name="TrainLoss">The training loss averaged over the epoch's examples (each batch's loss taken before its update).</param>
/// <param name="TrainAccuracy">The training accuracy averaged the same way, for a classification loss; otherwise null.</param>
/// <param name="Test">The evaluation on <see cref="FitOptions.Test"/> after the epoch, or null when none was given.</param>
/// <param name="TrainSeconds">The wall time of the epoch's optimizer steps, evaluation excluded.</param>
/// <param name="SamplesPerSecond">Training examples per second of <paramref name="TrainSeconds"/>.</param>
public sealed record EpochReport(int Epoch, double TrainLoss, double? TrainAccuracy, Evaluation? Test, double TrainSeconds, double SamplesPerSecond);

/// <summary>The result of <see cref="Trainer.Fit{T}"/>: the trained model, the optimizer state to resume from, one report per epoch.</summary>
/// <typeparam name="T">The model's type (a parameter tree).</typeparam>
public sealed record FitResult<T>(T Model, OptState OptimizerState, IReadOnlyList<EpochReport> History);

/// <summary>The result of the stateful <see cref="Trainer.Fit{T, TState}"/>: as <see cref="FitResult{T}"/>, plus the layers' state after training.</summary>
/// <typeparam name="T">The model's type (a parameter tree).</typeparam>
/// <typeparam name="TState">The model's non-trainable state, e.g. <c>Sequential.InitialState()</c> with batch-norm statistics.</typeparam>
public sealed record FitResult<T, TState>(T Model, TState State, OptState OptimizerState, IReadOnlyList<EpochReport> History);

/// <summary>How <see cref="Trainer.Fit{T}"/> trains. Every property has a default; nothing is printed unless a callback prints it.</summary>
public sealed record FitOptions
{
    /// <summary>The number of passes over the training loader. Default 1.</summary>
    public int Epochs { get; init; } = 1;

    /// <summary>The loss of (model output, targets), reduced to a scalar mean. Default: softmax cross-entropy with integer labels.</summary>
    public Func<Tensor, Tensor, Tensor> Loss { get; init; } = (logits, labels) => Losses.SoftmaxCrossEntropy(logits, labels);

    /// <summary>Whether the outputs are class logits and the targets integer labels, so accuracy is reported. Default true.</summary>
    public bool Classification { get; init; } = true;

    /// <summary>A held-out set evaluated (in inference mode) after every epoch, or null for none.</summary>
    public (Tensor X, Tensor Y)? Test { get; init; }

    /// <summary>The batch size for evaluation, which needs no gradients and so can be larger. Default 1000.</summary>
    public int EvaluationBatchSize { get; init; } = 1000;

    /// <summary>The optimizer state to start from (e.g. loaded from a checkpoint), or null for <c>optimizer.Init(model)</c>.</summary>
    public OptState? OptimizerState { get; init; }

    /// <summary>Called after every optimizer step; for progress display.</summary>
    public Action<StepReport>? OnStep { get; init; }

    /// <summary>Called after every epoch (and its evaluation).</summary>
    public Action<EpochReport>? OnEpoch { get; init; }

    /// <summary>These options with <see cref="Test"/> set to (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public FitOptions WithTest(Tensor x, Tensor y) => this with { Test = (x, y) };
}

/// <summary>
/// A training loop as a function: epochs over a loader, <see cref="Grad.ValueAndGrad{TParams,TAux}"/> plus an optimizer
/// update per batch, evaluation after each epoch. The model goes in and the trained model comes out; nothing is
/// mutated and nothing is printed. Models with running state (batch norm) use the stateful overload, which threads the
/// state from step to step and returns it.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> with <paramref name="optimizer"/> on the batches of <paramref name="data"/> for
    /// <see cref="FitOptions.Epochs"/> epochs. <paramref name="forward"/> maps (model, inputs, mode) to outputs; in
    /// training the mode carries a key derived from <paramref name="key"/>, the epoch and the step (for dropout), so the
    /// run is a pure function of its arguments.
    /// </summary>
    /// <typeparam name="T">The model's type: any parameter tree.</typeparam>
    /// <exception cref="ArgumentException">The options ask for fewer than one epoch or a non-positive evaluation batch size.</exception>
    public static FitResult<T> Fit<T>(T model, GradientTransformation optimizer, DataLoader<(Tensor X, Tensor Y)> data,
        Func<T, Tensor, Mode, Tensor> forward, Key key, FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(forward);
        var result = Fit<T, object?>(model, null, optimizer, data, (m, x, state, mode) => (forward(m, x, mode), state), key, options);
        return new FitResult<T>(result.Model, result.OptimizerState, result.History);
    }

    /// <summary>
    /// <see cref="Fit{T}"/> for a model with non-trainable state threaded through its forward pass, such as batch-norm
    /// running statistics: <paramref name="forward"/> maps (model, inputs, state, mode) to (outputs, next state). In
    /// training each step's state feeds the next; evaluation reads the current state in inference mode. Nothing is
    /// mutated: the final state comes back in the result, next to the trained model.
    /// </summary>
    /// <typeparam name="T">The model's type: any parameter tree.</typeparam>
    /// <typeparam name="TState">The state's type, e.g. <c>object?[]</c> from <c>Sequential.InitialState()</c>.</typeparam>
    /// <exception cref="ArgumentException">The options ask for fewer than one epoch or a non-positive evaluation batch size.</exception>
    public static FitResult<T, TState> Fit<T, TState>(T model, TState state, GradientTransformation optimizer,
        DataLoader<(Tensor X, Tensor Y)> data, Func<T, Tensor, TState, Mode, (Tensor Output, TState State)> forward, Key key,
        FitOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(forward);
        options ??= new FitOptions();
        if (options.Epochs < 1) throw new ArgumentException($"Trainer.Fit: {options.Epochs} epochs; at least 1 is needed", nameof(options));
        if (options.EvaluationBatchSize < 1)
            throw new ArgumentException($"Trainer.Fit: evaluation batch size {options.EvaluationBatchSize} must be at least 1", nameof(options));

        var optimizerState = options.OptimizerState ?? optimizer.Init(model);
        var history = new List<EpochReport>(options.Epochs);
        for (var epoch = 1; epoch <= options.Epochs; epoch++)
        {
            var epochKey = key.FoldIn(epoch);
            var clock = Stopwatch.StartNew();
            double lossSum = 0, accuracySum = 0;
            var seen = 0;
            var step = 0;
            foreach (var (x, y) in data.Epoch(epoch))
            {
                step++;
                var mode = Mode.Train(epochKey.FoldIn(step));
                var current = state;
                var (loss, aux, grads) = Grad.ValueAndGrad<T, (Tensor? Accuracy, TState State)>(m =>
                {
                    var (output, next) = forward(m, x, current, mode);
                    var value = options.Loss(output, y);
                    // The accuracy is of the same forward pass, so it costs no second evaluation.
                    return (value, (options.Classification ? Losses.Accuracy(Grad.StopGradient(output), y) : null, next));
                })(model);
                (model, optimizerState) = optimizer.Update(grads, optimizerState, model);
                state = aux.State;

                var batchLoss = loss.Item<double>();
                var batchAccuracy = aux.Accuracy?.Item<double>();
                var count = x.Dims[0];
                lossSum += batchLoss * count;
                accuracySum += (batchAccuracy ?? 0) * count;
                seen += count;
                options.OnStep?.Invoke(new StepReport(epoch, step, data.BatchCount, batchLoss, batchAccuracy));
            }
            var seconds = clock.Elapsed.TotalSeconds;
            var trained = (model, state);
            var test = options.Test is var (testX, testY)
                ? Evaluate(trained.model, (m, batch, mode) => forward(m, batch, trained.state, mode).Output, testX, testY,
                    options.Loss, options.Classification, options.EvaluationBatchSize)
                : null;
            var report = new EpochReport(epoch, lossSum / seen, options.Classification ? accuracySum / seen : null, test, seconds, seen / seconds);
            history.Add(report);
            options.OnEpoch?.Invoke(report);
        }
        return new FitResult<T, TState>(model, state, optimizerState, history);
    }

    /// <summary>
    /// The mean <paramref name="loss"/> (and accuracy, when <paramref name="classification"/>) of <paramref name="model"/>
    /// in inference mode over (<paramref name="x"/>, <paramref name="y"/>), computed in batches of
    /// <paramref name="batchSize"/> so memory stays bounded.
    /// </summary>
    /// <exception cref="ArgumentException">The inputs and targets disagree on the number of examples, or there are none, or the batch size is not positive.</exception>
    public static Evaluation Evaluate<T>(T model, Func<T, Tensor, Mode, Tensor> forward, Tensor x, Tensor y,
        Func<Tensor, Tensor, Tensor>? loss = null, bool classification = true, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(forward);
        loss ??= (logits, labels) => Losses.SoftmaxCrossEntropy(logits, labels);
        if (x.Rank == 0 || y.Rank == 0 || x.Dims[0] != y.Dims[0])
            throw new ArgumentException($"Trainer.Evaluate: inputs {x.DType.Name()} {x.ShapeText} and targets {y.DType.Name()} {y.ShapeText} must hold the same number of examples along axis 0");
        if (x.Dims[0] == 0) throw new ArgumentException($"Trainer.Evaluate: inputs {x.ShapeText} hold no examples");
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"Trainer.Evaluate: batch size {batchSize} must be at least 1");

        var n = x.Dims[0];
        double lossSum = 0, accuracySum = 0;
        foreach (var (bx, by) in DataLoader.Create((x, y), batchSize).Epoch(0))
        {
            // Only two numbers leave each batch, so every activation goes back to the buffer pool for the next one.
            var (batchLoss, batchAccuracy) = Grad.Evaluate(_ =>
            {
                var output = forward(model, bx, Mode.Inference);
                return (loss(output, by).Item<double>(), classification ? Losses.Accuracy(output, by).Item<double>() : 0);
            }, 0);
            var count = bx.Dims[0];
            lossSum += batchLoss * count;
            accuracySum += batchAccuracy * count;
        }
        return new Evaluation(lossSum / n, classification ? accuracySum / n : null, n);
    }
}
