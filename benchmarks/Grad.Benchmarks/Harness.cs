using System.Diagnostics;

namespace Autodiff.Benchmarks;

/// <summary>
/// How long to warm up and how many samples to take. <c>torch_bench.py</c> uses the same numbers and the same
/// procedure, so that the ratio compares the libraries and not two ways of timing them.
/// </summary>
internal sealed record TimingPlan(double WarmupSeconds, int MinWarmupCalls, double SampleSeconds, double BudgetSeconds, int MinSamples, int MaxSamples)
{
    /// <summary>The plan for a real measurement: about 0.5 s of warm-up and 3 s of samples per workload.</summary>
    public static readonly TimingPlan Full = new(0.5, 3, 0.1, 3.0, 7, 31);

    /// <summary>A smoke run that checks every workload runs; its numbers are not worth reporting.</summary>
    public static readonly TimingPlan Quick = new(0.05, 1, 0.01, 0.1, 3, 5);
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
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections);

/// <summary>Times a workload: warm-up, then samples of a fixed number of calls each; reports the median per call.</summary>
internal static class Harness
{
    /// <summary>
    /// Warm-up runs the call until both <see cref="TimingPlan.WarmupSeconds"/> and <see cref="TimingPlan.MinWarmupCalls"/>
    /// are reached (tiered JIT, thread pool and caches settle); its mean sets the calls per sample (about
    /// <see cref="TimingPlan.SampleSeconds"/> each) and the number of samples (the budget, clamped to [min, max]).
    /// Allocation is read process-wide, because parallel kernels allocate on thread-pool threads too.
    /// </summary>
    public static Measurement Measure(string name, Func<object> call, TimingPlan plan)
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
            GC.CollectionCount(0) - gen0,
            GC.CollectionCount(1) - gen1,
            GC.CollectionCount(2) - gen2);
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
