namespace Autodiff;

/// <summary>
/// The structure of a parameter tree with its tensor leaves taken out: enough to put leaves back
/// (<see cref="Unflatten{T}"/>) and to check that two trees have the same structure.
/// </summary>
public sealed class TreeDef
{
    internal TreeDef(Func<IReadOnlyList<Tensor>, object?> rebuild, int leafCount, string description)
    {
        Rebuild = rebuild;
        LeafCount = leafCount;
        Description = description;
    }

    private Func<IReadOnlyList<Tensor>, object?> Rebuild { get; }

    /// <summary>The number of tensor leaves.</summary>
    public int LeafCount { get; }

    /// <summary>A readable rendering of the structure, for error messages.</summary>
    public string Description { get; }

    /// <summary>Builds a tree of this structure from <paramref name="leaves"/>, in flattening order.</summary>
    public T Unflatten<T>(IReadOnlyList<Tensor> leaves)
    {
        if (leaves.Count != LeafCount)
            throw new ArgumentException($"Unflatten: tree {Description} has {LeafCount} leaves, got {leaves.Count}");
        return (T)Rebuild(leaves)!;
    }

    /// <inheritdoc/>
    public override string ToString() => Description;
}

/// <summary>Flattening, mapping and zipping of parameter trees (JAX's tree_util).</summary>
public static class Tree
{
    /// <summary>The tensor leaves of <paramref name="tree"/> in a fixed order, and its structure.</summary>
    public static (Tensor[] Leaves, TreeDef Def) Flatten(object? tree)
    {
        switch (tree)
        {
            case Tensor t:
                return ([t], new TreeDef(l => l[0], 1, "*"));
            case Tensor[] array:
                return ([.. array], new TreeDef(l => l.ToArray(), array.Length, $"Tensor[{array.Length}]"));
            default:
                throw new ArgumentException($"Tree: values of type {tree?.GetType().Name ?? "null"} are not supported yet");
        }
    }

    /// <summary>The tensor leaves of <paramref name="tree"/> in flattening order.</summary>
    public static Tensor[] Leaves(object? tree) => Flatten(tree).Leaves;

    /// <summary>A tree of the same structure with <paramref name="f"/> applied to every leaf.</summary>
    public static T Map<T>(T tree, Func<Tensor, Tensor> f)
    {
        var (leaves, def) = Flatten(tree);
        return def.Unflatten<T>(leaves.Select(f).ToArray());
    }
}
