namespace Autodiff.Nn;

/// <summary>How a loss combines its per-element values (PyTorch's <c>reduction</c>).</summary>
public enum Reduction
{
    /// <summary>The mean over every element (over examples for the classification losses).</summary>
    Mean,

    /// <summary>The sum over every element.</summary>
    Sum,

    /// <summary>No reduction: one value per element (per example for the classification losses).</summary>
    None,
}

/// <summary>
/// Loss functions with PyTorch's definitions. All but cross-entropy are ordinary tensor code; cross-entropy is the fused,
/// stable <see cref="Tensor.SoftmaxCrossEntropy"/> primitive. Classes are on the last axis of the logits.
/// </summary>
public static class Losses
{
    /// <summary>
    /// Softmax cross-entropy from logits [..., C] and int32 labels [...] in [0, C), with PyTorch's label smoothing
    /// (targets (1 − ε)·onehot + ε/C). Stable for any finite logits.
    /// </summary>
    public static Tensor SoftmaxCrossEntropy(Tensor logits, Tensor labels, double labelSmoothing = 0, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(logits);
        return Reduce(logits.SoftmaxCrossEntropy(labels, labelSmoothing), reduction);
    }

    /// <summary>Negative log-likelihood −log p[label] from log-probabilities [..., C] (e.g. a log softmax) and int32 labels [...].</summary>
    public static Tensor Nll(Tensor logProbabilities, Tensor labels, Reduction reduction = Reduction.Mean)
    {
        ArgumentNullException.ThrowIfNull(logProbabilities);
        ArgumentNullException.ThrowIfNull(labels);
        RequireClassLabels("nll_loss", logProbabilities, labels);
        var picked = logProbabilities.TakeAlongAxis(labels.Unsqueeze(-1), -1).Squeeze(-1);
        return Reduce(-picked, reduction);
    }

    /// <summary>Mean squared error (x − y)² between two tensors of one shape.</summary>
    public static Tensor Mse(Tensor predictions, Tensor targets, Reduction reduction = Reduction.Mean)
    {
        RequireSameShape("mse_loss", predictions, targets);
        return Reduce((predictions - targets).Square(), reduction);
    }

    /// <summary>Mean absolute error |x − y| between two tensors of one shape.</summary>
    public static Tensor L1(Tensor predictions, Tensor targets, Reduction reduction = Reduction.Mean)
    {
        RequireSameShape("l1_loss", predictions, targets);
        return Reduce((predictions - targets).Abs(), reduction);
    }

    /// <summary>
    /// Binary cross-entropy of probabilities σ(x) against targets t in [0, 1], from the logits x:
    /// −t·log σ(x) − (1 − t)·log(1 − σ(x)) = softplus(x) − t·x, which is stable for any finite x.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor logits, Tensor targets, Reduction reduction = Reduction.Mean)
    {
        RequireSameShape("binary_cross_entropy_with_logits", logits, targets);
        return Reduce(logits.Softplus() - targets * logits, reduction);
    }

    /// <summary>The fraction of examples whose largest logit is at their int32 label, as a float32 scalar (not differentiable).</summary>
    public static Tensor Accuracy(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        RequireClassLabels("accuracy", logits, labels);
        return logits.ArgMax(-1).Eq(labels).Cast(DType.Float32).Mean();
    }

    private static Tensor Reduce(Tensor losses, Reduction reduction) => reduction switch
    {
        Reduction.Mean => losses.Mean(),
        Reduction.Sum => losses.Sum(),
        Reduction.None => losses,
        _ => throw new ArgumentOutOfRangeException(nameof(reduction), $"loss: unknown reduction {reduction}"),
    };

    private static void RequireSameShape(string op, Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (!a.Shape.SequenceEqual(b.Shape) || a.DType != b.DType || !a.DType.IsFloat())
            throw new ArgumentException($"{op}: needs float inputs of one shape and dtype (nothing is broadcast), got {a.DType.Name()} {a.ShapeText} and {b.DType.Name()} {b.ShapeText}");
    }

    private static void RequireClassLabels(string op, Tensor scores, Tensor labels)
    {
        var operands = $"scores {scores.DType.Name()} {scores.ShapeText}, labels {labels.DType.Name()} {labels.ShapeText}";
        if (!scores.DType.IsFloat() || labels.DType != DType.Int32 || scores.Rank < 1 || !labels.Shape.SequenceEqual(scores.Shape[..^1]))
            throw new ArgumentException($"{op}: needs float scores [..., C] and int32 labels shaped like them without the class axis, got {operands}");
        var classes = scores.Shape[^1];
        var values = labels.ToArray<int>();
        for (var i = 0; i < values.Length; i++)
            if (values[i] < 0 || values[i] >= classes)
                throw new ArgumentOutOfRangeException(nameof(labels), $"{op}: label {values[i]} at flat position {i} is out of range [0, {classes}) ({operands})");
    }
}
