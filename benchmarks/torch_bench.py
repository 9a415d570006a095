#!/usr/bin/env python3
"""The workloads of Grad.Benchmarks/Workloads.cs in PyTorch (CPU), timed the same way, written in the same JSON format.

Usage: torch_bench.py --threads N [--out FILE] [--filter TEXT] [--quick] [--budget SECONDS] [--mnist-dir DIR]

Names, shapes and dtypes must match Workloads.cs and ModelWorkloads.cs; the timing plan and procedure must match
Harness.cs, and mnist_mlp_epoch must match EpochRun.cs. Run by benchmarks/run.sh with the same --threads as the .NET side.
"""
import argparse
import ctypes
import datetime
import gzip
import json
import os
import platform
import resource
import struct
import subprocess
import sys
import time

import numpy
import torch
import torch.nn.functional as F

# Harness.cs's TimingPlan.Full and TimingPlan.Quick.
PLANS = {
    "full": dict(warmup_seconds=2.0, min_warmup_calls=30, sample_seconds=0.1, budget_seconds=3.0, min_samples=7, max_samples=31,
                 max_other_cpu_share=0.10, max_attempts=4, retry_pause_seconds=5.0),
    "quick": dict(warmup_seconds=0.05, min_warmup_calls=1, sample_seconds=0.01, budget_seconds=0.1, min_samples=3, max_samples=5,
                  max_other_cpu_share=1.0, max_attempts=1, retry_pause_seconds=0.0),
}

def quantile(sorted_times, q):
    """Linear-interpolated quantile (numpy's default), as Harness.Quantile computes it."""
    position = q * (len(sorted_times) - 1)
    below = int(position)
    above = min(below + 1, len(sorted_times) - 1)
    return sorted_times[below] + (position - below) * (sorted_times[above] - sorted_times[below])


class CpuMeter:
    """How much of the machine other processes used over an interval (Harness.cs's CpuMeter): all busy CPU time
    in /proc/stat, steal included, minus this process's own, as a share of wall time × cores; None without /proc."""
    TICKS_PER_SECOND = 100  # USER_HZ

    def __init__(self):
        self.busy, self.own, self.start = self.read_busy(), self.own_seconds(), time.perf_counter()

    @staticmethod
    def own_seconds():
        t = os.times()
        return t.user + t.system

    @classmethod
    def read_busy(cls):
        try:
            with open("/proc/stat") as f:
                fields = f.readline().split()
        except OSError:
            return None
        # cpu user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
        values = [int(v) for v in fields[1:9]] + [0] * 8
        return (values[0] + values[1] + values[2] + values[5] + values[6] + values[7]) / cls.TICKS_PER_SECOND

    def other_share(self):
        busy = self.read_busy()
        if busy is None or self.busy is None:
            return None
        wall = time.perf_counter() - self.start
        others = busy - self.busy - (self.own_seconds() - self.own)
        return round(max(0.0, others / (wall * os.cpu_count())), 3)


def measure(name, call, plan):
    """Measures again while other processes took too much CPU, keeping the least disturbed attempt (Harness.Measure)."""
    best = measure_once(name, call, plan)
    attempts = 1
    while attempts < plan["max_attempts"] and best["other_cpu_share"] is not None and best["other_cpu_share"] > plan["max_other_cpu_share"]:
        print(f"      {name}: other processes used {best['other_cpu_share']:.0%} of the CPU; measuring again", file=sys.stderr)
        time.sleep(plan["retry_pause_seconds"])
        following = measure_once(name, call, plan)
        attempts += 1
        if following["other_cpu_share"] is not None and following["other_cpu_share"] < best["other_cpu_share"]:
            best = following
        else:
            print(f"      {name}: attempt {attempts} was disturbed more ({share_text(following['other_cpu_share'])}); "
                  "keeping the earlier one", file=sys.stderr)
    best["attempts"] = attempts
    return best


def measure_once(name, call, plan):
    """Warm-up, then samples of a fixed number of calls; the median per-call time (Harness.MeasureOnce's procedure)."""
    sink = None
    warmup_calls = 0
    start = time.perf_counter()
    while warmup_calls < plan["min_warmup_calls"] or time.perf_counter() - start < plan["warmup_seconds"]:
        sink = call()
        warmup_calls += 1
    per_call = (time.perf_counter() - start) / warmup_calls
    calls_per_sample = max(1, round(plan["sample_seconds"] / per_call))
    samples = int(min(max(plan["budget_seconds"] // (per_call * calls_per_sample), plan["min_samples"]), plan["max_samples"]))

    times = []
    # Minor page faults: fresh pages for results (glibc handing a freed block back to the OS) cost time.
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    cpu = CpuMeter()
    for _ in range(samples):
        start = time.perf_counter_ns()
        for _ in range(calls_per_sample):
            sink = call()
        times.append((time.perf_counter_ns() - start) / 1000.0 / calls_per_sample)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    del sink
    times.sort()
    return dict(
        workload=name,
        median_us=quantile(times, 0.5),
        min_us=times[0],
        q1_us=quantile(times, 0.25),
        q3_us=quantile(times, 0.75),
        samples=samples,
        calls_per_sample=calls_per_sample,
        allocated_bytes_per_call=None,
        gc_pause_us_per_call=None,
        minor_faults_per_call=round(faults / (samples * calls_per_sample), 1),
        gen0_collections=None,
        gen1_collections=None,
        gen2_collections=None,
        other_cpu_share=cpu.other_share(),
        attempts=1,
    )


def matmul(m, k, n, dtype):
    def setup():
        a = torch.randn(m, k, dtype=dtype)
        b = torch.randn(k, n, dtype=dtype)
        return lambda: torch.mm(a, b)
    return setup


def uniform(*shape, low=-1.0, high=1.0):
    return torch.rand(*shape) * (high - low) + low


def exp_1m():
    x = uniform(1024, 1024, low=-2.0, high=2.0)
    return lambda: torch.exp(x)


def add_broadcast_1m():
    a, b = uniform(1024, 1024), uniform(1024)
    return lambda: a + b


SIXTEEN_M = 16 * 1024 * 1024


def unary_16m(f):
    x = uniform(SIXTEEN_M, low=-2.0, high=2.0)
    return lambda: f(x)


def binary_16m(f):
    a, b = uniform(SIXTEEN_M), uniform(SIXTEEN_M)
    return lambda: f(a, b)


def add_16():
    a, b = uniform(16), uniform(16)
    return lambda: a + b


def sum_axis(axis):
    def setup():
        x = uniform(1024, 1024)
        return lambda: x.sum(axis)
    return setup


def log_softmax(rows, classes):
    def setup():
        x = torch.randn(rows, classes)
        return lambda: F.log_softmax(x, 1)
    return setup


def mlp_batch(inputs, hidden, outputs, batch):
    model = torch.nn.Sequential(torch.nn.Linear(inputs, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, outputs))
    x = torch.rand(batch, inputs)
    labels = torch.randint(0, outputs, (batch,))
    return model, x, labels


def mlp_forward():
    model, x, labels = mlp_batch(784, 256, 10, 128)

    def call():
        with torch.no_grad():
            return F.nll_loss(F.log_softmax(model(x), 1), labels)
    return call


def mlp_train_step():
    model, x, labels = mlp_batch(784, 256, 10, 128)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)

    def call():
        optimizer.zero_grad(set_to_none=True)
        loss = F.nll_loss(F.log_softmax(model(x), 1), labels)
        loss.backward()
        optimizer.step()
        return loss
    return call


# Issue 4's models, as ModelWorkloads.cs builds them: nn.Linear, nn.Conv2d (PyTorch's default initialisation, which
# Grad's Linear.Create and Conv2d.Create copy), int64 labels as F.cross_entropy wants them.
def mnist_mlp():
    return torch.nn.Sequential(torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))


def wide_mlp():
    return torch.nn.Sequential(torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Linear(512, 512), torch.nn.ReLU(),
                               torch.nn.Linear(512, 10))


def cnn():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(64 * 7 * 7, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 10))


def mnist_batch():
    return torch.rand(128, 784), torch.randint(0, 10, (128,))


def cnn_batch():
    return torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))


def train_step(make_model, make_batch, make_optimizer):
    """One training step on a fixed batch: zero_grad(set_to_none=True), loss, backward, optimizer step."""
    def setup():
        model = make_model()
        x, labels = make_batch()
        optimizer = make_optimizer(model.parameters())

        def call():
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x), labels)
            loss.backward()
            optimizer.step()
            return loss
        return call
    return setup


def forward(make_model, make_batch):
    """The loss alone, under torch.no_grad()."""
    def setup():
        model = make_model()
        x, labels = make_batch()

        def call():
            with torch.no_grad():
                return F.cross_entropy(model(x), labels)
        return call
    return setup


def adam_update(make_model, make_batch):
    """optimizer.step() alone: the gradients are computed once, untimed, and stay in .grad for every call."""
    def setup():
        model = make_model()
        x, labels = make_batch()
        F.cross_entropy(model(x), labels).backward()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        return optimizer.step
    return setup


def seed_graph():
    """sum(log_softmax(relu(x·W), 1) ⊙ m): value and gradient with respect to W."""
    x = torch.rand(128, 784)
    w = (torch.randn(784, 128) * 0.05).requires_grad_()
    m = torch.rand(128, 128)

    def call():
        loss = (F.log_softmax(F.relu(x @ w), 1) * m).sum()
        (grad,) = torch.autograd.grad(loss, w)
        return loss, grad
    return call


OP_CHAIN_OPS = 1000


def op_chain():
    """1000 scalar ops, (×1.0001, +0.001, sin) 333 times then ×1.0001 (OpChain in ModelWorkloads.cs): value and gradient."""
    x0 = torch.tensor(0.5, requires_grad=True)

    def call():
        x = x0
        for _ in range((OP_CHAIN_OPS - 1) // 3):
            x = torch.sin(x * 1.0001 + 0.001)
        y = x * 1.0001
        (grad,) = torch.autograd.grad(y, x0)
        return y, grad
    return call


# mnist_mlp_epoch (EpochRun.cs): one epoch of real MNIST in a child process, so that its peak RSS is the epoch's.
EPOCH_NAME = "mnist_mlp_epoch"
EPOCH_QUICK_BATCHES = 20


def default_mnist_dir():
    """Grad's cache folder for MNIST (Datasets.DefaultRoot): $GRAD_DATA_DIR/mnist, else .NET's LocalApplicationData
    ($XDG_DATA_HOME or ~/.local/share)/grad/datasets/mnist."""
    if os.environ.get("GRAD_DATA_DIR"):
        return os.path.join(os.path.abspath(os.environ["GRAD_DATA_DIR"]), "mnist")
    data_home = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(data_home, "grad", "datasets", "mnist")


def read_idx(path):
    """An IDX file (raw, or .gz beside it) as a numpy uint8 array of its shape."""
    opener, name = (open, path) if os.path.exists(path) else (gzip.open, path + ".gz")
    with opener(name, "rb") as f:
        data = f.read()
    if data[0] != 0 or data[1] != 0 or data[2] != 0x08:
        raise ValueError(f"{name}: not an unsigned-byte IDX file")
    rank = data[3]
    shape = struct.unpack(f">{rank}I", data[4:4 + 4 * rank])
    return numpy.frombuffer(data, numpy.uint8, offset=4 + 4 * rank).reshape(shape)


def proc_status(field):
    """A memory field of /proc/self/status (VmRSS, VmHWM) in bytes, or None."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def epoch_child(quick, mnist_dir):
    """The child's side: load the training set, train one epoch of the MNIST MLP (SGD 0.01, batch 128, shuffled)."""
    rss_before = proc_status("VmRSS")
    start = time.perf_counter()

    def split(images_file, labels_file):
        images = read_idx(os.path.join(mnist_dir, images_file))
        x = torch.from_numpy(images.reshape(images.shape[0], -1).astype(numpy.float32))
        x /= 255
        return x, torch.from_numpy(read_idx(os.path.join(mnist_dir, labels_file)).astype(numpy.int64))

    # Both splits, as Grad's Mnist.Load reads them; like EpochRun.cs, only the training split is kept.
    x, y = split("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
    test = split("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte")
    del test
    load_seconds = time.perf_counter() - start
    rss_after_load = proc_status("VmRSS")

    model = mnist_mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    count = x.shape[0]
    batches = examples = 0
    start = time.perf_counter()
    # Shuffled as users shuffle tensors already in memory: one permutation, one gather per batch (a DataLoader over
    # a TensorDataset would gather and collate example by example, far slower than Grad's DataLoader).
    order = torch.randperm(count)
    for first in range(0, count, 128):
        rows = order[first:first + 128]
        xb, yb = x[rows], y[rows]
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        batches += 1
        examples += yb.shape[0]
        if quick and batches == EPOCH_QUICK_BATCHES:
            break
    epoch_seconds = time.perf_counter() - start
    return dict(workload=EPOCH_NAME, examples=examples, batches=batches, full_epoch=examples == count,
                load_seconds=round(load_seconds, 3), epoch_seconds=round(epoch_seconds, 3), process_seconds=None,
                final_loss=round(loss.item(), 4), rss_before_load_bytes=rss_before, rss_after_load_bytes=rss_after_load,
                peak_rss_bytes=proc_status("VmHWM"), gc_heap_bytes=None)


def epoch_in_child_process(threads, quick, mnist_dir):
    """The parent's side: this script again with --epoch-child; its stderr passes through, its result is its stdout."""
    command = [sys.executable, os.path.abspath(__file__), "--epoch-child", "--threads", str(threads), "--mnist-dir", mnist_dir]
    if quick:
        command.append("--quick")
    start = time.perf_counter()
    child = subprocess.run(command, stdout=subprocess.PIPE, check=True)
    result = json.loads(child.stdout)
    result["process_seconds"] = round(time.perf_counter() - start, 3)
    return result


def mlp_hvp():
    """H·v of the loss w.r.t. the parameters. Forward-over-reverse with functorch when it is there (as Grad does),
    otherwise reverse-over-reverse with torch.autograd.functional.hvp; HVP_METHOD records which."""
    model, x, labels = mlp_batch(64, 32, 10, 128)
    params = tuple(p.detach() for p in model.parameters())
    v = tuple(torch.randn_like(p) for p in params)

    # The same loss in one-hot form, with log_softmax written z − logsumexp(z): torch 1.13 has no forward-mode
    # rule for the backward of nll_loss or of log_softmax, so the fused ops cannot be used forward-over-reverse.
    one_hot = F.one_hot(labels, 10).to(torch.float32)

    def loss(w1, b1, w2, b2):
        logits = F.linear(F.relu(F.linear(x, w1, b1)), w2, b2)
        return -((logits - logits.logsumexp(1, keepdim=True)) * one_hot).sum() / x.shape[0]

    if HVP_METHOD == "functorch.jvp(functorch.grad)":
        import functorch
        grad_loss = functorch.grad(lambda p: loss(*p))
        return lambda: functorch.jvp(grad_loss, (params,), (v,))[1]
    return lambda: torch.autograd.functional.hvp(loss, params, v)[1]


def pick_hvp_method():
    try:
        import functorch  # noqa: F401  (bundled with torch 1.13; torch.func from 2.0 on)
        return "functorch.jvp(functorch.grad)"
    except ImportError:
        return "torch.autograd.functional.hvp (reverse-over-reverse)"


HVP_METHOD = pick_hvp_method()


WORKLOADS = [
    ("matmul_f32_256", matmul(256, 256, 256, torch.float32)),
    ("matmul_f32_512", matmul(512, 512, 512, torch.float32)),
    ("matmul_f32_1024", matmul(1024, 1024, 1024, torch.float32)),
    ("matmul_f64_128x784x128", matmul(128, 784, 128, torch.float64)),
    ("exp_f32_1M", exp_1m),
    ("add_bcast_f32_1M", add_broadcast_1m),
    ("add_f32_16", add_16),
    ("sum_axis1_f32_1M", sum_axis(1)),
    ("sum_axis0_f32_1M", sum_axis(0)),
    ("log_softmax_f32_128x10", log_softmax(128, 10)),
    ("log_softmax_f32_256x1000", log_softmax(256, 1000)),
    ("mlp_forward_f32", mlp_forward),
    ("mlp_train_step_f32", mlp_train_step),
    ("mlp_hvp_f32", mlp_hvp),
    # Added for the GEMM and elementwise work (issue 4); fma_peak_f32 is Grad-only (the machine's peak, not a library).
    ("matmul_f32_128", matmul(128, 128, 128, torch.float32)),
    ("matmul_f32_2048", matmul(2048, 2048, 2048, torch.float32)),
    ("matmul_f32_128x784x128", matmul(128, 784, 128, torch.float32)),
    ("matmul_f32_64x3136x128", matmul(64, 3136, 128, torch.float32)),
    ("matmul_f64_512", matmul(512, 512, 512, torch.float64)),
    ("matmul_f64_1024", matmul(1024, 1024, 1024, torch.float64)),
    ("add_f32_16M", lambda: binary_16m(lambda a, b: a + b)),
    ("mul_f32_16M", lambda: binary_16m(lambda a, b: a * b)),
    ("exp_f32_16M", lambda: unary_16m(torch.exp)),
    ("tanh_f32_16M", lambda: unary_16m(torch.tanh)),
    ("sum_f32_16M", lambda: unary_16m(torch.sum)),
    # Issue 4's model workloads (ModelWorkloads.cs): nn.Sequential, F.cross_entropy, torch.optim.
    ("mnist_mlp_sgd_step", train_step(mnist_mlp, mnist_batch, lambda p: torch.optim.SGD(p, lr=0.01))),
    ("mnist_mlp_forward", forward(mnist_mlp, mnist_batch)),
    ("wide_mlp_adam_step", train_step(wide_mlp, mnist_batch, lambda p: torch.optim.Adam(p, lr=1e-3))),
    ("wide_mlp_adam_update", adam_update(wide_mlp, mnist_batch)),
    ("cnn_adam_step", train_step(cnn, cnn_batch, lambda p: torch.optim.Adam(p, lr=1e-3))),
    ("cnn_forward", forward(cnn, cnn_batch)),
    ("cnn_adam_update", adam_update(cnn, cnn_batch)),
    ("seed_graph", seed_graph),
    ("op_chain_1000", op_chain),
]


def blas_info():
    """Which BLAS library torch mapped, and OpenBLAS's own view of the machine when it is OpenBLAS."""
    with open("/proc/self/maps") as maps:
        libraries = sorted({line.split()[-1] for line in maps if "blas" in line or "lapack" in line})
    info = dict(libraries=libraries)
    openblas = next((lib for lib in libraries if "libopenblas" in lib), None)
    if openblas:
        lib = ctypes.CDLL(openblas)
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        info.update(openblas_config=lib.openblas_get_config().decode(),
                    openblas_core=lib.openblas_get_corename().decode(),
                    openblas_threads=lib.openblas_get_num_threads())
    return info


def share_text(share):
    return "unknown" if share is None else f"{share:.0%}"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, required=True, help="torch.set_num_threads; the .NET side's core count")
    parser.add_argument("--out", help="write the JSON here instead of stdout")
    parser.add_argument("--filter", help="only workloads whose name contains this")
    parser.add_argument("--quick", action="store_true", help="a smoke run; its numbers are not worth reporting")
    parser.add_argument("--allow-none", action="store_true", help="write an empty result when --filter matches nothing (run.sh)")
    parser.add_argument("--budget", type=float, help="seconds of samples per workload instead of the plan's (as Grad.Benchmarks --budget)")
    parser.add_argument("--mnist-dir", default=default_mnist_dir(), help="the folder of the MNIST IDX files (default: Grad's cache)")
    parser.add_argument("--epoch-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    if args.epoch_child:
        print(json.dumps(epoch_child(args.quick, args.mnist_dir)))
        return
    plan = dict(PLANS["quick" if args.quick else "full"])
    if args.budget is not None:
        plan["budget_seconds"] = args.budget
    selected = [(n, s) for n, s in WORKLOADS if args.filter is None or args.filter in n]
    run_epoch = args.filter is None or args.filter in EPOCH_NAME
    if not selected and not run_epoch and not args.allow_none:
        sys.exit(f"no workload name contains '{args.filter}'")

    load_before = load_average()
    results = []
    for name, setup in selected:
        r = measure(name, setup(), plan)
        results.append(r)
        print(f"torch {name:<28} median {r['median_us']:12.1f} µs  (IQR {r['q1_us']:.1f}–{r['q3_us']:.1f}, "
              f"{r['samples']}×{r['calls_per_sample']} calls)  {r['minor_faults_per_call']:.0f} faults/call  others' CPU {share_text(r['other_cpu_share'])}", file=sys.stderr)

    epoch = None
    if run_epoch:
        epoch = epoch_in_child_process(args.threads, args.quick, args.mnist_dir)
        mib = 1024 * 1024
        print(f"torch {EPOCH_NAME:<28} {epoch['batches']} batches: epoch {epoch['epoch_seconds']:.2f} s, load {epoch['load_seconds']:.2f} s, "
              f"process {epoch['process_seconds']:.2f} s; peak RSS {epoch['peak_rss_bytes'] / mib:.1f} MiB (RSS "
              f"{epoch['rss_before_load_bytes'] / mib:.1f} MiB before loading, {epoch['rss_after_load_bytes'] / mib:.1f} MiB after); "
              f"final loss {epoch['final_loss']:.4f}", file=sys.stderr)

    config = torch.__config__.show()
    document = dict(
        framework="pytorch",
        environment=dict(
            date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            cpu=cpu_model(),
            cores=os.cpu_count(),
            threads=torch.get_num_threads(),
            interop_threads=torch.get_num_interop_threads(),
            runtime=f"torch {torch.__version__}, numpy {numpy.__version__}, Python {platform.python_version()}",
            torch_version=torch.__version__,
            # Recorded, never changed: some machines set these for older OpenBLAS builds.
            openblas_coretype=os.environ.get("OPENBLAS_CORETYPE", "unset"),
            openblas_l2_size=os.environ.get("OPENBLAS_L2_SIZE", "unset"),
            omp_num_threads=os.environ.get("OMP_NUM_THREADS", "unset"),
            blas=blas_info(),
            capability=next((l.split(":", 1)[1].strip() for l in config.splitlines() if "CPU capability usage" in l), "unknown"),
            config_summary=[l.strip() for l in config.splitlines() if l.strip().startswith("- ") and "Build settings" not in l],
            config=config,
            parallel_info=torch.__config__.parallel_info(),
            hvp_method=HVP_METHOD,
            load_average_before=load_before,
            load_average_after=load_average(),
            plan=plan,
            quick=args.quick,
        ),
        results=results,
        epoch=epoch,
    )
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
