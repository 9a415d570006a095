namespace Autodiff.Optimizers;

/// <summary>
/// Optax's <c>chain</c>: the parts applied in order, each to the updates of the one before (the first to the gradients),
/// e.g. <c>Optim.Chain(Optim.ClipByGlobalNorm(1), Optim.Adam(1e-3))</c>. Its state is the array of the parts' states.
/// Made by <see cref="Optim.Chain"/>.
/// </summary>
public sealed class Chain : GradientTransformation
{
    private readonly GradientTransformation[] _parts;

    internal Chain(GradientTransformation[] parts) : base("Chain(" + string.Join(", ", parts.Select(p => p.Name)) + ")") => _parts = parts;

    /// <summary>The parts, in the order they apply.</summary>
    public IReadOnlyList<GradientTransformation> Parts => _parts;

    /// <summary>The chain's state: one state per part, in order.</summary>
    /// <param name="Parts">The parts' states.</param>
    public sealed record State(OptState[] Parts) : OptState;

    /// <inheritdoc/>
    protected internal override OptState InitLeaves(Tensor[] parameters) =>
        new State(Array.ConvertAll(_parts, part => part.InitLeaves(parameters)));

    /// <inheritdoc/>
    protected internal override (Tensor[] Updates, OptState State) UpdateLeaves(Tensor[] gradients, OptState state, Tensor[] parameters)
    {
        var s = StateOf<State>(state);
        if (s.Parts is null || s.Parts.Length != _parts.Length)
            throw new ArgumentException($"{Name}: the state holds {s.Parts?.Length ?? 0} part states for {_parts.Length} parts; pass the state this chain's Init returned");
        var updates = gradients;
        var states = new OptState[_parts.Length];
        for (var i = 0; i < _parts.Length; i++) (updates, states[i]) = _parts[i].Apply(updates, s.Parts[i], parameters, def: null);
        return (updates, new State(states));
    }
}
