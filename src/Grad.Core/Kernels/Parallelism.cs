namespace Autodiff;

/// <summary>
/// How many threads Grad's kernels may use. Every parallel loop (elementwise, reductions, copies, random fills,
/// the GEMM) splits its work into at most <see cref="MaxThreads"/> parts. Results do not depend on it: every
/// kernel computes each output element by the same sequence of operations whatever the split, so a program gives
/// bitwise identical results with 1, 2 or 16 threads.
/// </summary>
public static class Parallelism
{
    /// <summary>The environment variable read once at startup: a positive integer overrides the default.</summary>
    public const string EnvironmentVariable = "GRAD_NUM_THREADS";

    // Process-wide on purpose: a thread count is a property of the machine and the deployment (like
    // OMP_NUM_THREADS or torch.set_num_threads), and the kernels read it on every call, where an AsyncLocal
    // lookup would cost more than the small ops themselves.
    private static int maxThreads = FromEnvironment(Environment.GetEnvironmentVariable(EnvironmentVariable));

    /// <summary>
    /// The most threads a kernel uses (1 = everything on the calling thread). Defaults to <c>GRAD_NUM_THREADS</c>
    /// when that is set to a positive integer, otherwise to <see cref="Environment.ProcessorCount"/>.
    /// Setting it affects kernels started afterwards, on every thread.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public static int MaxThreads
    {
        get => Volatile.Read(ref maxThreads);
        set
        {
            if (value < 1)
                throw new ArgumentOutOfRangeException(nameof(value), value, "Parallelism.MaxThreads: the thread count must be at least 1");
            Volatile.Write(ref maxThreads, value);
        }
    }

    /// <summary>Sets <see cref="MaxThreads"/> until the returned scope is disposed, then restores the previous value.</summary>
    public static IDisposable Limit(int threads)
    {
        var previous = MaxThreads;
        MaxThreads = threads;
        return new Restore(previous);
    }

    private sealed class Restore(int previous) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            MaxThreads = previous;
        }
    }

    /// <summary>The thread count <c>GRAD_NUM_THREADS</c> asks for, or the core count when it is unset.</summary>
    internal static int FromEnvironment(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return Environment.ProcessorCount;
        if (int.TryParse(value.Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1)
            return n;
        throw new InvalidOperationException($"{EnvironmentVariable}='{value}': expected a positive integer (the number of threads Grad's kernels may use)");
    }
}
