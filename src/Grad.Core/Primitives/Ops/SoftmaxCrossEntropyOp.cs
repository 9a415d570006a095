using System.Numerics;

namespace Autodiff;

/// <summary>
/// Per-example softmax cross-entropy from logits z [..., C] and int32 labels y [...], with label smoothing ε:
/// loss = log Σ exp(z) − Σ_c q_c z_c, q = (1 − ε)·onehot(y) + ε/C (PyTorch's <c>label_smoothing</c>). Fused so that
/// no exp overflows and the loss of a confident, correct row is not the difference of two huge numbers.
/// VJP gz = (softmax(z) − q)·gy, JVP ty = Σ_c (softmax(z) − q)_c·tz_c; the labels get no derivative.
/// </summary>
public sealed class SoftmaxCrossEntropyOp : Primitive
{
    /// <summary>The single instance.</summary>
    public static readonly SoftmaxCrossEntropyOp Instance = new();

    private SoftmaxCrossEntropyOp() : base("softmax_cross_entropy") { }

    /// <inheritdoc/>
    public override Type ParamsType => typeof(ScalarParams);

    /// <inheritdoc/>
    public override int Arity => 2;

    /// <inheritdoc/>
    public override OpDomain Domain { get; } = new("logits in [-3, 3] of rank ≥ 1, int32 labels in range shaped like the logits without the last axis, smoothing 0 or in [0.1, 0.9]", s =>
    {
        var shape = s.Shape(1, 3);
        var smoothing = s.Coin() ? 0.0 : 0.1 * s.Int(1, 9);
        return new OpCase([s.Floats(shape, -3, 3), s.Indices(shape[..^1], shape[^1])], new ScalarParams(smoothing));
    });

    /// <inheritdoc/>
    protected internal override Tensor Evaluate(Tensor[] x, OpParams p)
    {
        var (logits, labels) = (x[0], x[1]);
        var smoothing = ((ScalarParams)p).Value;
        var operands = $"logits {logits.DType.Name()} {logits.ShapeText}, labels {labels.DType.Name()} {labels.ShapeText}";
        if (!logits.DType.IsFloat() || labels.DType != DType.Int32)
            throw new ArgumentException($"{Name}: needs float logits and int32 labels, got {operands}");
        if (logits.Rank < 1 || !Shapes.Equal(labels.Dims, logits.Dims[..^1]))
            throw new ArgumentException($"{Name}: labels must have the shape of the logits without their last (class) axis, got {operands}");
        if (!(smoothing >= 0 && smoothing <= 1))
            throw new ArgumentOutOfRangeException(nameof(p), $"{Name}: label smoothing {smoothing} is outside [0, 1] ({operands})");
        var classes = logits.Dims[^1];
        var values = labels.Span<int>();
        for (var i = 0; i < values.Length; i++)
            if (values[i] < 0 || values[i] >= classes)
                throw new ArgumentOutOfRangeException(nameof(x), $"{Name}: label {values[i]} at flat position {i} is out of range [0, {classes}) ({operands})");
        return logits.DType == DType.Float32 ? Run<float>(logits, labels, smoothing) : Run<double>(logits, labels, smoothing);
    }

    private static Tensor Run<T>(Tensor logits, Tensor labels, double smoothing) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var classes = logits.Dims[^1];
        var z = logits.Data<T>();
        var y = labels.Data<int>();
        var result = Tensor.Allocate(labels.Shape, out T[] loss);
        var (onLabel, perClass) = (T.CreateChecked(1 - smoothing), T.CreateChecked(smoothing / classes));
        ParallelKernel.For(labels.Size, 4 * classes, (start, count) =>
        {
            for (var row = start; row < start + count; row++)
            {
                var line = z.AsSpan(row * classes, classes);
                var m = line[0];
                for (var c = 1; c < classes; c++) m = T.Max(m, line[c]);
                if (!T.IsFinite(m)) m = T.Zero;
                // Everything relative to the max m: log Σ exp(z − m) − Σ q (z − m) equals the loss, since Σ q = 1.
                T sumExp = T.Zero, sumShifted = T.Zero;
                for (var c = 0; c < classes; c++)
                {
                    sumExp += T.Exp(line[c] - m);
                    sumShifted += line[c] - m;
                }
                loss[row] = T.Log(sumExp) - onLabel * (line[y[row]] - m) - perClass * sumShifted;
            }
        });
        return result;
    }

    /// <summary>softmax(z) − q, the derivative of each row's loss with respect to its logits.</summary>
    private static Tensor Residual(Tensor logits, Tensor labels, double smoothing)
    {
        var classes = logits.Shape[^1];
        var target = Tensor.OneHot(labels, classes, logits.DType) * (1 - smoothing) + smoothing / classes;
        return logits.Softmax(-1) - target;
    }

    /// <inheritdoc/>
    public override Tensor Jvp(Tensor[] x, Tensor?[] tx, Tensor y, OpParams p) =>
        (Residual(x[0], x[1], ((ScalarParams)p).Value) * tx[0]!).Sum([x[0].Rank - 1], keepDims: false);

    /// <inheritdoc/>
    public override Tensor?[] Vjp(Tensor gy, Tensor[] x, Tensor y, OpParams p) =>
        [Residual(x[0], x[1], ((ScalarParams)p).Value) * gy.Unsqueeze(-1), null];
}

public sealed partial class Tensor
{
    /// <summary>
    /// Per-example softmax cross-entropy of these logits [..., C] against int32 <paramref name="labels"/> [...] in [0, C):
    /// log Σ exp(z) − Σ_c q_c z_c with q = (1 − ε)·onehot + ε/C, ε = <paramref name="labelSmoothing"/> (PyTorch's definition).
    /// Fused and stable (finite for logits like ±1e4); the gradient is softmax(z) − q.
    /// </summary>
    public Tensor SoftmaxCrossEntropy(Tensor labels, double labelSmoothing = 0)
    {
        ArgumentNullException.ThrowIfNull(labels);
        return SoftmaxCrossEntropyOp.Instance.Bind(new ScalarParams(labelSmoothing), this, labels);
    }
}
