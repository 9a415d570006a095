namespace Autodiff;

/// <summary>Splits work across cores only when it is big enough to pay for the scheduling.</summary>
internal static class ParallelKernel
{
    /// <summary>Elements below which a loop runs on the calling thread.</summary>
    public const int MinElementsPerTask = 1 << 15;

    /// <summary>A per-item cost for <see cref="For"/>, clamped so that large products cannot overflow.</summary>
    public static int Cost(long elementsPerItem) => (int)Math.Clamp(elementsPerItem, 1, int.MaxValue / 2);

    /// <summary>
    /// Calls <paramref name="body"/>(start, length) over chunks covering [0, count), on at most
    /// <see cref="Parallelism.MaxThreads"/> threads. Bodies must compute each item independently of the chunking,
    /// so that results do not depend on the thread count; every chunk but the last starts and ends on a multiple of
    /// <paramref name="granularity"/>, for bodies that work in fixed blocks.
    /// </summary>
    public static void For(int count, int costPerItem, Action<int, int> body, int granularity = 1)
    {
        var work = (long)count * Math.Max(costPerItem, 1);
        var tasks = (int)Math.Min(Parallelism.MaxThreads, work / MinElementsPerTask);
        if (tasks <= 1 || count < 2)
        {
            body(0, count);
            return;
        }
        tasks = Math.Min(tasks, count);
        var chunk = ((count + tasks - 1) / tasks + granularity - 1) / granularity * granularity;
        tasks = (count + chunk - 1) / chunk;
        if (tasks <= 1)
        {
            body(0, count);
            return;
        }
        // The team is busy when a body calls a parallel kernel or another thread runs one: then this thread runs the
        // chunks alone, which gives the same result.
        if (!WorkerTeam.TryRun(count, chunk, tasks, body)) body(0, count);
    }
}
