// Times forward + backward of the MNIST CNN's conv and pool layers at batch 64, float32:
//   conv(1→32, 3×3, pad 1) → relu → maxpool 2 → conv(32→64, 3×3, pad 1) → relu → maxpool 2.
// Run by hand: dotnet run -c Release --project benchmarks/ConvTiming [repetitions]
// conv_timing.py beside it times the same shapes in PyTorch; run both in one sitting on a quiet machine.
using System.Diagnostics;
using Autodiff;

var repetitions = args.Length > 0 ? int.Parse(args[0]) : 20;
var key = Key.Create(0);
var (k1, k2, k3, k4) = (key.FoldIn(1), key.FoldIn(2), key.FoldIn(3), key.FoldIn(4));
var images = Tensor.Normal(k1, [64, 1, 28, 28]);
var w1 = Tensor.Normal(k2, [32, 1, 3, 3]) * 0.3;
var x2 = Tensor.Normal(k3, [64, 32, 14, 14]).Relu();
var w2 = Tensor.Normal(k4, [64, 32, 3, 3]) * 0.06;
var gy1 = Tensor.OnesLike(images.Conv2d(w1, padding: 1));
var gy2 = Tensor.OnesLike(x2.Conv2d(w2, padding: 1));
var p1 = images.Conv2d(w1, padding: 1).Relu();
var p2 = x2.Conv2d(w2, padding: 1).Relu();

// CPU ms is the process's processor time per call (all threads): on a shared, loaded machine it is steadier than
// wall time, and wall ≈ CPU / 2 when both cores are ours.
Console.WriteLine($"{"what",-44} {"median ms",10} {"min ms",8} {"CPU ms",8}");
// conv1: the images are data, so only the weight gradient is asked for (the input-gradient conv is skipped).
Time("conv1 forward", () => images.Conv2d(w1, padding: 1));
Time("conv1 forward + weight VJP", () => Grad.Vjp((Tensor w) => images.Conv2d(w, padding: 1), w1).Pullback(gy1));
Time("conv2 forward", () => x2.Conv2d(w2, padding: 1));
Time("conv2 forward + input and weight VJPs", () =>
{
    var (_, back) = Grad.Vjp((Tensor[] xs) => xs[0].Conv2d(xs[1], padding: 1), [x2, w2]);
    return back(gy2)[0];
});
Time("conv2 forward + input VJP only", () => Grad.Vjp((Tensor x) => x.Conv2d(w2, padding: 1), x2).Pullback(gy2));
Time("conv2 forward + weight VJP only", () => Grad.Vjp((Tensor w) => x2.Conv2d(w, padding: 1), w2).Pullback(gy2));
// The GEMM alone at conv2's forward shape (one [64, 288]·[288, 196] product per image), for scale.
var wMatrix = Tensor.Normal(k1, [64, 64, 288]);
var columns = Tensor.Normal(k2, [64, 288, 196]);
Time("reference: batched matmul as conv2 forward", () => wMatrix.MatMul(columns));
Time("maxpool1 forward [64, 32, 28, 28]", () => p1.MaxPool2d(2));
Time("relu [64, 32, 28, 28], for scale", () => p1.Relu());
var (gp1, gp2) = (Tensor.OnesLike(p1.MaxPool2d(2)), Tensor.OnesLike(p2.MaxPool2d(2)));
Time("maxpool1 forward + VJP [64, 32, 28, 28]", () => Grad.Vjp((Tensor x) => x.MaxPool2d(2), p1).Pullback(gp1));
Time("maxpool2 forward + VJP [64, 64, 14, 14]", () => Grad.Vjp((Tensor x) => x.MaxPool2d(2), p2).Pullback(gp2));

void Time(string what, Func<Tensor> body)
{
    for (var i = 0; i < 3; i++) body();
    var times = new double[repetitions];
    var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
    for (var i = 0; i < repetitions; i++)
    {
        var clock = Stopwatch.StartNew();
        body();
        times[i] = clock.Elapsed.TotalMilliseconds;
    }
    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalMilliseconds / repetitions;
    Array.Sort(times);
    Console.WriteLine($"{what,-44} {times[repetitions / 2],10:F2} {times[0],8:F2} {cpu,8:F2}");
}
