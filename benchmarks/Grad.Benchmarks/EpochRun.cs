using System.Diagnostics;
using System.Text.Json;
using Autodiff.Data;
using Autodiff.Nn;
using Autodiff.Optimizers;

namespace Autodiff.Benchmarks;

/// <summary>
/// What one epoch of MNIST training cost, end to end, in a process that did nothing else (so its peak memory is the
/// epoch's): the same fields as <c>torch_bench.py --epoch-child</c> writes.
/// </summary>
/// <param name="Workload">Always <see cref="EpochRun.Name"/>.</param>
/// <param name="Examples">Training examples visited.</param>
/// <param name="Batches">Steps taken (469 for a full epoch of 60,000 at 128; fewer in a quick run).</param>
/// <param name="FullEpoch">False in a quick run, which stops early.</param>
/// <param name="LoadSeconds">Reading the IDX files into float32 [60000, 784] images in [0, 1] and int32 labels.</param>
/// <param name="EpochSeconds">The training loop: batch gathering, value and gradient, update, for every batch.</param>
/// <param name="ProcessSeconds">The child process's wall time from start to exit (runtime start-up, loading, the epoch), measured by the parent.</param>
/// <param name="FinalLoss">The last batch's loss, a check that both sides trained alike.</param>
/// <param name="RssBeforeLoadBytes">VmRSS before the data is loaded: the runtime and the library.</param>
/// <param name="RssAfterLoadBytes">VmRSS after the data is loaded.</param>
/// <param name="PeakRssBytes">VmHWM after the epoch: the process's peak resident memory.</param>
/// <param name="GcHeapBytes">The GC heap after the epoch (null on the PyTorch side).</param>
internal sealed record EpochResult(
    string Workload, int Examples, int Batches, bool FullEpoch, double LoadSeconds, double EpochSeconds, double? ProcessSeconds,
    double FinalLoss, long? RssBeforeLoadBytes, long? RssAfterLoadBytes, long? PeakRssBytes, long? GcHeapBytes);

/// <summary>
/// <c>mnist_mlp_epoch</c>: one epoch of the MNIST MLP (784→128→10, softmax cross-entropy, SGD lr 0.01, batch 128,
/// shuffled by <see cref="DataLoader"/>) on the real training set from <see cref="Mnist.Load"/>. Run in a child process
/// (<c>--epoch-child</c>) so that the process's peak memory is the epoch's and not the benchmark suite's.
/// </summary>
internal static class EpochRun
{
    public const string Name = "mnist_mlp_epoch";

    public const string Description = "one epoch of MNIST MLP 784→128→10 training (SGD 0.01, batch 128, shuffled, real MNIST via Mnist.Load), in a fresh process: wall time and peak RSS (VmHWM)";

    /// <summary>Batches a quick run stops after.</summary>
    private const int QuickBatches = 20;

    /// <summary>The child's side: load, train one epoch, report. Runs in a process that has done nothing else.</summary>
    public static EpochResult Run(bool quick)
    {
        var rssBefore = ProcStatus("VmRSS");
        var start = Stopwatch.GetTimestamp();
        var train = Mnist.Load(new DatasetOptions { Log = Console.Error }).Train;
        var loadSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        var rssAfterLoad = ProcStatus("VmRSS");

        var (modelKey, shuffleKey) = Key.Create(30).Split();
        var model = ModelWorkloads.MnistMlp(modelKey);
        var optimizer = Optim.Sgd(0.01);
        var state = optimizer.Init(model);
        var loader = DataLoader.Create((train.Images, train.Labels), 128, shuffleKey);

        Tensor? loss = null;
        var (batches, examples) = (0, 0);
        start = Stopwatch.GetTimestamp();
        foreach (var (x, labels) in loader.Epoch(0))
        {
            (loss, var grads) = Grad.ValueAndGrad<Sequential>(m => Losses.SoftmaxCrossEntropy(m.Apply(x), labels))(model);
            (model, state) = optimizer.Update(grads, state, model);
            batches++;
            examples += labels.Shape[0];
            if (quick && batches == QuickBatches) break;
        }
        var epochSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return new EpochResult(Name, examples, batches, batches == loader.BatchCount, Math.Round(loadSeconds, 3), Math.Round(epochSeconds, 3), null,
            Math.Round(loss!.Item<float>(), 4), rssBefore, rssAfterLoad, ProcStatus("VmHWM"), GC.GetGCMemoryInfo().HeapSizeBytes);
    }

    /// <summary>
    /// The parent's side: runs this program again with <c>--epoch-child</c> at <paramref name="threads"/> threads,
    /// passes its standard error through, and reads its result from its standard output.
    /// </summary>
    public static EpochResult RunInChildProcess(int threads, bool quick, JsonSerializerOptions json)
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("mnist_mlp_epoch: cannot tell which executable runs this program");
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, UseShellExecute = false };
        // Run as `dotnet Grad.Benchmarks.dll` the host is dotnet and needs the assembly; the apphost does not.
        if (Path.GetFileNameWithoutExtension(host) == "dotnet") start.ArgumentList.Add(typeof(EpochRun).Assembly.Location);
        foreach (var argument in (string[])["--epoch-child", "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(argument);
        if (quick) start.ArgumentList.Add("--quick");

        var clock = Stopwatch.GetTimestamp();
        using var child = Process.Start(start) ?? throw new InvalidOperationException($"mnist_mlp_epoch: could not start {host}");
        var output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        var seconds = Stopwatch.GetElapsedTime(clock).TotalSeconds;
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"mnist_mlp_epoch: the child process exited with {child.ExitCode}; its standard error is above");
        var result = JsonSerializer.Deserialize<EpochResult>(output, json)
            ?? throw new InvalidOperationException("mnist_mlp_epoch: the child process wrote no result");
        return result with { ProcessSeconds = Math.Round(seconds, 3) };
    }

    /// <summary>A memory field of /proc/self/status (VmRSS, VmHWM) in bytes, or null off Linux.</summary>
    private static long? ProcStatus(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return null;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        if (line is null) return null;
        // "VmHWM:	  123456 kB"
        var kilobytes = line[(field.Length + 1)..].Trim().Split(' ')[0];
        return long.Parse(kilobytes, System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }
}
