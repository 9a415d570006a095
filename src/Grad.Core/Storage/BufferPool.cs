namespace Autodiff;

/// <summary>
/// Tensor buffers kept for reuse, bucketed by element type and exact length (a tensor's buffer is exactly its size
/// long). Thread-safe, and bounded: it never holds more than <see cref="MaxBytes"/>; when a returned buffer would
/// not fit, the buckets used least recently are emptied first, so a program whose shapes change does not keep the
/// old shapes' buffers. Transforms return their dead intermediates (see <see cref="AllocationLog"/>), and large
/// buffers come back when their storage is collected (see <see cref="Storage"/>).
/// </summary>
/// <remarks>
/// A dedicated pool rather than <c>ArrayPool&lt;T&gt;.Shared</c>: that pool rounds lengths up to powers of two and
/// keeps only a few arrays per size and thread, so a training step's dozens of equal-sized activations would
/// mostly fall through to the garbage collector.
/// </remarks>
internal sealed class BufferPool(long maxBytes)
{
    /// <summary>The pool every tensor allocation goes through: 256 MiB at most.</summary>
    public static readonly BufferPool Shared = new(256L << 20);

    private sealed class Bucket
    {
        public readonly Stack<Array> Arrays = new();
        public long LastUsed;
    }

    // One dictionary per dtype, keyed by length.
    private readonly Dictionary<int, Bucket>[] _buckets = [[], [], [], []];
    private readonly Lock _gate = new();
    private long _pooledBytes;
    private long _clock;

    /// <summary>The most bytes the pool holds at once.</summary>
    public long MaxBytes { get; } = maxBytes;

    /// <summary>The bytes held now.</summary>
    public long PooledBytes
    {
        get { lock (_gate) return _pooledBytes; }
    }

    private long _rentedBytes;

    /// <summary>The bytes of every buffer handed out so far, pooled or new: what allocation would cost with no pool.</summary>
    public long RentedBytes => Interlocked.Read(ref _rentedBytes);

    /// <summary>A buffer of exactly <paramref name="length"/> elements with unspecified contents.</summary>
    public T[] Rent<T>(int length)
    {
        if (length == 0) return [];
        Interlocked.Add(ref _rentedBytes, (long)length * ElementBytes(DTypes.Of<T>()));
        if (Volatile.Read(ref _pooledBytes) > 0)
        {
            lock (_gate)
            {
                if (_buckets[(int)DTypes.Of<T>()].TryGetValue(length, out var bucket) && bucket.Arrays.TryPop(out var array))
                {
                    bucket.LastUsed = ++_clock;
                    _pooledBytes -= Bytes(array);
                    return (T[])array;
                }
            }
        }
        // Kernels write every element they hand out (or ask for zeros), so the runtime need not clear it.
        return GC.AllocateUninitializedArray<T>(length);
    }

    /// <summary>Takes <paramref name="array"/> back for reuse; the caller must hold no reference to it.</summary>
    public void Return(Array array)
    {
        var bytes = Bytes(array);
        if (bytes == 0 || bytes > MaxBytes) return;
        lock (_gate)
        {
            while (_pooledBytes + bytes > MaxBytes) EvictLeastRecentlyUsed();
            var buckets = _buckets[(int)DTypeOf(array)];
            if (!buckets.TryGetValue(array.Length, out var bucket)) buckets[array.Length] = bucket = new Bucket();
            bucket.Arrays.Push(array);
            bucket.LastUsed = ++_clock;
            _pooledBytes += bytes;
        }
    }

    /// <summary>Drops every pooled buffer (for tests that measure from an empty pool).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            foreach (var buckets in _buckets) buckets.Clear();
            _pooledBytes = 0;
        }
    }

    private void EvictLeastRecentlyUsed()
    {
        Bucket? oldest = null;
        foreach (var buckets in _buckets)
            foreach (var bucket in buckets.Values)
                if (bucket.Arrays.Count > 0 && (oldest is null || bucket.LastUsed < oldest.LastUsed)) oldest = bucket;
        while (oldest!.Arrays.TryPop(out var array)) _pooledBytes -= Bytes(array);
    }

    private static long Bytes(Array array) => array.Length * ElementBytes(DTypeOf(array));

    private static long ElementBytes(DType dtype) => dtype switch
    {
        DType.Float64 => 8,
        DType.Bool => 1,
        _ => 4,
    };

    private static DType DTypeOf(Array array) => array switch
    {
        float[] => DType.Float32,
        double[] => DType.Float64,
        int[] => DType.Int32,
        _ => DType.Bool,
    };
}
