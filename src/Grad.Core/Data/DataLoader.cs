namespace Autodiff.Data;

/// <summary>Makes <see cref="DataLoader{T}"/>s, inferring the type of the data tree.</summary>
public static class DataLoader
{
    /// <summary>
    /// Batches of <paramref name="data"/>, a tree of tensors (e.g. <c>(images, labels)</c> or a record) whose leaves all
    /// hold the same number of examples along axis 0. With a <paramref name="shuffleKey"/> each epoch visits the
    /// examples in the order <c>Tensor.Permutation(shuffleKey.FoldIn(epoch), n)</c>; without one, in order. The last
    /// batch is smaller when the batch size does not divide the count, unless <paramref name="dropLast"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The batch size is not positive, the tree has no leaves, a leaf is a scalar, or the leaves disagree on the number of examples.</exception>
    public static DataLoader<T> Create<T>(T data, int batchSize, Key? shuffleKey = null, bool dropLast = false) =>
        new(data, batchSize, shuffleKey, dropLast);
}

/// <summary>
/// Iterates over an in-memory dataset (a tree of tensors sharing their leading dimension) in batches of the same tree
/// structure. Deterministic: an epoch's order is a pure function of the shuffle key and the epoch number, so a run can
/// be repeated or resumed. Batches are gathered by copying whole rows, and are new constant tensors.
/// </summary>
/// <typeparam name="T">The data's tree type, e.g. <c>(Tensor X, Tensor Y)</c>.</typeparam>
public sealed class DataLoader<T>
{
    private readonly Tensor[] _leaves;
    private readonly TreeDef _def;
    private readonly int[] _rowSizes;
    private readonly Key? _shuffleKey;

    internal DataLoader(T data, int batchSize, Key? shuffleKey, bool dropLast)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"DataLoader: batch size {batchSize} must be at least 1");
        var named = Tree.FlattenWithPaths(data);
        if (named.Length == 0) throw new ArgumentException("DataLoader: the data tree holds no tensors");
        foreach (var (path, leaf) in named)
        {
            if (leaf.Rank == 0)
                throw new ArgumentException($"DataLoader: leaf \"{path}\" is a {leaf.DType.Name()} scalar; every leaf needs a leading axis of examples");
            if (leaf.Dims[0] != named[0].Leaf.Dims[0])
                throw new ArgumentException($"DataLoader: leaf \"{path}\" ({leaf.DType.Name()} {leaf.ShapeText}) holds {leaf.Dims[0]} examples but leaf \"{named[0].Path}\" ({named[0].Leaf.DType.Name()} {named[0].Leaf.ShapeText}) holds {named[0].Leaf.Dims[0]}; all leaves must agree along axis 0");
        }
        (_leaves, _def) = Tree.Flatten(data);
        _rowSizes = Array.ConvertAll(_leaves, leaf => leaf.Dims[0] == 0 ? Shapes.Size(leaf.ShapeArray[1..]) : leaf.Size / leaf.Dims[0]);
        _shuffleKey = shuffleKey;
        Count = _leaves[0].Dims[0];
        BatchSize = batchSize;
        DropLast = dropLast;
    }

    /// <summary>The number of examples.</summary>
    public int Count { get; }

    /// <summary>The number of examples in every full batch.</summary>
    public int BatchSize { get; }

    /// <summary>Whether a last batch smaller than <see cref="BatchSize"/> is left out.</summary>
    public bool DropLast { get; }

    /// <summary>Whether each epoch visits the examples in a new random order.</summary>
    public bool Shuffles => _shuffleKey is not null;

    /// <summary>The number of batches in an epoch.</summary>
    public int BatchCount => DropLast ? Count / BatchSize : (Count + BatchSize - 1) / BatchSize;

    /// <summary>The order in which epoch <paramref name="epoch"/> visits the examples: int32 [<see cref="Count"/>].</summary>
    public Tensor Order(int epoch) =>
        _shuffleKey is { } key ? Tensor.Permutation(key.FoldIn(epoch), Count) : Tensor.Arange(Count);

    /// <summary>The batches of epoch <paramref name="epoch"/>, each a tree like the data holding the next examples in <see cref="Order"/>.</summary>
    public IEnumerable<T> Epoch(int epoch)
    {
        var order = Order(epoch).ToArray<int>(); // a copy: the iterator outlives the tensor, whose buffer may be reused
        for (var b = 0; b < BatchCount; b++)
        {
            var start = b * BatchSize;
            yield return Gather(order.AsSpan(start, Math.Min(BatchSize, Count - start)).ToArray());
        }
    }

    /// <summary>The examples at <paramref name="rows"/>, in that order, as a tree like the data.</summary>
    private T Gather(int[] rows)
    {
        var batch = new Tensor[_leaves.Length];
        for (var i = 0; i < _leaves.Length; i++)
        {
            var source = _leaves[i].RawData;
            var rowSize = _rowSizes[i];
            var shape = _leaves[i].Shape;
            shape[0] = rows.Length;
            batch[i] = Tensor.Allocate(_leaves[i].DType, shape);
            var target = batch[i].RawData;
            for (var r = 0; r < rows.Length; r++) Array.Copy(source, (long)rows[r] * rowSize, target, (long)r * rowSize, rowSize);
        }
        return _def.Unflatten<T>(batch);
    }
}
