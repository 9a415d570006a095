namespace Autodiff.Checkpoints;

/// <summary>How <see cref="Checkpoint.Load{T}"/> matches a file to a template tree.</summary>
public sealed record CheckpointLoadOptions
{
    /// <summary>
    /// Read the tensors named <c>Prefix.path</c> (the whole name when the path is empty), so that one part of a file
    /// holding several trees can be loaded, e.g. <c>"Model"</c> of a file saved from <c>new { Model = m, Optimizer = s }</c>.
    /// Empty (the default) reads names as they are.
    /// </summary>
    public string Prefix { get; init; } = "";

    /// <summary>
    /// Whether tensors in the file (under <see cref="Prefix"/>) that the template has no leaf for are ignored.
    /// False (the default) makes them an error, so that loading into the wrong model is noticed.
    /// </summary>
    public bool AllowExtraKeys { get; init; }
}

/// <summary>
/// Saves parameter trees (models, optimizer states, several of them together) as safetensors files and loads them
/// back into trees of the same structure. Each leaf is stored under its path from <see cref="Tree.FlattenWithPaths"/>
/// (e.g. <c>Layers.0.W</c>), so the files are readable by any safetensors reader. Only tensors are saved: non-tensor
/// values of a tree (ints, strings, settings) come from the template on load, so a step counter that must survive a
/// restart belongs in a tensor.
/// </summary>
public static class Checkpoint
{
    /// <summary>
    /// Writes the leaves of <paramref name="tree"/> to <paramref name="path"/>, atomically (temporary file in the same
    /// directory, flushed, renamed over the target), with optional string <paramref name="metadata"/>. To keep several
    /// trees in one file, save a record, tuple or dictionary of them: <c>Save(path, new { Model = m, Optimizer = s })</c>
    /// stores <c>Model.W</c>, <c>Optimizer.Mu.W</c>, …, and each part loads with <see cref="CheckpointLoadOptions.Prefix"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The tree cannot be flattened, or two leaves have the same path.</exception>
    public static void Save(string path, object? tree, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var named = Tree.FlattenWithPaths(tree);
        SafeTensors.Save(path, named.Select(n => KeyValuePair.Create(n.Path, n.Leaf)), metadata);
    }

    /// <summary>
    /// A new tree shaped like <paramref name="template"/> (e.g. a freshly initialised model) whose leaves are the file's
    /// tensors of the same names. Every leaf must be found with the template's shape and dtype.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is truncated or corrupt.</exception>
    /// <exception cref="ArgumentException">
    /// The file does not fit the template: the message names the first missing tensor, shape or dtype mismatch (and how
    /// many more there are), or the tensors the template has no leaf for unless <see cref="CheckpointLoadOptions.AllowExtraKeys"/>.
    /// </exception>
    public static T Load<T>(string path, T template, CheckpointLoadOptions? options = null)
    {
        options ??= new CheckpointLoadOptions();
        ArgumentNullException.ThrowIfNull(options.Prefix, nameof(options.Prefix));
        var (leaves, def) = Tree.Flatten(template);
        var paths = def.LeafPaths();
        using var stream = SafeTensors.OpenRead(path);
        var header = SafeTensorsHeader.Read(stream, path);
        var byName = header.Entries.ToDictionary(e => e.Name, StringComparer.Ordinal);

        var entries = new SafeTensorsEntry[leaves.Length];
        var problems = new List<string>();
        for (var i = 0; i < leaves.Length; i++)
        {
            var key = KeyOf(options.Prefix, paths[i]);
            var leaf = leaves[i];
            if (!byName.TryGetValue(key, out var entry))
                problems.Add($"the file has no tensor \"{key}\" for the template's {leaf.DType.Name()} {leaf.ShapeText} leaf");
            else if (entry.Type.LoadsAs != leaf.DType)
                problems.Add($"tensor \"{key}\" is stored as {entry.Type.Name} (loads as {entry.Type.LoadsAs.Name()}) but the template's leaf is {leaf.DType.Name()} {leaf.ShapeText}");
            else if (!Shapes.Equal(entry.Shape, leaf.Dims))
                problems.Add($"tensor \"{key}\" has shape {Shapes.Format(entry.Shape)} but the template's leaf has {leaf.ShapeText} ({leaf.DType.Name()})");
            else
                entries[i] = entry;
        }
        if (problems.Count > 0)
        {
            var more = problems.Count > 1 ? $" (and {problems.Count - 1} more: {string.Join("; ", problems.Skip(1).Take(9))}{(problems.Count > 10 ? "; …" : "")})" : "";
            throw new ArgumentException($"Checkpoint.Load: {path} does not fit the template {def.Brief}: {problems[0]}{more}");
        }
        if (!options.AllowExtraKeys)
        {
            var wanted = paths.Select(p => KeyOf(options.Prefix, p)).ToHashSet(StringComparer.Ordinal);
            var extra = header.Entries.Select(e => e.Name).Where(n => UnderPrefix(n, options.Prefix) && !wanted.Contains(n)).ToArray();
            if (extra.Length > 0)
                throw new ArgumentException(
                    $"Checkpoint.Load: {path} holds {extra.Length} tensor(s){(options.Prefix.Length > 0 ? $" under \"{options.Prefix}\"" : "")} that the template {def.Brief} has no leaf for: "
                    + $"{string.Join(", ", extra.Take(10).Select(n => $"\"{n}\""))}{(extra.Length > 10 ? ", …" : "")}; load into the matching model, or set AllowExtraKeys to ignore them");
        }
        var loaded = Array.ConvertAll(entries, e => header.ReadTensor(stream, e));
        return def.Unflatten<T>(loaded);
    }

    /// <summary>The tensor name of a leaf at <paramref name="path"/> under <paramref name="prefix"/>.</summary>
    private static string KeyOf(string prefix, string path) =>
        prefix.Length == 0 ? path : path.Length == 0 ? prefix : prefix + "." + path;

    private static bool UnderPrefix(string name, string prefix) =>
        prefix.Length == 0 || name == prefix || name.StartsWith(prefix + ".", StringComparison.Ordinal);
}
