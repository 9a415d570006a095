// Times Grad on the workloads of Workloads.cs and writes one JSON document (the format torch_bench.py writes too).
// Usage: dotnet run -c Release --project benchmarks/Grad.Benchmarks -- [--out FILE] [--filter TEXT] [--quick] [--list]
using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json;
using Autodiff.Benchmarks;

string? outPath = null;
string? filter = null;
var plan = TimingPlan.Full;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out" when i + 1 < args.Length: outPath = args[++i]; break;
        case "--filter" when i + 1 < args.Length: filter = args[++i]; break;
        case "--quick": plan = TimingPlan.Quick; break;
        case "--list":
            foreach (var w in Workloads.All) Console.WriteLine($"{w.Name,-28} {w.Description}");
            return 0;
        default:
            Console.Error.WriteLine($"unknown argument '{args[i]}'; use [--out FILE] [--filter TEXT] [--quick] [--list]");
            return 2;
    }
}

var selected = Workloads.All.Where(w => filter is null || w.Name.Contains(filter, StringComparison.Ordinal)).ToList();
if (selected.Count == 0)
{
    Console.Error.WriteLine($"no workload name contains '{filter}'; --list shows them");
    return 2;
}

var loadBefore = ReadLoadAverage();
var results = new List<Measurement>();
foreach (var workload in selected)
{
    var call = workload.Setup();
    var m = Harness.Measure(workload.Name, call, plan);
    results.Add(m);
    Console.Error.WriteLine($"grad  {m.Workload,-28} median {m.MedianUs,12:F1} µs  (IQR {m.Q1Us:F1}–{m.Q3Us:F1}, {m.Samples}×{m.CallsPerSample} calls)  {m.AllocatedBytesPerCall,12:N0} B/call  GC pause {m.GcPauseUsPerCall:F1} µs/call  {m.MinorFaultsPerCall:F0} faults/call  others' CPU {m.OtherCpuShare:P0}");
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
        Plan = plan,
        Quick = ReferenceEquals(plan, TimingPlan.Quick),
    },
    Results = results,
};
var json = JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });
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
