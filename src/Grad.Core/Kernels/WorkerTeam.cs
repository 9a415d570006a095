using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace Autodiff;

/// <summary>
/// Long-lived worker threads that run <see cref="ParallelKernel.For"/>'s chunks alongside the calling thread.
/// </summary>
/// <remarks>
/// <para>Why not <c>Parallel.For</c>: a training step runs dozens of parallel kernels of 20–200 µs each, and between
/// them the thread pool's workers go to sleep; waking them took a quarter of the MNIST step's CPU samples on the
/// 2-core VM (kernel wake-ups, the pool's own spinning and <c>sched_yield</c>). These workers spin for a short while
/// after each job (<see cref="SpinMicroseconds"/>), so the next kernel finds them awake, then block.</para>
/// <para>One job at a time: a call made while a job runs (a kernel body calling a parallel kernel, or another thread
/// running one) is refused, and the caller runs its chunks itself. Chunks are claimed one by one, so which thread
/// runs a chunk varies, but kernels compute each chunk independently, so results do not.</para>
/// </remarks>
internal static class WorkerTeam
{
    /// <summary>How long an idle worker keeps polling for the next job before it blocks.</summary>
    private const double SpinMicroseconds = 200;

    private sealed class Job(Action<int, int> body, int count, int chunk, int tasks)
    {
        public readonly Action<int, int> Body = body;
        public readonly int Count = count, Chunk = chunk, Tasks = tasks;
        public int Next;
        public int Done;
        public ExceptionDispatchInfo? Error;

        /// <summary>Claims and runs chunks until none is left.</summary>
        public void RunChunks()
        {
            int task;
            while ((task = Interlocked.Increment(ref Next) - 1) < Tasks)
            {
                try
                {
                    var start = task * Chunk;
                    var length = Math.Min(Chunk, Count - start);
                    if (length > 0) Body(start, length);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref Error, ExceptionDispatchInfo.Capture(e), null);
                }
                finally
                {
                    Interlocked.Increment(ref Done);
                }
            }
        }
    }

    private sealed class Worker
    {
        public readonly SemaphoreSlim Wake = new(0);
        public int Sleeping;
    }

    private static readonly Lock Gate = new();
    private static Worker[] _workers = [];
    private static Job? _job;
    private static int _generation;
    private static int _busy;

    /// <summary>
    /// Runs body(start, length) over <paramref name="tasks"/> chunks of <paramref name="chunk"/> items covering
    /// [0, <paramref name="count"/>) on the calling thread and up to tasks − 1 workers. Returns false, having run
    /// nothing, when the team is busy with another job.
    /// </summary>
    public static bool TryRun(int count, int chunk, int tasks, Action<int, int> body)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0) return false;
        try
        {
            var workers = Workers(tasks - 1);
            var job = new Job(body, count, chunk, tasks);
            Volatile.Write(ref _job, job);
            Interlocked.Increment(ref _generation);
            for (var i = 0; i < tasks - 1; i++)
                if (Interlocked.Exchange(ref workers[i].Sleeping, 0) == 1) workers[i].Wake.Release();
            job.RunChunks();
            // The caller's chunks are done; wait for the workers' (spinning: they are short).
            var spinner = new SpinWait();
            while (Volatile.Read(ref job.Done) < tasks) spinner.SpinOnce(sleep1Threshold: -1);
            Volatile.Write(ref _job, null);
            job.Error?.Throw();
            return true;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>The first <paramref name="needed"/> workers, started on first use.</summary>
    private static Worker[] Workers(int needed)
    {
        var workers = Volatile.Read(ref _workers);
        if (workers.Length >= needed) return workers;
        lock (Gate)
        {
            workers = _workers;
            if (workers.Length >= needed) return workers;
            var grown = new Worker[needed];
            workers.CopyTo(grown, 0);
            for (var i = workers.Length; i < needed; i++)
            {
                var worker = grown[i] = new Worker();
                new Thread(() => Loop(worker)) { IsBackground = true, Name = $"Grad worker {i + 1}" }.Start();
            }
            Volatile.Write(ref _workers, grown);
            return grown;
        }
    }

    private static void Loop(Worker worker)
    {
        var seen = Volatile.Read(ref _generation);
        while (true)
        {
            // Poll for a new job for a while, then sleep until a caller wakes this worker.
            var idleSince = Stopwatch.GetTimestamp();
            while (Volatile.Read(ref _generation) == seen)
            {
                if (Stopwatch.GetElapsedTime(idleSince).TotalMicroseconds < SpinMicroseconds)
                {
                    Thread.SpinWait(20);
                    continue;
                }
                Volatile.Write(ref worker.Sleeping, 1);
                if (Volatile.Read(ref _generation) != seen)
                {
                    // A job came in meanwhile: take back the sleeping flag, or, if its caller already took it and
                    // released the semaphore, consume that release.
                    if (Interlocked.Exchange(ref worker.Sleeping, 0) == 0) worker.Wake.Wait();
                    break;
                }
                worker.Wake.Wait();
                idleSince = Stopwatch.GetTimestamp();
            }
            seen = Volatile.Read(ref _generation);
            Volatile.Read(ref _job)?.RunChunks();
        }
    }
}
