// Times Grad on the workloads of Workloads.cs and writes one JSON document (the format torch_bench.py writes too).
// Usage: dotnet run -c Release --project benchmarks/Grad.Benchmarks -- [--threads N] [--out FILE] [--filter TEXT]
//        [--quick] [--budget SECONDS] [--skip-memory] [--list]
using System.Globalization;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Autodiff.Benchmarks;

const string Usage = "use [--threads N] [--out FILE] [--filter TEXT] [--quick] [--budget SECONDS] [--skip-memory] [--list]";
string? outPath = null;
string? filter = null;
var plan = TimingPlan.Full;
var quick = false;
double? budget = null;
var skipMemory = false;
var epochChild = false;
var jsonOptions = new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out" when i + 1 < args.Length: outPath = args[++i]; break;
        case "--filter" when i + 1 < args.Length: filter = args[++i]; break;
        case "--quick": plan = TimingPlan.Quick; quick = true; break;
        case "--threads" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var threads) && threads >= 1:
            Autodiff.Parallelism.MaxThreads = threads;
            i++;
            break;
        case "--budget" when i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
            budget = seconds;
            i++;
            break;
        case "--skip-memory": skipMemory = true; break;
        // Internal: run by this program itself for mnist_mlp_epoch (EpochRun.RunInChildProcess).
        case "--epoch-child": epochChild = true; break;
        case "--list":
            foreach (var w in Workloads.All) Console.WriteLine($"{w.Name,-28} {w.Description}");
            Console.WriteLine($"{EpochRun.Name,-28} {EpochRun.Description}");
            foreach (var w in Workloads.Memory) Console.WriteLine($"{w.Name,-28} {w.Description}");
            return 0;
        default:
            Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'; {Usage}");
            return 2;
    }
}
// The budget applies after --quick whichever comes first; the 1-thread pass of run.sh uses a smaller one.
if (budget is { } b) plan = plan with { BudgetSeconds = b };

if (epochChild)
{
    Console.WriteLine(JsonSerializer.Serialize(EpochRun.Run(quick), jsonOptions));
    return 0;
}

bool Selected(string name) => filter is null || name.Contains(filter, StringComparison.Ordinal);
var selected = Workloads.All.Where(w => Selected(w.Name)).ToList();
var runEpoch = Selected(EpochRun.Name);
var selectedMemory = Workloads.Memory.Where(w => Selected(w.Name)).ToList();
if (selected.Count == 0 && selectedMemory.Count == 0 && !runEpoch)
{
    Console.Error.WriteLine($"no workload name contains '{filter}'; --list shows them");
    return 2;
}

var loadBefore = ReadLoadAverage();
// The memory check runs first, while the buffer pool and the GC heap hold nothing of the other workloads.
var memory = new List<MemoryPoint>();
foreach (var workload in skipMemory ? [] : selectedMemory)
{
    // A quick run checks that the workload runs, at a tenth of the steps.
    var run = quick ? workload with { Checkpoints = Array.ConvertAll(workload.Checkpoints, c => c / 10) } : workload;
    foreach (var p in MemoryHarness.Run(run))
    {
        memory.Add(p);
        Console.Error.WriteLine($"grad  {p.Workload,-28} after {p.Steps,6:N0} steps: GC heap {p.GcHeapBytes / 1048576.0,8:F1} MiB  working set {p.WorkingSetBytes / 1048576.0,8:F1} MiB  per step: {p.AllocatedBytesPerStep,10:N0} B, GC gen0/1/2 {p.Gen0PerStep:F3}/{p.Gen1PerStep:F3}/{p.Gen2PerStep:F3}  ({p.Seconds:F1} s)");
    }
}

var results = new List<Measurement>();
foreach (var workload in selected)
{
    var call = workload.Setup();
    var m = Harness.Measure(workload.Name, call, plan);
    results.Add(m);
    Console.Error.WriteLine($"grad  {m.Workload,-28} median {m.MedianUs,12:F1} µs  (IQR {m.Q1Us:F1}–{m.Q3Us:F1}, {m.Samples}×{m.CallsPerSample} calls)  {m.AllocatedBytesPerCall,12:N0} B/call  GC pause {m.GcPauseUsPerCall:F1} µs/call  {m.MinorFaultsPerCall:F0} faults/call  others' CPU {m.OtherCpuShare:P0}");
    var calls = (double)m.Samples * m.CallsPerSample;
    Console.Error.WriteLine($"      GC per call: gen0 {m.Gen0Collections / calls:F3}, gen1 {m.Gen1Collections / calls:F3}, gen2 {m.Gen2Collections / calls:F3}");
}

EpochResult? epoch = null;
if (runEpoch)
{
    epoch = EpochRun.RunInChildProcess(Autodiff.Parallelism.MaxThreads, quick, jsonOptions);
    Console.Error.WriteLine($"grad  {epoch.Workload,-28} {epoch.Batches} batches: epoch {epoch.EpochSeconds:F2} s, load {epoch.LoadSeconds:F2} s, process {epoch.ProcessSeconds:F2} s; peak RSS {epoch.PeakRssBytes / 1048576.0:F1} MiB (RSS {epoch.RssBeforeLoadBytes / 1048576.0:F1} MiB before loading, {epoch.RssAfterLoadBytes / 1048576.0:F1} MiB after); final loss {epoch.FinalLoss:F4}");
}

var document = new
{
    Framework = "grad",
    Environment = new
    {
        Date = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        Cpu = ReadCpuModel(),
        Cores = Environment.ProcessorCount,
        Threads = Autodiff.Parallelism.MaxThreads,
        Runtime = RuntimeInformation.FrameworkDescription,
        Os = RuntimeInformation.OSDescription,
        Gc = $"{(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, latency {System.Runtime.GCSettings.LatencyMode}",
        VectorFloatLanes = Vector<float>.Count,
        Vector512Accelerated = Vector512.IsHardwareAccelerated,
        LoadAverageBefore = loadBefore,
        LoadAverageAfter = ReadLoadAverage(),
        FmaFlopsPerThread = FmaPeak.FlopsPerThread,
        Plan = plan,
        Quick = quick,
    },
    Results = results,
    Epoch = epoch,
    Memory = memory,
};
var json = JsonSerializer.Serialize(document, jsonOptions);
if (outPath is null) Console.WriteLine(json);
else File.WriteAllText(outPath, json + "\n");
return 0;

static string ReadCpuModel()
{
    const string cpuinfo = "/proc/cpuinfo";
    if (!File.Exists(cpuinfo)) return RuntimeInformation.ProcessArchitecture.ToString();
    var line = File.ReadLines(cpuinfo).FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
    return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
}

static string ReadLoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
