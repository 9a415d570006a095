namespace Autodiff;

/// <summary>
/// Flattening, mapping and zipping of parameter trees (JAX's tree_util). A tree is any nesting of
/// <see cref="Tensor"/> leaves in arrays, lists, tuples, dictionaries, records and classes (C# or F#, with
/// F# lists and options), with nothing to register; other types can be added with <see cref="RegisterNode{T}"/>.
/// Values that hold no tensors (ints, strings, settings) are static data, carried unchanged into rebuilt trees;
/// <c>null</c> is an empty node. Dictionaries flatten in sorted key order; records and classes in property order.
/// </summary>
public static class Tree
{
    /// <summary>The tensor leaves of <paramref name="tree"/> in a fixed order, and its structure.</summary>
    /// <exception cref="ArgumentException">The tree contains a cycle.</exception>
    /// <exception cref="NotSupportedException">The tree holds tensors in a type that cannot be rebuilt.</exception>
    public static (Tensor[] Leaves, TreeDef Def) Flatten(object? tree) => new Flattener().Run(tree);

    /// <summary>
    /// The tensor leaves of <paramref name="tree"/> in flattening order, each with a dotted path naming it, e.g.
    /// <c>Layers.0.W</c> or <c>encoder.Bias</c>. A path joins one segment per node on the way from the root with
    /// <c>.</c>: a record, class or struct member gives its name as written (<c>W</c>); an array, list or registered
    /// node gives the child's position (<c>0</c>); a tuple gives <c>Item1</c>, <c>Item2</c>, …; a dictionary gives its key
    /// (a string as it is, other keys as invariant-culture text); an F# option adds no segment. A leaf at the root has
    /// the empty path. These are the tensor names of a checkpoint.
    /// </summary>
    /// <exception cref="ArgumentException">The tree contains a cycle, or two leaves get the same path (a dictionary key containing a dot can do that).</exception>
    public static (string Path, Tensor Leaf)[] FlattenWithPaths(object? tree)
    {
        var (leaves, def) = Flatten(tree);
        var paths = def.LeafPaths();
        var named = new (string, Tensor)[leaves.Length];
        for (var i = 0; i < leaves.Length; i++) named[i] = (paths[i], leaves[i]);
        return named;
    }

    /// <summary>The tensor leaves of <paramref name="tree"/> in flattening order.</summary>
    public static Tensor[] Leaves(object? tree) => Flatten(tree).Leaves;

    /// <summary>The structure of <paramref name="tree"/>, without its leaves.</summary>
    public static TreeDef Structure(object? tree) => Flatten(tree).Def;

    /// <summary>Builds a tree of structure <paramref name="def"/> from <paramref name="leaves"/> in flattening order.</summary>
    public static T Unflatten<T>(TreeDef def, IReadOnlyList<Tensor> leaves)
    {
        ArgumentNullException.ThrowIfNull(def);
        return def.Unflatten<T>(leaves);
    }

    /// <summary>Whether two trees have the same structure: node types, keys, static values and leaf positions.</summary>
    public static bool SameStructure(object? a, object? b) => Structure(a).Equals(Structure(b));

    /// <summary>Whether two structures are equal (as <see cref="TreeDef.Equals(TreeDef?)"/>).</summary>
    public static bool SameStructure(TreeDef a, TreeDef b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Equals(b);
    }

    /// <summary>A tree of the same structure with <paramref name="f"/> applied to every leaf.</summary>
    public static T Map<T>(T tree, Func<Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var (leaves, def) = Flatten(tree);
        return def.Unflatten<T>(Array.ConvertAll(leaves, leaf => f(leaf)));
    }

    /// <summary>Zips two trees of the same structure leaf by leaf: <c>f(a_i, b_i)</c>, in the structure of <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException">The trees have different structures; the message shows both.</exception>
    public static T Map<T>(T a, T b, Func<Tensor, Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var (first, def) = Flatten(a);
        var (second, secondDef) = Flatten(b);
        RequireSame("Tree.Map", ("first", def), ("second", secondDef));
        var mapped = new Tensor[first.Length];
        for (var i = 0; i < mapped.Length; i++) mapped[i] = f(first[i], second[i]);
        return def.Unflatten<T>(mapped);
    }

    /// <summary>Zips three trees of the same structure leaf by leaf: <c>f(a_i, b_i, c_i)</c>, in the structure of <paramref name="a"/>.</summary>
    /// <exception cref="ArgumentException">The trees have different structures; the message shows them.</exception>
    public static T Map<T>(T a, T b, T c, Func<Tensor, Tensor, Tensor, Tensor> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var (first, def) = Flatten(a);
        var (second, secondDef) = Flatten(b);
        var (third, thirdDef) = Flatten(c);
        RequireSame("Tree.Map", ("first", def), ("second", secondDef));
        RequireSame("Tree.Map", ("first", def), ("third", thirdDef));
        var mapped = new Tensor[first.Length];
        for (var i = 0; i < mapped.Length; i++) mapped[i] = f(first[i], second[i], third[i]);
        return def.Unflatten<T>(mapped);
    }

    /// <summary>A tree of the same structure with every leaf replaced by zeros of its shape and dtype.</summary>
    public static T ZerosLike<T>(T tree) => Map(tree, Tensor.ZerosLike);

    /// <summary>Folds <paramref name="f"/> over the leaves in flattening order, starting from <paramref name="seed"/>.</summary>
    public static TAccumulate Reduce<TAccumulate>(object? tree, TAccumulate seed, Func<TAccumulate, Tensor, TAccumulate> f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var result = seed;
        foreach (var leaf in Leaves(tree)) result = f(result, leaf);
        return result;
    }

    /// <summary>
    /// The sum of every element of every leaf, as a scalar tensor (differentiable; e.g. an L2 penalty is
    /// <c>Tree.Sum(Tree.Map(p, w =&gt; w * w))</c>). A tree without leaves sums to a float32 zero.
    /// </summary>
    public static Tensor Sum(object? tree)
    {
        var leaves = Leaves(tree);
        if (leaves.Length == 0) return Tensor.Scalar(0);
        var total = leaves[0].Sum();
        for (var i = 1; i < leaves.Length; i++) total += leaves[i].Sum();
        return total;
    }

    /// <summary>
    /// Makes <typeparamref name="T"/> a tree node: <paramref name="flatten"/> gives its subtrees in a fixed order and
    /// the static data needed to rebuild it (compared with <c>Equals</c> when structures are compared);
    /// <paramref name="unflatten"/> rebuilds it from that data and the rebuilt subtrees. Matched on the exact run-time
    /// type, before any built-in rule. Registering a type again replaces its functions. Thread-safe.
    /// </summary>
    public static void RegisterNode<T>(Func<T, (IEnumerable<object?> Children, object? Aux)> flatten, Func<object?, object?[], T> unflatten)
    {
        ArgumentNullException.ThrowIfNull(flatten);
        ArgumentNullException.ThrowIfNull(unflatten);
        var type = typeof(T);
        if (type == typeof(Tensor))
            throw new ArgumentException("Tree.RegisterNode: Tensor is the leaf type and cannot be registered as a node");
        if (type.IsInterface || type.IsAbstract || type.ContainsGenericParameters)
            throw new ArgumentException($"Tree.RegisterNode: nodes are matched by their exact run-time type, so {TypeNames.Of(type)} (an interface, abstract or open generic type) would never match; register each concrete type");
        NodeKinds.Register(new CustomKind(type, value => flatten((T)value), (aux, children) => unflatten(aux, children)));
    }

    /// <summary>Throws naming both structures unless they are equal.</summary>
    internal static void RequireSame(string operation, (string Name, TreeDef Def) a, (string Name, TreeDef Def) b)
    {
        if (!a.Def.Equals(b.Def))
            throw new ArgumentException($"{operation}: the {a.Name} and {b.Name} trees have different structures: the {a.Name} is {a.Def.Brief} ({a.Def.LeafCount} leaves) and the {b.Name} is {b.Def.Brief} ({b.Def.LeafCount} leaves)");
    }

    /// <summary>
    /// One flattening: a depth-first walk with an explicit stack (deep trees do not grow the C# stack) that emits
    /// nodes in post-order, and tracks the objects on the current path to report cycles.
    /// </summary>
    private sealed class Flattener
    {
        private readonly List<Tensor> _leaves = [];
        private readonly List<TreeNode> _nodes = [];
        private readonly Stack<Frame> _open = new();
        private readonly HashSet<object> _onPath = new(ReferenceEqualityComparer.Instance);

        private sealed class Frame(NodeKind kind, object value, IReadOnlyList<object?> children, object? aux)
        {
            public NodeKind Kind { get; } = kind;
            public object Value { get; } = value;
            public IReadOnlyList<object?> Children { get; } = children;
            public object? Aux { get; } = aux;
            public int Next { get; set; }
        }

        public (Tensor[] Leaves, TreeDef Def) Run(object? tree)
        {
            Visit(tree);
            while (_open.Count > 0)
            {
                var frame = _open.Peek();
                if (frame.Next < frame.Children.Count)
                {
                    Visit(frame.Children[frame.Next++]);
                    continue;
                }
                _open.Pop();
                _onPath.Remove(frame.Value);
                _nodes.Add(new TreeNode(frame.Kind, frame.Children.Count, frame.Aux));
            }
            return ([.. _leaves], new TreeDef([.. _nodes], _leaves.Count));
        }

        private void Visit(object? value)
        {
            switch (value)
            {
                case Tensor leaf:
                    _leaves.Add(leaf);
                    _nodes.Add(new TreeNode(LeafKind.Instance, 0, null));
                    return;
                case null:
                    _nodes.Add(new TreeNode(NoneKind.Instance, 0, null));
                    return;
            }
            var type = value.GetType();
            var kind = NodeKinds.Of(type);
            if (kind is null)
            {
                _nodes.Add(new TreeNode(StaticKind.Instance, 0, value));
                return;
            }
            // Boxed structs are fresh copies and cannot close a cycle by themselves.
            if (!type.IsValueType && !_onPath.Add(value)) throw Cycle(value);
            var (children, aux) = kind.Decompose(value);
            _open.Push(new Frame(kind, value, children, aux));
        }

        private ArgumentException Cycle(object value)
        {
            var path = _open.Reverse().ToArray(); // root first
            var ancestor = Array.FindIndex(path, frame => ReferenceEquals(frame.Value, value));
            string PathTo(int depth) => "tree" + string.Concat(path.Take(depth).Select(f => f.Kind.ChildLabel(f.Aux, f.Next - 1)));
            return new ArgumentException(
                $"Tree.Flatten: the tree contains a cycle: the {TypeNames.Of(value.GetType())} at {PathTo(ancestor)} is reached again at {PathTo(path.Length)}; a parameter tree must not contain itself");
        }
    }
}
