namespace Autodiff.Nn;

/// <summary>
/// How a layer runs: in training or in inference, and with which PRNG key (for dropout) when training.
/// </summary>
/// <remarks>
/// Randomness is explicit: a container gives each child the key <c>Key.FoldIn(index)</c>
/// (<see cref="ForLayer"/>), so a run is a pure function of the parameters, the state, the input and this mode.
/// </remarks>
/// <param name="Training">True in training (dropout drops, batch norm uses and updates batch statistics).</param>
/// <param name="Key">The key for random layers in training; null when the model has none.</param>
public readonly record struct Mode(bool Training, Key? Key)
{
    /// <summary>Inference: dropout is the identity, batch norm reads its running statistics.</summary>
    public static Mode Inference => new(false, null);

    /// <summary>Training with <paramref name="key"/> for the random layers (use a fresh key per step, e.g. <c>key.FoldIn(step)</c>).</summary>
    public static Mode Train(Key key) => new(true, key);

    /// <summary>Training without randomness; a dropout layer run in this mode throws.</summary>
    public static Mode TrainWithoutKey => new(true, null);

    /// <summary>The mode for child <paramref name="index"/> of a container: the same flag, the key folded with the index.</summary>
    public Mode ForLayer(int index) => Key is { } key ? this with { Key = key.FoldIn(index) } : this;
}

/// <summary>
/// A layer: an immutable record of trainable parameters (its own parameter tree, so <c>Grad.ValueAndGrad</c> and
/// <c>Tree.Map</c> work on it and on any container of layers with nothing to register) plus a pure apply function.
/// </summary>
/// <remarks>
/// The one calling convention, chosen so that a <see cref="Sequential"/> can hold stateless, random and stateful layers
/// alike: <c>(output, newState) = layer.Apply(x, state, mode)</c>. Non-trainable state (batch-norm running statistics)
/// is a separate tree from the parameters, made by <see cref="InitialState"/> and threaded through by the caller, so
/// gradients, optimizers and weight decay never see it, it can be checkpointed on its own, and nothing is mutated.
/// Keys come in through <see cref="Mode"/>. Layers without state also implement <see cref="IStatelessLayer"/>, whose
/// one-argument <c>Apply(x)</c> is the common case; every layer also has a typed apply of its own
/// (e.g. <see cref="BatchNorm.Apply(Tensor, BatchNormState, bool)"/>) for models written as plain code.
/// <para>Why not PyTorch's buffers updated in place: a hidden write inside a traced function would be invisible to the
/// transforms and would make apply impure. Why not state inside the layer record (returning a new layer): then the
/// parameter tree would hold non-trainable tensors that every optimizer and weight decay had to be told to skip.
/// Equinox and Flax keep such state apart for the same reasons.</para>
/// </remarks>
public interface ILayer
{
    /// <summary>The layer's non-trainable state as created (e.g. a <see cref="BatchNormState"/>), or null if it keeps none.</summary>
    object? InitialState();

    /// <summary>Runs the layer on <paramref name="x"/> with <paramref name="state"/> in <paramref name="mode"/>; returns the output and the state for the next call.</summary>
    (Tensor Output, object? State) Apply(Tensor x, object? state, Mode mode);
}

/// <summary>A layer with no state and no randomness: <c>y = layer.Apply(x)</c> whatever the mode.</summary>
public interface IStatelessLayer : ILayer
{
    /// <summary>Runs the layer on <paramref name="x"/>.</summary>
    Tensor Apply(Tensor x);

    object? ILayer.InitialState() => null;

    (Tensor Output, object? State) ILayer.Apply(Tensor x, object? state, Mode mode) => (Apply(x), state);
}

/// <summary>Checks shared by the layers, so their messages read alike.</summary>
internal static class LayerChecks
{
    /// <summary>Throws unless <paramref name="x"/> is a float tensor whose axis <paramref name="axis"/> has <paramref name="size"/> entries.</summary>
    public static void RequireFeatures(string layer, Tensor x, int axis, int size, int minRank)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (!x.DType.IsFloat() || x.Rank < minRank || x.Shape[axis < 0 ? x.Rank + axis : axis] != size)
            throw new ArgumentException($"{layer}: expects a float input of rank ≥ {minRank} with {size} features on axis {axis}, got {x.DType.Name()} {x.ShapeText}");
    }

    /// <summary>A shape written as <c>[2, 3]</c>, as tensors write theirs.</summary>
    public static string Format(int[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>Throws unless the sizes are all positive.</summary>
    public static void RequirePositive(string layer, params (string Name, int Value)[] sizes)
    {
        foreach (var (name, value) in sizes)
            if (value <= 0) throw new ArgumentOutOfRangeException(name, $"{layer}: {name} must be positive, got {value}");
    }
}
