using System.Diagnostics;

namespace Autodiff.Benchmarks;

/// <summary>
/// How long to warm up and how many samples to take. <c>torch_bench.py</c> uses the same numbers and the same
/// procedure, so that the ratio compares the libraries and not two ways of timing them.
/// </summary>
/// <remarks>
/// The machine is shared: when other processes took more than <see cref="MaxOtherCpuShare"/> of the CPU during a
/// workload's samples, the workload is measured again after <see cref="RetryPauseSeconds"/>, up to
/// <see cref="MaxAttempts"/> times, and the least disturbed attempt is kept (its share is reported either way).
/// </remarks>
internal sealed record TimingPlan(
    double WarmupSeconds, int MinWarmupCalls, double SampleSeconds, double BudgetSeconds, int MinSamples, int MaxSamples,
    double MaxOtherCpuShare, int MaxAttempts, double RetryPauseSeconds)
{
    /// <summary>
    /// The plan for a real measurement: at least 2 s and 30 calls of warm-up, then 3 s of samples per workload. The
    /// CNN step took about 50 calls (2–3 s) to settle: .NET recompiles a method at full optimisation only after 30
    /// calls, and the garbage collector's heap and the buffer pool take several collections to reach their steady size.
    /// </summary>
    public static readonly TimingPlan Full = new(2.0, 30, 0.1, 3.0, 7, 31, 0.10, 4, 5.0);

    /// <summary>A smoke run that checks every workload runs; its numbers are not worth reporting.</summary>
    public static readonly TimingPlan Quick = new(0.05, 1, 0.01, 0.1, 3, 5, 1.0, 1, 0.0);
}

/// <summary>One workload's timing: per-call times over samples, and what it allocated.</summary>
internal sealed record Measurement(
    string Workload,
    double MedianUs,
    double MinUs,
    double Q1Us,
    double Q3Us,
    int Samples,
    int CallsPerSample,
    long AllocatedBytesPerCall,
    double GcPauseUsPerCall,
    double? MinorFaultsPerCall,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    double? OtherCpuShare,
    int Attempts);

/// <summary>Times a workload: warm-up, then samples of a fixed number of calls each; reports the median per call.</summary>
internal static class Harness
{
    /// <summary>
    /// Warm-up runs the call until both <see cref="TimingPlan.WarmupSeconds"/> and <see cref="TimingPlan.MinWarmupCalls"/>
    /// are reached (tiered JIT, thread pool and caches settle); its mean sets the calls per sample (about
    /// <see cref="TimingPlan.SampleSeconds"/> each) and the number of samples (the budget, clamped to [min, max]).
    /// Allocation is read process-wide, because parallel kernels allocate on thread-pool threads too; the GC's
    /// pause time over the samples (part of the measured time) is reported per call next to it.
    /// </summary>
    public static Measurement Measure(string name, Func<object> call, TimingPlan plan)
    {
        var best = MeasureOnce(name, call, plan);
        var attempts = 1;
        while (attempts < plan.MaxAttempts && best.OtherCpuShare > plan.MaxOtherCpuShare)
        {
            Console.Error.WriteLine($"      {name}: other processes used {best.OtherCpuShare:P0} of the CPU; measuring again");
            Thread.Sleep(TimeSpan.FromSeconds(plan.RetryPauseSeconds));
            var next = MeasureOnce(name, call, plan);
            attempts++;
            if (next.OtherCpuShare < best.OtherCpuShare) best = next;
            else Console.Error.WriteLine($"      {name}: attempt {attempts} was disturbed more ({next.OtherCpuShare:P0}); keeping the earlier one");
        }
        return best with { Attempts = attempts };
    }

    private static Measurement MeasureOnce(string name, Func<object> call, TimingPlan plan)
    {
        object? sink = null;
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        var warmupCalls = 0;
        var warmupStart = Stopwatch.GetTimestamp();
        while (warmupCalls < plan.MinWarmupCalls || Stopwatch.GetElapsedTime(warmupStart).TotalSeconds < plan.WarmupSeconds)
        {
            sink = call();
            warmupCalls++;
        }
        var perCall = Stopwatch.GetElapsedTime(warmupStart).TotalSeconds / warmupCalls;
        var callsPerSample = (int)Math.Max(1, Math.Round(plan.SampleSeconds / perCall));
        var samples = (int)Math.Clamp(Math.Floor(plan.BudgetSeconds / (perCall * callsPerSample)), plan.MinSamples, plan.MaxSamples);

        var times = new double[samples];
        long allocated = 0;
        int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        var pause = GC.GetTotalPauseDuration();
        var faults = MinorFaults();
        var cpu = CpuMeter.Start();
        for (var s = 0; s < samples; s++)
        {
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < callsPerSample; i++) sink = call();
            var elapsed = Stopwatch.GetElapsedTime(start);
            allocated += GC.GetTotalAllocatedBytes(precise: true) - before;
            times[s] = elapsed.TotalMicroseconds / callsPerSample;
        }
        GC.KeepAlive(sink);

        Array.Sort(times);
        return new Measurement(
            name,
            Quantile(times, 0.5),
            times[0],
            Quantile(times, 0.25),
            Quantile(times, 0.75),
            samples,
            callsPerSample,
            allocated / ((long)samples * callsPerSample),
            Math.Round((GC.GetTotalPauseDuration() - pause).TotalMicroseconds / (samples * callsPerSample), 1),
            MinorFaults() - faults is { } f ? Math.Round((double)f / (samples * callsPerSample), 1) : null,
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2,
            cpu.OtherShare(),
            1);
    }

    /// <summary>
    /// Minor page faults of this process so far (/proc/self/stat field 10), or null off Linux. Fresh pages for
    /// results — a runtime or allocator handing memory back to the OS and touching it again — cost time, on both sides.
    /// </summary>
    private static long? MinorFaults()
    {
        const string stat = "/proc/self/stat";
        if (!File.Exists(stat)) return null;
        var text = File.ReadAllText(stat);
        // Fields after the parenthesised command name start at field 3 (state); minflt is field 10.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[10 - 3], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Linear-interpolated quantile of sorted data (numpy's default), so both sides compute it alike.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var position = q * (sorted.Length - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}

/// <summary>Memory after <see cref="Steps"/> steps of a run, and the collections and allocation per step since the last checkpoint.</summary>
internal sealed record MemoryPoint(
    string Workload, int Steps, long GcHeapBytes, long WorkingSetBytes,
    double Gen0PerStep, double Gen1PerStep, double Gen2PerStep, long AllocatedBytesPerStep, double Seconds);

/// <summary>Runs a <see cref="MemoryWorkload"/> once, reading memory at each checkpoint after a full, compacting collection.</summary>
internal static class MemoryHarness
{
    public static List<MemoryPoint> Run(MemoryWorkload workload)
    {
        var step = workload.Setup();
        var points = new List<MemoryPoint>();
        var done = 0;
        foreach (var checkpoint in workload.Checkpoints)
        {
            var (gen0, gen1, gen2) = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var start = Stopwatch.GetTimestamp();
            var steps = checkpoint - done;
            for (; done < checkpoint; done++) step();
            var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            // Counted before the forced collection below, so they are the run's own.
            double PerStep(int count) => Math.Round((double)count / steps, 4);
            var (d0, d1, d2) = (PerStep(GC.CollectionCount(0) - gen0), PerStep(GC.CollectionCount(1) - gen1), PerStep(GC.CollectionCount(2) - gen2));
            var perStep = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / steps;
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            using var process = Process.GetCurrentProcess();
            points.Add(new MemoryPoint(workload.Name, checkpoint, GC.GetGCMemoryInfo().HeapSizeBytes, process.WorkingSet64,
                d0, d1, d2, perStep, Math.Round(seconds, 2)));
        }
        return points;
    }
}

/// <summary>
/// How much of the machine other processes used over an interval: all busy CPU time (/proc/stat, steal included)
/// minus this process's own, as a share of wall time × cores. Null where /proc/stat does not exist.
/// </summary>
internal readonly record struct CpuMeter(double? BusySeconds, double OwnSeconds, long StartTimestamp)
{
    /// <summary>Clock ticks per second of /proc/stat (USER_HZ, 100 on Linux).</summary>
    private const double TicksPerSecond = 100;

    public static CpuMeter Start() => new(ReadBusySeconds(), OwnCpuSeconds(), Stopwatch.GetTimestamp());

    public double? OtherShare()
    {
        var busy = ReadBusySeconds();
        if (busy is null || BusySeconds is null) return null;
        var wall = Stopwatch.GetElapsedTime(StartTimestamp).TotalSeconds;
        var others = busy.Value - BusySeconds.Value - (OwnCpuSeconds() - OwnSeconds);
        return Math.Round(Math.Max(0, others / (wall * Environment.ProcessorCount)), 3);
    }

    private static double OwnCpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static double? ReadBusySeconds()
    {
        const string stat = "/proc/stat";
        if (!File.Exists(stat)) return null;
        // cpu  user nice system idle iowait irq softirq steal guest guest_nice — busy is all but idle and iowait
        // (guest time is already counted in user).
        var fields = File.ReadLines(stat).First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        long Field(int i) => i < fields.Length ? long.Parse(fields[i], System.Globalization.CultureInfo.InvariantCulture) : 0;
        return (Field(1) + Field(2) + Field(3) + Field(6) + Field(7) + Field(8)) / TicksPerSecond;
    }
}
