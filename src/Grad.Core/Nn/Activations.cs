namespace Autodiff.Nn;

/// <summary>max(x, 0) elementwise, as a layer.</summary>
public sealed record Relu : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.Relu();
}

/// <summary>The Gaussian error linear unit x·Φ(x) elementwise (or its tanh approximation), as a layer.</summary>
/// <param name="Approximate">Use the tanh approximation (PyTorch's <c>approximate='tanh'</c>).</param>
public sealed record Gelu(bool Approximate = false) : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.Gelu(Approximate);
}

/// <summary>tanh elementwise, as a layer.</summary>
public sealed record Tanh : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.Tanh();
}

/// <summary>The logistic sigmoid 1/(1 + e^(−x)) elementwise, as a layer.</summary>
public sealed record Sigmoid : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.Sigmoid();
}

/// <summary>x for x ≥ 0, slope·x otherwise, as a layer.</summary>
/// <param name="NegativeSlope">The slope for negative inputs (PyTorch's default 0.01).</param>
public sealed record LeakyRelu(double NegativeSlope = 0.01) : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.LeakyRelu(NegativeSlope);
}

/// <summary>x for x &gt; 0, α(eˣ − 1) otherwise, as a layer.</summary>
/// <param name="Alpha">The scale of the negative part.</param>
public sealed record Elu(double Alpha = 1.0) : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.Elu(Alpha);
}

/// <summary>softmax along an axis, as a layer.</summary>
/// <param name="Axis">The axis that sums to one (negative counts from the end).</param>
public sealed record Softmax(int Axis = -1) : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.Softmax(Axis);
}

/// <summary>log softmax along an axis, computed stably, as a layer.</summary>
/// <param name="Axis">The axis normalised over (negative counts from the end).</param>
public sealed record LogSoftmax(int Axis = -1) : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.LogSoftmax(Axis);
}

/// <summary>Merges axes <c>StartAxis</c> to <c>EndAxis</c> into one; the default keeps the batch axis: [N, C, H, W] → [N, C·H·W].</summary>
/// <param name="StartAxis">The first axis merged.</param>
/// <param name="EndAxis">The last axis merged (negative counts from the end).</param>
public sealed record Flatten(int StartAxis = 1, int EndAxis = -1) : IStatelessLayer
{
    /// <inheritdoc/>
    public Tensor Apply(Tensor x) => x.Flatten(StartAxis, EndAxis);
}
