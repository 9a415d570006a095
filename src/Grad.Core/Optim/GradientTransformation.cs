namespace Autodiff.Optimizers;

/// <summary>
/// The state of a <see cref="GradientTransformation"/>: a record of tensors (moments, the step count), itself a
/// parameter tree, so <c>Tree.Flatten</c>/<c>Tree.Unflatten</c> checkpoint it with the parameters. Never mutated.
/// </summary>
public abstract record OptState;

/// <summary>The state of a transformation that keeps none (clipping): no leaves.</summary>
public sealed record EmptyState : OptState
{
    /// <summary>The one empty state.</summary>
    public static readonly EmptyState Instance = new();
}

/// <summary>
/// An Optax-style gradient transformation: a pair of pure functions, <see cref="Init{T}"/> (parameters → state) and
/// <see cref="Update{T}"/> (gradients, state, parameters → new parameters, new state). Parameters and gradients are
/// any tree of float tensors (records, arrays, lists, dictionaries, F# records…) of one structure; the rules see
/// their leaves in flattening order, so a tree is flattened once per step and checked once, here.
/// </summary>
/// <example><code>
/// var opt = Optim.Adam(1e-3);
/// var state = opt.Init(model);
/// (model, state) = opt.Update(grads, state, model);
/// </code></example>
public abstract class GradientTransformation
{
    /// <summary>A transformation named <paramref name="name"/> in its error messages.</summary>
    protected GradientTransformation(string name) => Name = name;

    /// <summary>The name its error messages start with, e.g. <c>Adam</c>.</summary>
    public string Name { get; }

    /// <summary>The initial state for parameters <paramref name="parameters"/> (leaves in flattening order, all float).</summary>
    protected internal abstract OptState InitLeaves(Tensor[] parameters);

    /// <summary>
    /// One step on the leaves: the updates to add to <paramref name="parameters"/> (Optax's <c>update</c>) and the new
    /// state. <paramref name="gradients"/> match the parameters in number, shape and dtype (checked by the caller).
    /// </summary>
    protected internal abstract (Tensor[] Updates, OptState State) UpdateLeaves(Tensor[] gradients, OptState state, Tensor[] parameters);

    /// <summary>The initial state for <paramref name="parameters"/>: a tree holding the moments and an int32 step count of 0.</summary>
    /// <exception cref="ArgumentException">A leaf is not float32 or float64.</exception>
    public OptState Init<T>(T parameters)
    {
        var (leaves, def) = Tree.Flatten(parameters);
        for (var i = 0; i < leaves.Length; i++)
        {
            if (!leaves[i].DType.IsFloat())
                throw new ArgumentException($"{Name}: parameter leaf {i} of {Brief(def)} is {leaves[i].DType.Name()} {leaves[i].ShapeText}; optimizers update float32 or float64 leaves only");
        }
        return InitLeaves(leaves);
    }

    /// <summary>
    /// One optimization step: <c>θ ← θ + u</c> with <c>u</c> the updates of <see cref="ComputeUpdates{T}"/>. Returns the new
    /// parameters (same tree type and structure as <paramref name="parameters"/>) and the new state; nothing is mutated.
    /// </summary>
    /// <exception cref="ArgumentException">The gradients and parameters differ in structure, or a leaf in shape or dtype;
    /// or the state was not made by this transformation's <see cref="Init{T}"/> for this tree.</exception>
    /// <remarks>Outside any transform, the update's temporaries go back to the buffer pool (see <see cref="Grad.Evaluate{TIn, TOut}"/>).</remarks>
    public (T Parameters, OptState State) Update<T>(T gradients, OptState state, T parameters)
    {
        var (leaves, def) = Tree.Flatten(parameters);
        var (moved, next) = Grad.Evaluate(_ =>
        {
            var (updates, nextState) = Step(gradients, state, leaves, def);
            var sum = new Tensor[leaves.Length];
            for (var i = 0; i < sum.Length; i++) sum[i] = leaves[i] + updates[i];
            return (sum, nextState);
        }, 0);
        return (def.Unflatten<T>(moved), next);
    }

    /// <summary>
    /// Optax's <c>update</c>: the updates to add to the parameters (a tree like <paramref name="parameters"/>) and the
    /// new state, without applying them.
    /// </summary>
    /// <exception cref="ArgumentException">As for <see cref="Update{T}"/>.</exception>
    public (T Updates, OptState State) ComputeUpdates<T>(T gradients, OptState state, T parameters)
    {
        var (leaves, def) = Tree.Flatten(parameters);
        var (updates, next) = Step(gradients, state, leaves, def);
        return (def.Unflatten<T>(updates), next);
    }

    private (Tensor[] Updates, OptState State) Step<T>(T gradients, OptState state, Tensor[] parameters, TreeDef def)
    {
        ArgumentNullException.ThrowIfNull(state);
        var (grads, gradsDef) = Tree.Flatten(gradients);
        if (!def.Equals(gradsDef))
            throw new ArgumentException($"{Name}: the gradients and parameters trees have different structures: the gradients are {Brief(gradsDef)} ({gradsDef.LeafCount} leaves) and the parameters are {Brief(def)} ({def.LeafCount} leaves)");
        return Apply(grads, state, parameters, def);
    }

    /// <summary>Checks the gradients against the parameters leaf by leaf, runs the rule and checks its updates likewise.</summary>
    internal (Tensor[] Updates, OptState State) Apply(Tensor[] gradients, OptState state, Tensor[] parameters, TreeDef? def)
    {
        RequireLike(gradients, "gradient", parameters, def);
        var (updates, next) = UpdateLeaves(gradients, state, parameters);
        if (updates is null || next is null)
            throw new InvalidOperationException($"{Name}: UpdateLeaves returned null updates or state");
        RequireLike(updates, "update", parameters, def);
        return (updates, next);
    }

    private void RequireLike(Tensor[] leaves, string what, Tensor[] parameters, TreeDef? def)
    {
        if (leaves.Length != parameters.Length)
            throw new ArgumentException($"{Name}: {leaves.Length} {what} leaves for {parameters.Length} parameter leaves");
        for (var i = 0; i < leaves.Length; i++)
        {
            Tensor p = parameters[i], x = leaves[i];
            if (x.DType != p.DType || !x.Shape.AsSpan().SequenceEqual(p.Shape))
                throw new ArgumentException($"{Name}: {what} leaf {i} is {x.DType.Name()} {x.ShapeText} but parameter leaf {i} is {p.DType.Name()} {p.ShapeText}{Where(def)}");
            if (!p.DType.IsFloat())
                throw new ArgumentException($"{Name}: parameter leaf {i} is {p.DType.Name()} {p.ShapeText}; optimizers update float32 or float64 leaves only{Where(def)}");
        }
    }

    /// <summary>The state cast to the rule's own state type, or an error saying whose state it is.</summary>
    protected TState StateOf<TState>(OptState state) where TState : OptState =>
        state as TState ?? throw new ArgumentException(
            $"{Name}: the state is a {state?.GetType().FullName?.Replace('+', '.') ?? "null"}, not a {typeof(TState).FullName!.Replace('+', '.')}; pass the state this optimizer's Init returned");

    /// <summary>Checks that a per-leaf state array (named <paramref name="what"/>) matches the parameters in number, shape and dtype.</summary>
    protected void RequireMoments(Tensor[]? moments, string what, Tensor[] parameters)
    {
        if (moments is null)
            throw new ArgumentException($"{Name}: the state's {what} is missing; pass the state this optimizer's Init returned");
        if (moments.Length != parameters.Length)
            throw new ArgumentException($"{Name}: the state's {what} holds {moments.Length} tensors but there are {parameters.Length} parameter leaves; the state was made by Init for another tree");
        for (var i = 0; i < moments.Length; i++)
        {
            Tensor p = parameters[i], m = moments[i];
            if (m is null || m.DType != p.DType || !m.Shape.AsSpan().SequenceEqual(p.Shape))
                throw new ArgumentException($"{Name}: the state's {what}[{i}] is {(m is null ? "null" : $"{m.DType.Name()} {m.ShapeText}")} but parameter leaf {i} is {p.DType.Name()} {p.ShapeText}; the state was made by Init for another tree");
        }
    }

    /// <summary>The step count held in <paramref name="step"/>: an int32 scalar, read exactly.</summary>
    protected int StepOf(Tensor step)
    {
        if (step is null || step.DType != DType.Int32 || step.Rank != 0)
            throw new ArgumentException($"{Name}: the state's step must be an int32 scalar, got {(step is null ? "null" : $"{step.DType.Name()} {step.ShapeText}")}");
        return step.Item<int>();
    }

    /// <summary>An int32 scalar step count.</summary>
    protected static Tensor StepTensor(int step) => Tensor.Scalar(step, DType.Int32);

    /// <summary>Each of <paramref name="leaves"/> replaced by zeros of its shape and dtype.</summary>
    protected static Tensor[] ZerosLike(Tensor[] leaves) => Array.ConvertAll(leaves, Tensor.ZerosLike);

    private static string Where(TreeDef? def) => def is null ? "" : $", in parameters {Brief(def)} (leaves counted from 0 in flattening order)";

    private static string Brief(TreeDef def)
    {
        const int Longest = 300;
        var text = def.Description;
        return text.Length <= Longest ? text : text[..Longest] + " …";
    }
}
