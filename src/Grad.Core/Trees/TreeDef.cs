using System.Reflection;
using System.Text;

namespace Autodiff;

/// <summary>One node of a flattened tree: how it is built, how many subtrees it has, and its static data.</summary>
internal readonly record struct TreeNode(NodeKind Kind, int Arity, object? Aux);

/// <summary>
/// The structure of a parameter tree with its tensor leaves taken out: enough to put leaves back
/// (<see cref="Unflatten{T}"/>) and to check that two trees have the same structure (<see cref="Equals(TreeDef?)"/>).
/// Non-tensor values of the tree (ints, strings, settings) are kept here and carried into every rebuilt tree.
/// </summary>
public sealed class TreeDef : IEquatable<TreeDef>
{
    /// <summary>Longest structure text put into an error message.</summary>
    private const int MessageLength = 1000;

    // Post-order, as in JAX's treedef: every node comes right after its subtrees, so rebuilding,
    // comparing and printing are loops over this array, never recursion over the tree.
    private readonly TreeNode[] _nodes;
    private string? _description;

    internal TreeDef(TreeNode[] nodes, int leafCount)
    {
        _nodes = nodes;
        LeafCount = leafCount;
    }

    /// <summary>The number of tensor leaves.</summary>
    public int LeafCount { get; }

    /// <summary>
    /// A readable rendering of the structure, e.g. <c>Linear(W: *, B: *, Name: "fc1")</c> or <c>{"a": [*, *], "b": (*, null)}</c>;
    /// <c>*</c> marks a tensor leaf.
    /// </summary>
    public string Description => _description ??= Describe(int.MaxValue);

    /// <summary>The description shortened for an error message.</summary>
    internal string Brief => Describe(MessageLength);

    /// <summary>Builds a tree of this structure from <paramref name="leaves"/>, given in flattening order.</summary>
    public T Unflatten<T>(IReadOnlyList<Tensor> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        if (leaves.Count != LeafCount)
            throw new ArgumentException($"Unflatten: tree {Brief} has {LeafCount} leaves, got {leaves.Count}");
        var built = Rebuild(leaves);
        if (built is T typed) return typed;
        if (built is null && default(T) is null) return default!;
        var what = built is null ? "null" : $"a {TypeNames.Of(built.GetType())}";
        throw new ArgumentException($"Unflatten: tree {Brief} rebuilds {what}, which is not a {TypeNames.Of(typeof(T))}");
    }

    private object? Rebuild(IReadOnlyList<Tensor> leaves)
    {
        var built = new List<object?>(); // a stack of finished subtrees
        var nextLeaf = 0;
        foreach (var node in _nodes)
        {
            switch (node.Kind)
            {
                case LeafKind:
                    built.Add(leaves[nextLeaf] ?? throw new ArgumentException($"Unflatten: leaf {nextLeaf} is null; every leaf of tree {Brief} must be a Tensor"));
                    nextLeaf++;
                    break;
                case NoneKind:
                    built.Add(null);
                    break;
                case StaticKind:
                    built.Add(node.Aux);
                    break;
                default:
                    var start = built.Count - node.Arity;
                    var children = built.GetRange(start, node.Arity).ToArray();
                    built.RemoveRange(start, node.Arity);
                    built.Add(Build(node, children));
                    break;
            }
        }
        return built[0];
    }

    private object? Build(TreeNode node, object?[] children)
    {
        try
        {
            return node.Kind.Build(node.Aux, children);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            var cause = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
            throw new ArgumentException($"Unflatten: could not rebuild a {TypeNames.Of(node.Kind.Type)} ({cause.GetType().Name}: {cause.Message}) in tree {Brief}", cause);
        }
    }

    /// <summary>
    /// The dotted path of every leaf, in flattening order (see <see cref="Tree.FlattenWithPaths"/> for how names are formed).
    /// </summary>
    /// <exception cref="ArgumentException">Two leaves get the same path (e.g. keys <c>"a.b"</c> and <c>"a"</c> → <c>"b"</c>).</exception>
    internal string[] LeafPaths()
    {
        var children = ChildIndices();
        var paths = new string[_nodes.Length];
        paths[^1] = "";
        // Reverse post-order visits every parent before its children, so each path is built from its parent's.
        for (var node = _nodes.Length - 1; node >= 0; node--)
        {
            for (var k = 0; k < children[node].Length; k++)
            {
                var segment = _nodes[node].Kind.PathSegment(_nodes[node].Aux, k);
                var parent = paths[node];
                paths[children[node][k]] = segment is null ? parent : parent.Length == 0 ? segment : parent + "." + segment;
            }
        }
        var leaves = new string[LeafCount];
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var next = 0;
        for (var node = 0; node < _nodes.Length; node++)
        {
            if (_nodes[node].Kind is not LeafKind) continue;
            if (seen.TryGetValue(paths[node], out var earlier))
                throw new ArgumentException($"Tree.FlattenWithPaths: leaves {earlier} and {next} of tree {Brief} both have the path \"{paths[node]}\"; rename a dictionary key or member so that every leaf has its own name");
            seen[paths[node]] = next;
            leaves[next++] = paths[node];
        }
        return leaves;
    }

    /// <summary>True when <paramref name="other"/> has the same node types, keys, static values and leaf positions.</summary>
    public bool Equals(TreeDef? other)
    {
        if (ReferenceEquals(this, other)) return true;
        if (other is null || other.LeafCount != LeafCount || other._nodes.Length != _nodes.Length) return false;
        for (var i = 0; i < _nodes.Length; i++)
        {
            var (a, b) = (_nodes[i], other._nodes[i]);
            if (a.Arity != b.Arity || !a.Kind.SameKindAs(b.Kind) || !a.Kind.AuxEquals(a.Aux, b.Aux)) return false;
        }
        return true;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as TreeDef);

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        // Static values are left out: equal trees must hash alike, and static equality is looser than their hash codes.
        var hash = new HashCode();
        foreach (var node in _nodes)
        {
            hash.Add(node.Kind.GetType());
            hash.Add(node.Kind.Type);
            hash.Add(node.Arity);
        }
        return hash.ToHashCode();
    }

    /// <summary>Structural equality, as <see cref="Equals(TreeDef?)"/>.</summary>
    public static bool operator ==(TreeDef? a, TreeDef? b) => a is null ? b is null : a.Equals(b);

    /// <summary>Structural inequality.</summary>
    public static bool operator !=(TreeDef? a, TreeDef? b) => !(a == b);

    /// <inheritdoc/>
    public override string ToString() => Description;

    /// <summary>Renders the structure, stopping a little past <paramref name="maxLength"/> characters.</summary>
    private string Describe(int maxLength)
    {
        var children = ChildIndices();
        var text = new StringBuilder();
        // Each open node keeps its text pieces: piece k goes after its k-th child (piece 0 before the first).
        var open = new Stack<(int Node, string[] Pieces, int Next)>();
        void Enter(int node)
        {
            var pieces = _nodes[node].Kind.Layout(_nodes[node].Aux, _nodes[node].Arity);
            text.Append(pieces[0]);
            open.Push((node, pieces, 0));
        }

        Enter(_nodes.Length - 1);
        while (open.Count > 0)
        {
            if (text.Length > maxLength)
            {
                text.Length = maxLength;
                return text.Append(" …").ToString();
            }
            var (node, pieces, next) = open.Pop();
            if (next < children[node].Length)
            {
                open.Push((node, pieces, next + 1));
                Enter(children[node][next]);
            }
            else if (open.Count > 0)
            {
                var parent = open.Peek();
                text.Append(parent.Pieces[parent.Next]);
            }
        }
        return text.ToString();
    }

    /// <summary>For every node, the indices of its children, recovered from the post-order.</summary>
    private int[][] ChildIndices()
    {
        var children = new int[_nodes.Length][];
        var finished = new Stack<int>();
        for (var i = 0; i < _nodes.Length; i++)
        {
            var mine = new int[_nodes[i].Arity];
            for (var c = mine.Length - 1; c >= 0; c--) mine[c] = finished.Pop();
            children[i] = mine;
            finished.Push(i);
        }
        return children;
    }
}
