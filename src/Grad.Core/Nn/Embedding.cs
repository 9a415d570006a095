namespace Autodiff.Nn;

/// <summary>A lookup table: int32 indices of any shape s give the rows Weight[index], shape s + [dim]. The gradient scatter-adds into the rows picked.</summary>
/// <param name="Weight">The table, [number of embeddings, embedding dim].</param>
public sealed record Embedding(Tensor Weight) : IStatelessLayer
{
    /// <summary>PyTorch's nn.Embedding initialisation: every entry N(0, 1).</summary>
    public static Embedding Create(int count, int dim, Key key, DType dtype = DType.Float32)
    {
        LayerChecks.RequirePositive("Embedding", (nameof(count), count), (nameof(dim), dim));
        return new(Init.Normal(key, [count, dim], dtype));
    }

    /// <summary>The rows at <paramref name="indices"/> (int32, each in [0, count)).</summary>
    public Tensor Apply(Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var count = Weight.Shape[0];
        if (indices.DType != DType.Int32)
            throw new ArgumentException($"Embedding: indices must be int32, got {indices.DType.Name()} {indices.ShapeText} for a table {Weight.DType.Name()} {Weight.ShapeText}");
        var values = indices.ToArray<int>();
        for (var i = 0; i < values.Length; i++)
            if (values[i] < 0 || values[i] >= count)
                throw new ArgumentOutOfRangeException(nameof(indices), $"Embedding: index {values[i]} at flat position {i} is out of range [0, {count}) for a table {Weight.DType.Name()} {Weight.ShapeText}");
        return Weight.Take(indices, 0);
    }
}
