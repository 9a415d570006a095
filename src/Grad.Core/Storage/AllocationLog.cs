namespace Autodiff;

/// <summary>
/// The storages allocated while one phase of an outermost reverse-mode transform runs (its traced function, or one
/// call of its pullback), so that the transform can give back to the pool those no result refers to.
/// </summary>
/// <remarks>
/// Only a transform with no enclosing transform records: an enclosing level may have recorded any tensor on its
/// own tape, so an inner level can never know that one is dead. The log is found through an <see cref="AsyncLocal{T}"/>,
/// like the interpreter stack, so threads the function starts record into it too.
/// </remarks>
internal sealed class AllocationLog
{
    private static readonly AsyncLocal<AllocationLog?> CurrentLog = new();

    [ThreadStatic] private static AllocationLog? _spare;

    private readonly List<Storage> _storages = [];
    private readonly Lock _gate = new();
    private bool _open;

    /// <summary>The log recording allocations now, or null.</summary>
    public static AllocationLog? Active => CurrentLog.Value is { _open: true } log ? log : null;

    /// <summary>An empty, open log (a spare one from this thread when there is one: its list keeps its capacity).</summary>
    public static AllocationLog Open()
    {
        var log = _spare ?? new AllocationLog();
        _spare = null;
        log._open = true;
        return log;
    }

    /// <summary>Runs <paramref name="body"/> with this log recording every storage allocated in it.</summary>
    public T Record<T>(Func<T> body)
    {
        var saved = CurrentLog.Value;
        CurrentLog.Value = this;
        try
        {
            return body();
        }
        finally
        {
            CurrentLog.Value = saved;
        }
    }

    public void Add(Storage storage)
    {
        lock (_gate) _storages.Add(storage);
    }

    /// <summary>Marks the buffer of <paramref name="t"/> as a traced intermediate if this log allocated it.</summary>
    public void MarkTraced(Tensor t)
    {
        if (t.Storage.Log == this) t.Storage.Traced = true;
    }

    /// <summary>Marks the buffer of <paramref name="t"/> as still in use (a result refers to it) if this log allocated it.</summary>
    public void MarkKept(Tensor t)
    {
        if (t.Storage.Log == this) t.Storage.Kept = true;
    }

    /// <summary>
    /// Closes the log and gives back to the pool every storage it recorded that is not kept and, when
    /// <paramref name="onlyTraced"/>, is marked traced. The others are left to the garbage collector.
    /// </summary>
    public void ReleaseAndClose(bool onlyTraced)
    {
        lock (_gate)
        {
            _open = false;
            foreach (var storage in _storages)
                if (!storage.Kept && (storage.Traced || !onlyTraced)) storage.Release();
                else storage.TrackForReclamation(); // it outlives the transform: reclaimed once it is garbage
            _storages.Clear();
        }
        _spare ??= this;
    }

    /// <summary>Closes the log without releasing anything (the transform failed, or cannot know what is dead).</summary>
    public void Close()
    {
        lock (_gate)
        {
            _open = false;
            foreach (var storage in _storages) storage.TrackForReclamation();
            _storages.Clear();
        }
        _spare ??= this;
    }
}
