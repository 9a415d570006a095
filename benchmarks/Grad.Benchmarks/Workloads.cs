using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Autodiff.Optimizers;

namespace Autodiff.Benchmarks;

/// <summary>
/// One benchmark: a name shared with <c>torch_bench.py</c>, what it computes, and a setup that builds the
/// inputs (untimed) and returns the call to time.
/// </summary>
internal sealed record Workload(string Name, string Description, Func<Func<object>> Setup);

/// <summary>A run measured once: <see cref="Setup"/> returns one step, and memory is read after each count of <see cref="Checkpoints"/> steps.</summary>
internal sealed record MemoryWorkload(string Name, string Description, Func<Action> Setup, int[] Checkpoints);

/// <summary>The workloads, in report order. Names, shapes and dtypes must match <c>torch_bench.py</c>.</summary>
internal static class Workloads
{
    private const int Million = 1024 * 1024;

    public static IReadOnlyList<Workload> All { get; } =
    [
        MatMul("matmul_f32_256", 256, 256, 256, DType.Float32),
        MatMul("matmul_f32_512", 512, 512, 512, DType.Float32),
        MatMul("matmul_f32_1024", 1024, 1024, 1024, DType.Float32),
        MatMul("matmul_f64_128x784x128", 128, 784, 128, DType.Float64),
        new("exp_f32_1M", "exp of a [1024, 1024] float32 tensor", () =>
        {
            var x = Tensor.Uniform(Key.Create(1), [1024, 1024], -2, 2);
            return () => x.Exp();
        }),
        new("add_bcast_f32_1M", "[1024, 1024] + [1024] (row broadcast), float32", () =>
        {
            var (ka, kb) = Key.Create(2).Split();
            var a = Tensor.Uniform(ka, [1024, 1024], -1, 1);
            var b = Tensor.Uniform(kb, [1024], -1, 1);
            return () => a + b;
        }),
        new("add_f32_16", "[16] + [16], float32: per-op overhead (dispatch, allocation), not arithmetic", () =>
        {
            var (ka, kb) = Key.Create(3).Split();
            var a = Tensor.Uniform(ka, [16], -1, 1);
            var b = Tensor.Uniform(kb, [16], -1, 1);
            return () => a + b;
        }),
        new("sum_axis1_f32_1M", "sum over the last axis of [1024, 1024] float32 → [1024]", () =>
        {
            var x = Tensor.Uniform(Key.Create(4), [1024, 1024], -1, 1);
            return () => x.Sum(1);
        }),
        new("sum_axis0_f32_1M", "sum over the first axis of [1024, 1024] float32 → [1024]", () =>
        {
            var x = Tensor.Uniform(Key.Create(5), [1024, 1024], -1, 1);
            return () => x.Sum(0);
        }),
        LogSoftmax("log_softmax_f32_128x10", 128, 10),
        LogSoftmax("log_softmax_f32_256x1000", 256, 1000),
        new("mlp_forward_f32", "MLP 784→256→10 (relu), batch 128: loss only (log_softmax cross-entropy), no gradient", () =>
        {
            var (model, x, labels) = MlpBatch(784, 256, 10, 128, Key.Create(6));
            return () => Mlp.Loss(model, x, labels);
        }),
        new("mlp_train_step_f32", "MLP 784→256→10 (relu), batch 128: Grad.ValueAndGrad over the Mlp record + SGD update (lr 0.01)", () =>
        {
            var (model, x, labels) = MlpBatch(784, 256, 10, 128, Key.Create(7));
            var valueAndGrad = Grad.ValueAndGrad<Mlp>(m => Mlp.Loss(m, x, labels));
            return () =>
            {
                var (loss, grads) = valueAndGrad(model);
                model = Tree.Map(model, grads, (p, g) => p - 0.01 * g);
                return loss;
            };
        }),
        new("mlp_hvp_f32", "Hessian-vector product of an MLP 64→32→10 loss, batch 128, forward-over-reverse (Grad.HessianVectorProduct)", () =>
        {
            var (model, x, labels) = MlpBatch(64, 32, 10, 128, Key.Create(8));
            var v = Tree.Map(model, p => Tensor.Normal(Key.Create(9), p.Shape));
            return () => Grad.HessianVectorProduct<Mlp>(m => Mlp.Loss(m, x, labels), model, v);
        }),
        // Added for the GEMM and elementwise work (issue 4): the peak the GEMM is measured against, larger and
        // MNIST-shaped products, float64, and 16M-element elementwise ops (64 MiB per float32 operand).
        new("fma_peak_f32", $"Vector512 FMA loop, 12 independent accumulators, one per thread: {FmaPeak.FlopsPerThread / 1e6:F1} MFLOP per thread", () =>
            () => FmaPeak.Run()),
        MatMul("matmul_f32_128", 128, 128, 128, DType.Float32),
        MatMul("matmul_f32_2048", 2048, 2048, 2048, DType.Float32),
        MatMul("matmul_f32_128x784x128", 128, 784, 128, DType.Float32),
        MatMul("matmul_f32_64x3136x128", 64, 3136, 128, DType.Float32),
        MatMul("matmul_f64_512", 512, 512, 512, DType.Float64),
        MatMul("matmul_f64_1024", 1024, 1024, 1024, DType.Float64),
        Binary("add_f32_16M", (a, b) => a + b),
        Binary("mul_f32_16M", (a, b) => a * b),
        Unary("exp_f32_16M", x => x.Exp()),
        Unary("tanh_f32_16M", x => x.Tanh()),
        Unary("sum_f32_16M", x => x.Sum()),
        // Issue 4's model workloads: the layers, losses and optimizers a user writes (Models.cs).
        .. ModelWorkloads.All,
    ];

    private const int Sixteen = 16 * Million;

    private static Workload Unary(string name, Func<Tensor, Tensor> f) =>
        new(name, $"{name[..name.IndexOf('_')]} of a [{Sixteen}] float32 tensor in [-2, 2]", () =>
        {
            var x = Tensor.Uniform(Key.Create(10), [Sixteen], -2, 2);
            return () => f(x);
        });

    private static Workload Binary(string name, Func<Tensor, Tensor, Tensor> f) =>
        new(name, $"{name[..name.IndexOf('_')]} of two [{Sixteen}] float32 tensors", () =>
        {
            var (ka, kb) = Key.Create(11).Split();
            var a = Tensor.Uniform(ka, [Sixteen], -1, 1);
            var b = Tensor.Uniform(kb, [Sixteen], -1, 1);
            return () => f(a, b);
        });
    /// <summary>
    /// Runs that are measured once rather than timed: memory after 1,000 and after 10,000 training steps of the
    /// <c>mnist_mlp_sgd_step</c> step (Sequential 784→128→10, softmax cross-entropy, Optim.Sgd), which must be the same
    /// if nothing grows from step to step. The reading at 5,000 tells a slow warm-up (the heap settles between 1,000
    /// and 5,000 steps) from growth that goes on. PyTorch has no twin.
    /// </summary>
    public static IReadOnlyList<MemoryWorkload> Memory { get; } =
    [
        new("mlp_memory_1k_vs_10k", "MNIST MLP 784→128→10 SGD step (as mnist_mlp_sgd_step): GC heap and working set after 1,000, 5,000 and 10,000 steps", () =>
        {
            var step = ModelWorkloads.TrainStep(ModelWorkloads.MnistMlp, ModelWorkloads.MnistBatch, () => Optim.Sgd(0.01), Key.Create(10));
            return () => step();
        }, [1_000, 5_000, 10_000]),
    ];

    private static Workload MatMul(string name, int m, int k, int n, DType dtype) =>
        new(name, $"[{m}, {k}]·[{k}, {n}], {(dtype == DType.Float32 ? "float32" : "float64")}", () =>
        {
            var (ka, kb) = Key.Create(m * 31 + k * 7 + n).Split();
            var a = Tensor.Normal(ka, [m, k], dtype: dtype);
            var b = Tensor.Normal(kb, [k, n], dtype: dtype);
            return () => a.MatMul(b);
        });

    private static Workload LogSoftmax(string name, int rows, int classes) =>
        new(name, $"log_softmax over the last axis of [{rows}, {classes}] float32", () =>
        {
            var x = Tensor.Normal(Key.Create(rows + classes), [rows, classes]);
            return () => x.LogSoftmax(1);
        });

    private static (Mlp Model, Tensor X, Tensor Labels) MlpBatch(int inputs, int hidden, int outputs, int batch, Key key)
    {
        var keys = key.Split(3);
        return (Mlp.Create(inputs, hidden, outputs, keys[0]),
                Tensor.Uniform(keys[1], [batch, inputs]),
                Tensor.RandomInt(keys[2], [batch], 0, outputs));
    }
}

/// <summary>A two-layer perceptron relu(x·W1 + b1)·W2 + b2, as in the MNIST example: a record of tensors is its own parameter tree.</summary>
internal sealed record Mlp(Tensor W1, Tensor B1, Tensor W2, Tensor B2)
{
    public static Mlp Create(int inputs, int hidden, int outputs, Key key)
    {
        var keys = key.Split(2);
        var bound1 = Math.Sqrt(6.0 / inputs);
        var bound2 = Math.Sqrt(6.0 / (hidden + outputs));
        return new Mlp(
            Tensor.Uniform(keys[0], [inputs, hidden], -bound1, bound1),
            Tensor.Zeros(hidden),
            Tensor.Uniform(keys[1], [hidden, outputs], -bound2, bound2),
            Tensor.Zeros(outputs));
    }

    public Tensor Apply(Tensor x) => (x.MatMul(W1) + B1).Relu().MatMul(W2) + B2;

    /// <summary>Mean cross-entropy of the logits against int labels: −Σ onehot·log_softmax / batch (the MNIST example's loss).</summary>
    public static Tensor Loss(Mlp m, Tensor x, Tensor labels) =>
        -(m.Apply(x).LogSoftmax(1) * Tensor.OneHot(labels, m.B2.Shape[0])).Sum() / x.Shape[0];
}

/// <summary>
/// The machine's float32 FMA peak as the GEMM sees it: each thread runs a Vector512 FMA loop with 12 independent
/// accumulators (more than latency × ports, so the loop is throughput-bound). GFLOP/s = threads × FlopsPerThread / time.
/// </summary>
internal static class FmaPeak
{
    private const int Iterations = 2_000_000;
    private const int Accumulators = 12;

    /// <summary>Floating-point operations one thread does per call (an FMA is two).</summary>
    public static double FlopsPerThread => (double)Iterations * Accumulators * Vector512<float>.Count * 2;

    /// <summary>One loop per thread, on as many threads as Grad's kernels use.</summary>
    public static object Run()
    {
        var threads = Parallelism.MaxThreads;
        var sums = new float[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t => sums[t] = Loop(Iterations));
        return sums;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop(int iterations)
    {
        var x = Vector512.Create(0.999999f);
        var y = Vector512.Create(1e-7f);
        Vector512<float> a0 = x, a1 = x, a2 = x, a3 = x, a4 = x, a5 = x, a6 = x, a7 = x, a8 = x, a9 = x, a10 = x, a11 = x;
        for (var i = 0; i < iterations; i++)
        {
            a0 = Vector512.FusedMultiplyAdd(a0, x, y); a1 = Vector512.FusedMultiplyAdd(a1, x, y);
            a2 = Vector512.FusedMultiplyAdd(a2, x, y); a3 = Vector512.FusedMultiplyAdd(a3, x, y);
            a4 = Vector512.FusedMultiplyAdd(a4, x, y); a5 = Vector512.FusedMultiplyAdd(a5, x, y);
            a6 = Vector512.FusedMultiplyAdd(a6, x, y); a7 = Vector512.FusedMultiplyAdd(a7, x, y);
            a8 = Vector512.FusedMultiplyAdd(a8, x, y); a9 = Vector512.FusedMultiplyAdd(a9, x, y);
            a10 = Vector512.FusedMultiplyAdd(a10, x, y); a11 = Vector512.FusedMultiplyAdd(a11, x, y);
        }
        return Vector512.Sum(a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11);
    }
}
