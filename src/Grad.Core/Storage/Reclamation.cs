namespace Autodiff;

/// <summary>
/// Gives large tensor buffers back to <see cref="BufferPool"/> once the storages holding them are garbage, so that a
/// training loop reuses the memory of last step's parameters, gradients, optimizer states and batches instead of
/// taking fresh memory for them every step.
/// </summary>
/// <remarks>
/// <para>Why: fresh memory is mapped by the operating system one 4 KiB page at a time on first touch. On the 2-core
/// VM the benchmarks run on that cost 10–13 µs per page, more than the arithmetic that fills it: a 4 MiB result
/// cost 10 ms, and the CNN training step spent a third of its time in page faults. The garbage collector does not
/// help on its own: with regions it hands large arrays fresh pages, and it collects too rarely for a finalizer to
/// return buffers in time (no collection in 145 calls of a 4 MiB <c>Exp</c>).</para>
/// <para>How: each buffer of at least <see cref="MinBytes"/> is tracked with a weak reference to its storage. Once
/// the buffers tracked since the last look add up to the budget (64 MiB, or half of what was alive then if more),
/// (buffers their storages give back themselves do not count), a young-generation collection is run and every buffer whose storage died is given back to the pool, on the
/// allocating thread; buffers are also harvested whenever a collection has happened by itself. A storage that
/// gives its buffer back itself (a transform's dead intermediate) is forgotten first, so no buffer is returned twice.</para>
/// <para>The one rule this asks of the library's own code: a kernel that reads an array must keep the tensor owning it
/// reachable until it is done (<see cref="GC.KeepAlive"/>); the interpreter does so for every primitive's inputs.</para>
/// </remarks>
internal sealed class Reclamation(BufferPool pool, long minBudgetBytes)
{
    /// <summary>The smallest buffer tracked, in bytes (16 pages): below it the collector's reuse of young memory is cheap enough.</summary>
    public const int MinBytes = 64 << 10;

    /// <summary>The instance every storage uses, feeding <see cref="BufferPool.Shared"/>.</summary>
    public static readonly Reclamation Shared = new(BufferPool.Shared, 64L << 20);

    /// <summary>One tracked buffer.</summary>
    public sealed class Entry(Reclamation owner, Storage storage, Array array)
    {
        internal readonly WeakReference<Storage> Storage = new(storage);
        internal readonly long Bytes = Buffer.ByteLength(array);
        private Array? _array = array;

        /// <summary>The buffer, or null once its storage gave it back itself.</summary>
        internal Array? Array => Volatile.Read(ref _array);

        /// <summary>The storage gave the buffer back itself: never return it again, and do not count it towards the budget.</summary>
        public void Forget()
        {
            Volatile.Write(ref _array, null);
            owner.Untrack(Bytes);
        }
    }

    private readonly Lock _gate = new();
    private List<Entry> _entries = [];
    private List<Entry> _survivors = [];
    private long _trackedSinceScan;
    private long _aliveAtScan;
    private int _collectionsAtScan;

    /// <summary>Collections this instance ran itself (for tests).</summary>
    public int InducedCollections { get; private set; }

    /// <summary>Buffers given back to the pool so far (for tests).</summary>
    public long ReclaimedBuffers { get; private set; }

    /// <summary>Starts tracking <paramref name="array"/>, owned by <paramref name="owner"/>; may first run a collection and harvest it.</summary>
    public Entry Track(Storage owner, Array array)
    {
        var entry = new Entry(this, owner, array);
        bool collect;
        lock (_gate)
        {
            _entries.Add(entry);
            _trackedSinceScan += entry.Bytes;
            collect = _trackedSinceScan >= Math.Max(minBudgetBytes, _aliveAtScan / 2);
            // A collection that happened by itself has already found the dead storages: harvest them for free.
            if (!collect && GC.CollectionCount(0) != _collectionsAtScan) Scan();
        }
        if (collect)
        {
            // Young generations only, without compaction: the storages that die are mostly a step old, and the big
            // arrays sit in the large object heap, which this does not walk.
            GC.Collect(1, GCCollectionMode.Forced, blocking: true, compacting: false);
            lock (_gate)
            {
                InducedCollections++;
                Scan();
            }
        }
        return entry;
    }

    /// <summary>Runs a full collection and harvests it: every tracked buffer whose storage is garbage goes back to the pool now.</summary>
    public void CollectNow()
    {
        GC.Collect();
        lock (_gate) Scan();
    }

    private void Untrack(long bytes)
    {
        lock (_gate) _trackedSinceScan = Math.Max(0, _trackedSinceScan - bytes);
    }

    /// <summary>Returns to the pool every tracked buffer whose storage is unreachable, and drops forgotten entries.</summary>
    private void Scan()
    {
        long alive = 0;
        foreach (var entry in _entries)
        {
            if (entry.Array is not { } array) continue;              // given back by its storage
            if (entry.Storage.TryGetTarget(out _))
            {
                _survivors.Add(entry);
                alive += entry.Bytes;
                continue;
            }
            pool.Return(array);
            ReclaimedBuffers++;
        }
        (_entries, _survivors) = (_survivors, _entries);
        _survivors.Clear();
        _aliveAtScan = alive;
        _trackedSinceScan = 0;
        _collectionsAtScan = GC.CollectionCount(0);
    }
}
