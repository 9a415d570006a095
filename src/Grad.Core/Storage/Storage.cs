namespace Autodiff;

/// <summary>
/// The buffer behind one or more tensors: a tensor and its reshapes and aliases share one <see cref="Storage"/>.
/// Every tensor buffer is made by <see cref="Allocate{T}"/>, the one entry point kernels use: it takes a buffer
/// from <see cref="BufferPool.Shared"/> and, while a reverse-mode transform runs, records the storage in that
/// transform's <see cref="AllocationLog"/> so that the transform can give it back when it is done.
/// </summary>
/// <remarks>
/// <para>Buffers of at least <see cref="Reclamation.MinBytes"/> also come back once their storage is garbage (see
/// <see cref="Reclamation"/>): parameters, gradients, optimizer states and data batches outlive every transform.
/// Code that reads a buffer outside a kernel call must therefore keep its tensor reachable until it is done
/// (<see cref="GC.KeepAlive"/>); the interpreter does this for every kernel's inputs.</para>
/// <para>Giving a buffer back swaps the array for a sentinel before the pool can hand it out again. A tensor kept past
/// its transform (stored in a captured variable) then fails on its next read with a clear error, rather than
/// reading memory that a later op has overwritten: the storage object is shared by every alias, so no view escapes.</para>
/// </remarks>
internal sealed class Storage
{
    /// <summary>Stands in for a released buffer: an array of a type no kernel reads, so every typed read misses it.</summary>
    private static readonly Array ReleasedSentinel = Array.Empty<ReleasedElement>();

    private Array _array;

    /// <summary>Where <see cref="Reclamation"/> tracks this storage's buffer, or null (small, not yet tracked, or released).</summary>
    private Reclamation.Entry? _reclaim;

    private Storage(Array array, DType dtype, AllocationLog? log)
    {
        _array = array;
        DType = dtype;
        Length = array.Length;
        Log = log;
        // A transform's allocations are tracked only if its log does not release them (see AllocationLog).
        if (log is null) TrackForReclamation();
    }

    /// <summary>The element type.</summary>
    public DType DType { get; }

    /// <summary>The number of elements (kept after release, so shapes still print).</summary>
    public int Length { get; }

    /// <summary>The transform phase that allocated this storage, or null when none was recording.</summary>
    public AllocationLog? Log { get; }

    /// <summary>Set by the owning log while it decides what to release: a result still refers to this buffer.</summary>
    public bool Kept { get; set; }

    /// <summary>Set by the owning log while it decides what to release: a traced intermediate (a tape output) uses this buffer.</summary>
    public bool Traced { get; set; }

    /// <summary>Whether the buffer went back to the pool; every read then throws.</summary>
    public bool IsReleased => ReferenceEquals(_array, ReleasedSentinel);

    /// <summary>The array, or the sentinel once released (typed reads with <c>as T[]</c> then miss and can report why).</summary>
    public Array Array => _array;

    /// <summary>A storage of <paramref name="length"/> elements with unspecified contents; the caller writes every element.</summary>
    public static Storage Allocate<T>(int length) => Record(BufferPool.Shared.Rent<T>(length));

    /// <summary>A storage of <paramref name="length"/> zeros.</summary>
    public static Storage AllocateZeroed<T>(int length)
    {
        var storage = Allocate<T>(length);
        System.Array.Clear(storage._array);
        return storage;
    }

    /// <summary><see cref="Allocate{T}"/> for a dtype known only at run time.</summary>
    public static Storage Allocate(DType dtype, int length) => dtype switch
    {
        DType.Float32 => Allocate<float>(length),
        DType.Float64 => Allocate<double>(length),
        DType.Int32 => Allocate<int>(length),
        DType.Bool => Allocate<bool>(length),
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "unknown dtype"),
    };

    private static Storage Record(Array array)
    {
        var log = AllocationLog.Active;
        var storage = new Storage(array, DTypeOf(array), log);
        log?.Add(storage);
        return storage;
    }

    private static DType DTypeOf(Array array) => array switch
    {
        float[] => DType.Float32,
        double[] => DType.Float64,
        int[] => DType.Int32,
        bool[] => DType.Bool,
        _ => throw new ArgumentException($"tensor storage of type {array.GetType().Name} is not supported"),
    };

    /// <summary>Has <see cref="Reclamation"/> give the buffer back once this storage is garbage, if the buffer is large.</summary>
    public void TrackForReclamation()
    {
        if (_reclaim is null && !IsReleased && Buffer.ByteLength(_array) >= Reclamation.MinBytes)
            _reclaim = Reclamation.Shared.Track(this, _array);
    }

    /// <summary>Swaps the array for the sentinel and gives it to the pool. Only the owning log calls this.</summary>
    public void Release()
    {
        var array = _array;
        if (IsReleased) return;
        _array = ReleasedSentinel;
        // Reclamation must never return it too: the pool would hand one array to two tensors.
        _reclaim?.Forget();
        BufferPool.Shared.Return(array);
    }

    /// <summary>The error for reading a released buffer through a tensor of <paramref name="shapeText"/>.</summary>
    public Exception LeakedError(string shapeText) => new InvalidOperationException(
        $"tensor {DType.Name()} {shapeText} was an intermediate of a reverse-mode transform (Grad.ValueAndGrad, Gradient, Vjp) " +
        "that has finished, and its buffer went back to the pool. It was kept by a side effect (stored in a variable or field " +
        "outside the differentiated function); return it from the function instead (as part of the value, or as aux with " +
        "ValueAndGrad), or copy it with ToArray inside the function.");

    /// <summary>The element type of the sentinel array; never instantiated.</summary>
    private readonly struct ReleasedElement;
}
