namespace Autodiff.Nn;

/// <summary>
/// Layers applied in order. Its parameter tree is its layers; its state is an array with one entry per layer (null for
/// layers that keep none), and layer i draws its randomness from the mode's key folded with i.
/// </summary>
/// <param name="Layers">The layers, first applied first.</param>
public sealed record Sequential(params ILayer[] Layers) : ILayer
{
    /// <summary>The initial state of every layer, in order (null entries for stateless layers).</summary>
    public object?[] InitialState() => Array.ConvertAll(Layers, layer => layer.InitialState());

    /// <summary>Runs every layer in inference mode: the one call for a model without state (dropout is the identity).</summary>
    public Tensor Apply(Tensor x) => Apply(x, Mode.Inference);

    /// <summary>Runs every layer in <paramref name="mode"/>, for a model without state (e.g. training with dropout).</summary>
    public Tensor Apply(Tensor x, Mode mode)
    {
        for (var i = 0; i < Layers.Length; i++)
            if (Layers[i].InitialState() is not null)
                throw new InvalidOperationException($"Sequential: layer {i} ({Layers[i].GetType().Name}) keeps state; call Apply(x, state, mode) with the state from InitialState()");
        return Apply(x, InitialState(), mode).Output;
    }

    /// <summary>Runs every layer in <paramref name="mode"/> with its entry of <paramref name="state"/>; returns the output and the new states.</summary>
    public (Tensor Output, object?[] State) Apply(Tensor x, object?[] state, Mode mode)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.Length != Layers.Length)
            throw new ArgumentException($"Sequential: the state has {state.Length} entries for {Layers.Length} layers; make it with InitialState()");
        var next = new object?[Layers.Length];
        for (var i = 0; i < Layers.Length; i++)
            (x, next[i]) = Layers[i].Apply(x, state[i], mode.ForLayer(i));
        return (x, next);
    }

    object? ILayer.InitialState() => InitialState();

    (Tensor Output, object? State) ILayer.Apply(Tensor x, object? state, Mode mode) =>
        state is object?[] states
            ? Apply(x, states, mode)
            : throw new ArgumentException($"Sequential: needs a state array from InitialState(), got {(state is null ? "null" : state.GetType().Name)}");
}
