#!/usr/bin/env python3
"""Prints the markdown report of a benchmark run: Grad against PyTorch (and numpy) at each thread count measured.

Usage: report.py OUT_DIR                              (what run.sh wrote: grad-T.json and torch-T.json for each thread
                                                       count T, and numpy.json)
       report.py GRAD_JSON TORCH_JSON [NUMPY_JSON]    (one thread count)

Standard library only. Sections: environment; speed-up (PyTorch time ÷ Grad time) at each thread count and best
against best; the issue 4 targets, met or missed; GEMM GFLOP/s against the measured FMA peak; elementwise GB/s against
numpy; step ÷ forward; per-op overhead; the MNIST epoch's time and peak memory; Grad's memory check; then the full
table of each thread count.
"""
import glob
import json
import os
import re
import sys

MIB = 1024 * 1024


# ---- formatting ----------------------------------------------------------------------------------------------------

def time_text(us):
    if us is None:
        return "—"
    if us < 1000:
        return f"{us:.1f} µs"
    if us < 1_000_000:
        return f"{us / 1000:.2f} ms"
    return f"{us / 1_000_000:.2f} s"


def bytes_text(n):
    if n is None:
        return "—"
    if n < 1024:
        return f"{n} B"
    if n < MIB:
        return f"{n / 1024:.1f} KiB"
    return f"{n / MIB:.1f} MiB"


def count_text(n):
    return "?" if n is None else f"{n:.0f}"


def share_text(share):
    return "?" if share is None else f"{share:.0%}"


def ratio_text(r):
    return "—" if r is None else f"{r:.2f}×"


def percent_text(p):
    return "—" if p is None else f"{p:.0%}"


def number_text(x, digits=1):
    return "—" if x is None else f"{x:.{digits}f}"


def threads_text(t):
    return f"{t} thread{'s' if t != 1 else ''}"


def table(header, rows, align=None):
    """A markdown table; align is one of 'l' or 'r' per column (first column left, the rest right by default)."""
    if not rows:
        print("Nothing measured in this run.")
        print()
        return
    align = align or ["l"] + ["r"] * (len(header) - 1)
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" if a == "l" else "--:" for a in align) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


# ---- the run's data --------------------------------------------------------------------------------------------------

class Pass:
    """One thread count: the Grad and PyTorch documents and their results by workload name."""

    def __init__(self, threads, grad, torch):
        self.threads = threads
        self.grad, self.torch = grad, torch
        self.g = {r["workload"]: r for r in grad["results"]} if grad else {}
        self.t = {r["workload"]: r for r in torch["results"]} if torch else {}

    def grad_us(self, name):
        return self.g[name]["median_us"] if name in self.g else None

    def torch_us(self, name):
        return self.t[name]["median_us"] if name in self.t else None

    def speedup(self, name):
        """PyTorch time ÷ Grad time: above 1 Grad is faster."""
        g, t = self.grad_us(name), self.torch_us(name)
        return t / g if g and t else None

    def fma_peak_gflops(self):
        """The Grad side's measured FMA peak at this thread count, in GFLOP/s."""
        us = self.grad_us("fma_peak_f32")
        if us is None or not self.grad:
            return None
        env = self.grad["environment"]
        return env["threads"] * env.get("fma_flops_per_thread", 768e6) / (us * 1e-6) / 1e9

    def epoch(self, side):
        document = self.grad if side == "grad" else self.torch
        return document.get("epoch") if document else None


def load(path):
    with open(path) as f:
        return json.load(f)


def discover(directory):
    """The passes in OUT_DIR (grad-T.json / torch-T.json), fewest threads first, and numpy.json if there."""
    passes = []
    for path in glob.glob(os.path.join(directory, "grad-*.json")):
        match = re.fullmatch(r"grad-(\d+)\.json", os.path.basename(path))
        if not match:
            continue
        threads = int(match.group(1))
        torch_path = os.path.join(directory, f"torch-{threads}.json")
        passes.append(Pass(threads, load(path), load(torch_path) if os.path.exists(torch_path) else None))
    numpy_path = os.path.join(directory, "numpy.json")
    return sorted(passes, key=lambda p: p.threads), load(numpy_path) if os.path.exists(numpy_path) else None


# ---- sections --------------------------------------------------------------------------------------------------------

def environment(passes, numpy_doc):
    last = passes[-1]
    g = last.grad["environment"]
    t = last.torch["environment"] if last.torch else None
    print("## Environment")
    print()
    print(f"- date: {g['date']} (UTC); CPU: {g['cpu']}, {g['cores']} cores")
    print(f"- Grad: {g['runtime']}, GC {g['gc']}, Vector<float> {g['vector_float_lanes']} lanes, "
          f"Vector512 accelerated: {g['vector512_accelerated']}")
    if t:
        blas = t.get("blas", {})
        print(f"- PyTorch: {t['runtime']}; interop threads {t['interop_threads']}; ATen CPU capability {t['capability']}")
        print(f"- BLAS under torch: {blas.get('openblas_config', ', '.join(blas.get('libraries', [])) or 'none mapped')}"
              f"{'; OpenBLAS core ' + blas['openblas_core'] + ', ' + str(blas['openblas_threads']) + ' threads' if 'openblas_core' in blas else ''}")
        print(f"- OPENBLAS_CORETYPE={t['openblas_coretype']}, OPENBLAS_L2_SIZE={t['openblas_l2_size']}, OMP_NUM_THREADS={t['omp_num_threads']}")
        print(f"- torch config: {'; '.join(s.lstrip('- ') for s in t['config_summary'])}")
        print(f"- HVP in PyTorch: {t['hvp_method']}")
    if numpy_doc:
        print(f"- numpy {numpy_doc['environment']['numpy_version']}, one thread")
    for p in passes:
        gt, tt = p.grad["environment"], p.torch["environment"] if p.torch else None
        print(f"- {threads_text(p.threads)}: Parallelism.MaxThreads = {gt['threads']}, torch.get_num_threads() = "
              f"{tt['threads'] if tt else '—'}; sample budget {gt['plan']['budget_seconds']} s per workload; load average "
              f"(1, 5, 15 min) Grad run {gt['load_average_before']} → {gt['load_average_after']}"
              f"{', PyTorch run ' + tt['load_average_before'] + ' → ' + tt['load_average_after'] if tt else ''}")
    print(f"- others' CPU: the share of the machine other processes used while a workload's samples ran (from "
          f"/proc/stat); above {g['plan']['max_other_cpu_share']:.0%} a workload was measured again, up to "
          f"{g['plan']['max_attempts']} times, keeping the least disturbed attempt")
    if any(p.grad["environment"].get("quick") or (p.torch and p.torch["environment"].get("quick")) for p in passes):
        print("- **quick run**: timings are a smoke test, not a measurement; the epoch is cut short and the memory "
              "check runs a tenth of its steps")
    print()


def best_vs_best(passes, name):
    """PyTorch's fastest time over the thread counts ÷ Grad's fastest, with the thread count each was fastest at."""
    grad_times = [(p.grad_us(name), p.threads) for p in passes if p.grad_us(name) is not None]
    torch_times = [(p.torch_us(name), p.threads) for p in passes if p.torch_us(name) is not None]
    if not grad_times or not torch_times:
        return None
    (g, gt), (t, tt) = min(grad_times), min(torch_times)
    return t / g, gt, tt


def speedups(passes):
    print("## Speed-up: PyTorch time ÷ Grad time (above 1× Grad is faster)")
    print()
    print("Each side's median time per call at the same thread count; *best vs best* divides PyTorch's fastest time "
          "over the thread counts by Grad's fastest (the thread count each was fastest at in brackets).")
    print()
    names = [r["workload"] for r in passes[-1].grad["results"]]
    for p in passes[:-1]:
        names += [r["workload"] for r in p.grad["results"] if r["workload"] not in names]
    rows = []
    for name in names:
        if all(p.torch_us(name) is None for p in passes):
            continue
        cells = [ratio_text(p.speedup(name)) for p in passes]
        b = best_vs_best(passes, name)
        best = "—" if b is None else f"{b[0]:.2f}× (Grad {b[1]}, PyTorch {b[2]})"
        rows.append([name] + cells + [best])
    table(["workload"] + [threads_text(p.threads) for p in passes] + ["best vs best"], rows)


def fma_share(p, name):
    """Grad's GFLOP/s on a GEMM as a share of the FMA peak at the same thread count."""
    peak = p.fma_peak_gflops()
    flops = matmul_flops(name)
    us = p.grad_us(name)
    if peak is None or flops is None or us is None:
        return None
    return flops / (us * 1e-6) / 1e9 / peak


def matmul_flops(name):
    """2·m·k·n from a matmul workload's name (matmul_f32_1024 or matmul_f32_128x784x128)."""
    match = re.fullmatch(r"matmul_f(?:32|64)_(\d+)(?:x(\d+)x(\d+))?", name)
    if not match:
        return None
    m = int(match.group(1))
    k, n = (int(match.group(2)), int(match.group(3))) if match.group(2) else (m, m)
    return 2 * m * k * n


ELEMENTWISE = ["add_f32_16M", "mul_f32_16M", "exp_f32_16M", "tanh_f32_16M", "sum_f32_16M"]


def elementwise_bytes(name, numpy_by_name):
    """Bytes read and written per call (numpy_bench.py's count: operands in, result out)."""
    if name in numpy_by_name and numpy_by_name[name].get("bytes_per_call"):
        return numpy_by_name[name]["bytes_per_call"]
    operands = {"add": 3, "mul": 3, "exp": 2, "tanh": 2, "sum": 1}[name.split("_")[0]]
    return operands * 16 * MIB * 4


def numpy_speedup(p, name, numpy_by_name):
    """numpy time ÷ Grad time."""
    g = p.grad_us(name)
    n = numpy_by_name.get(name, {}).get("median_us")
    return n / g if g and n else None


def step_over_forward(p, side, step, forward, update=None):
    us = p.grad_us if side == "grad" else p.torch_us
    s, f = us(step), us(forward)
    if s is None or not f:
        return None
    if update is not None:
        u = us(update)
        if u is None:
            return None
        s -= u
    return s / f


def targets(passes, numpy_by_name):
    print("## Targets (issue 4)")
    print()
    print("Measured at each thread count. The speed ratios against PyTorch are judged as the issue states them, each "
          "side at its best thread count (*best vs best*); the GEMM targets, stated against the all-cores FMA peak, at "
          "the most threads; the others must hold at every thread count measured.")
    print()
    most = passes[-1]

    def row(label, value, good, text, judge_most_only=False, best=None):
        values = [value(p) for p in passes]
        cells = ["—" if v is None else text(v) for v in values]
        judged = [(p, v) for p, v in zip(passes, values) if v is not None and (not judge_most_only or p is most)]
        if best is not None:
            verdict = "not measured" if best[0] is None else ("**met**" if good(best[0]) else "missed")
            return [label] + cells + [best[1]] + [verdict]
        if not judged:
            verdict = "not measured"
        else:
            met = [p.threads for p, v in judged if good(v)]
            if len(met) == len(judged):
                verdict = "**met**"
            elif not met:
                verdict = "missed"
            else:
                verdict = "met at " + ", ".join(threads_text(t) for t in met) + " only"
        return [label] + cells + ["—", verdict]

    def speedup_row(label, name, at_least):
        b = best_vs_best(passes, name)
        best = (None, "—") if b is None else (b[0], f"{ratio_text(b[0])} (Grad {b[1]}, PyTorch {b[2]})")
        return row(f"{label}: PyTorch ÷ Grad ≥ {at_least}× (`{name}`)", lambda p: p.speedup(name),
                   lambda v: v >= at_least, ratio_text, best=best)

    rows = [
        speedup_row("MLP step", "mnist_mlp_sgd_step", 3),
        speedup_row("wide MLP step", "wide_mlp_adam_step", 2),
        speedup_row("CNN step", "cnn_adam_step", 1.5),
        speedup_row("seed graph", "seed_graph", 3),
        speedup_row("per-op overhead (µs per op)", "op_chain_1000", 5),
    ]
    for name in ["matmul_f32_1024", "matmul_f32_2048"]:
        rows.append(row(f"SGEMM {name.rsplit('_', 1)[1]} ≥ 65% of the FMA peak at {threads_text(most.threads)} (`{name}`)",
                        lambda p, name=name: fma_share(p, name), lambda v: v >= 0.65, percent_text, judge_most_only=True))
    for name in ELEMENTWISE:
        rows.append(row(f"elementwise ≥ 1× numpy: numpy time ÷ Grad time (`{name}`)",
                        lambda p, name=name: numpy_speedup(p, name, numpy_by_name), lambda v: v >= 1, ratio_text))
    rows.append(row("V&G ≤ 3× forward, MLP: Grad `mnist_mlp_sgd_step` ÷ `mnist_mlp_forward`",
                    lambda p: step_over_forward(p, "grad", "mnist_mlp_sgd_step", "mnist_mlp_forward"), lambda v: v <= 3, ratio_text))
    rows.append(row("V&G ≤ 3× forward, CNN: Grad `cnn_adam_step` ÷ `cnn_forward`",
                    lambda p: step_over_forward(p, "grad", "cnn_adam_step", "cnn_forward"), lambda v: v <= 3, ratio_text))

    def peak_memory(p):
        g, t = p.epoch("grad"), p.epoch("torch")
        if not g or not t or g.get("peak_rss_bytes") is None or t.get("peak_rss_bytes") is None:
            return None
        return g["peak_rss_bytes"], t["peak_rss_bytes"]

    rows.append(row("epoch peak memory ≤ PyTorch's: VmHWM, Grad / PyTorch (`mnist_mlp_epoch`)", peak_memory,
                    lambda v: v[0] <= v[1], lambda v: f"{v[0] / MIB:.0f} / {v[1] / MIB:.0f} MiB"))
    table(["target"] + [threads_text(p.threads) for p in passes] + ["best vs best", "verdict"], rows)


def gemm(passes):
    print("## GEMM: GFLOP/s and share of the measured FMA peak")
    print()
    print("GFLOP/s = 2·m·k·n ÷ median time. The peak is Grad's `fma_peak_f32` at the same thread count (a Vector512 FMA "
          "loop on every thread); both libraries are measured against it.")
    print()
    for p in passes:
        peak = p.fma_peak_gflops()
        print(f"{threads_text(p.threads)}: FMA peak {number_text(peak)} GFLOP/s")
        print()
        rows = []
        for name in p.g:
            flops = matmul_flops(name)
            if flops is None:
                continue
            cells = [name]
            for us in (p.grad_us(name), p.torch_us(name)):
                rate = flops / (us * 1e-6) / 1e9 if us else None
                cells += [number_text(rate), percent_text(rate / peak if rate is not None and peak else None)]
            rows.append(cells)
        table(["workload", "Grad GFLOP/s", "Grad % of peak", "PyTorch GFLOP/s", "PyTorch % of peak"], rows)


def elementwise(passes, numpy_doc, numpy_by_name):
    print("## Elementwise, 16M float32: GB/s against numpy")
    print()
    print("GB/s = bytes read and written per call (operands in, result out; numpy_bench.py's count) ÷ median time. "
          "numpy runs on one thread whatever the pass. *÷ numpy* is numpy's time ÷ Grad's (above 1× Grad is faster).")
    print()
    if not numpy_doc:
        print("numpy was not run (numpy.json missing).")
        print()
    header = ["workload", "MiB per call", "numpy GB/s"]
    for p in passes:
        header += [f"Grad GB/s, {p.threads}t", f"PyTorch GB/s, {p.threads}t", f"Grad ÷ numpy, {p.threads}t"]
    rows = []
    for name in ELEMENTWISE:
        if all(name not in p.g for p in passes):
            continue
        traffic = elementwise_bytes(name, numpy_by_name)

        def rate(us):
            return traffic / (us * 1000) if us else None
        cells = [name, f"{traffic / MIB:.0f}", number_text(rate(numpy_by_name.get(name, {}).get("median_us")))]
        for p in passes:
            cells += [number_text(rate(p.grad_us(name))), number_text(rate(p.torch_us(name))),
                      ratio_text(numpy_speedup(p, name, numpy_by_name))]
        rows.append(cells)
    table(header, rows)


def gradient_cost(passes):
    print("## Gradient cost: training step ÷ forward")
    print()
    print("How many forwards a training step (value, gradient and optimizer update) costs, for each framework. The "
          "CNN's last row subtracts the optimizer update measured alone (`cnn_adam_update`).")
    print()
    cases = [
        ("MLP: `mnist_mlp_sgd_step` ÷ `mnist_mlp_forward`", "mnist_mlp_sgd_step", "mnist_mlp_forward", None),
        ("CNN: `cnn_adam_step` ÷ `cnn_forward`", "cnn_adam_step", "cnn_forward", None),
        ("CNN: (`cnn_adam_step` − `cnn_adam_update`) ÷ `cnn_forward`", "cnn_adam_step", "cnn_forward", "cnn_adam_update"),
    ]
    header = ["ratio"]
    for p in passes:
        header += [f"Grad, {p.threads}t", f"PyTorch, {p.threads}t"]
    rows = []
    for label, step, forward, update in cases:
        cells = [label]
        for p in passes:
            cells += [ratio_text(step_over_forward(p, side, step, forward, update)) for side in ("grad", "torch")]
        rows.append(cells)
    table(header, rows)

    print("Where the Adam steps' time goes: the update alone (fixed gradients) as a share of the whole step.")
    print()
    rows = []
    for label, update, step in (("wide MLP: `wide_mlp_adam_update` ÷ `wide_mlp_adam_step`", "wide_mlp_adam_update", "wide_mlp_adam_step"),
                                ("CNN: `cnn_adam_update` ÷ `cnn_adam_step`", "cnn_adam_update", "cnn_adam_step")):
        cells = [label]
        for p in passes:
            for us in (p.grad_us, p.torch_us):
                u, s = us(update), us(step)
                cells.append(percent_text(u / s if u is not None and s else None))
        rows.append(cells)
    table(header, rows)


def op_overhead(passes):
    print("## Per-op overhead: `op_chain_1000`")
    print()
    print("1000 scalar ops, forward and gradient, per call; µs per op = time ÷ 1000 (one op's dispatch, taping and "
          "backward step).")
    print()
    rows = []
    for p in passes:
        g, t = p.grad_us("op_chain_1000"), p.torch_us("op_chain_1000")
        rows.append([threads_text(p.threads), number_text(g / 1000 if g else None, 2), number_text(t / 1000 if t else None, 2),
                     ratio_text(p.speedup("op_chain_1000"))])
    table(["threads", "Grad µs/op", "PyTorch µs/op", "PyTorch ÷ Grad"], rows)


def epochs(passes):
    print("## One MNIST epoch: `mnist_mlp_epoch`")
    print()
    print("784→128→10 MLP, SGD 0.01, batch 128, shuffled, real MNIST, in a fresh process per side. *epoch*: the "
          "training loop (gather, step, update); *load*: IDX files to float32 tensors; *process*: the child process "
          "from start to exit; RSS before loading is the runtime and library alone; *peak* is VmHWM.")
    print()
    rows = []
    for p in passes:
        for side, label in (("grad", "Grad"), ("torch", "PyTorch")):
            e = p.epoch(side)
            if not e:
                continue
            rows.append([threads_text(p.threads), label, f"{e['batches']}{'' if e['full_epoch'] else ' (cut short)'}",
                         f"{e['epoch_seconds']:.2f} s", f"{e['load_seconds']:.2f} s", f"{number_text(e.get('process_seconds'), 2)} s",
                         bytes_text(e.get("rss_before_load_bytes")), bytes_text(e.get("rss_after_load_bytes")),
                         bytes_text(e.get("peak_rss_bytes")), f"{e['final_loss']:.4f}"])
    if rows:
        table(["threads", "side", "batches", "epoch", "load", "process", "RSS before load", "RSS after load", "peak RSS",
               "final loss"], rows, ["l", "l"] + ["r"] * 8)
    else:
        print("not run")
        print()


def memory_check(passes):
    points = [m for p in passes for m in p.grad.get("memory", [])]
    if not points:
        return
    print("## Grad's memory check: `mlp_memory_1k_vs_10k`")
    print()
    print("The `mnist_mlp_sgd_step` step run repeatedly; memory read after a full compacting collection at each count. "
          "Nothing grows from step to step when the GC heap is the same at both counts.")
    print()
    rows = [[f"{m['steps']:,}", bytes_text(m["gc_heap_bytes"]), bytes_text(m["working_set_bytes"]),
             bytes_text(m["allocated_bytes_per_step"]), f"{m['gen0_per_step']:.3f} / {m['gen1_per_step']:.3f} / {m['gen2_per_step']:.3f}",
             f"{m['seconds']:.1f} s"] for m in points]
    table(["steps", "GC heap", "working set", "allocated per step", "GC gen0 / gen1 / gen2 per step", "time"], rows)
    if len(points) >= 2:
        def change(first, last):
            growth = last["gc_heap_bytes"] - first["gc_heap_bytes"]
            return (f"{first['steps']:,} → {last['steps']:,} steps: {growth / MIB:+.2f} MiB "
                    f"({'no growth' if growth <= MIB else 'grows'})")
        print(f"GC heap, {change(points[0], points[-1])}" + (f"; {change(points[-2], points[-1])}" if len(points) > 2 else "") +
              ". Growth up to 1 MiB counts as none; the heap may also shrink as the buffer pool lets buffers go. Growth "
              "from the first reading that stops by the next is warm-up, growth between the last two is a leak.")
        print()


def full_table(p):
    print(f"## All workloads, {threads_text(p.threads)}")
    print()
    print("| workload | Grad (median) | PyTorch (median) | Grad / PyTorch | Grad allocated per call | Grad GC pause per call | page faults per call, Grad / PyTorch | others' CPU, Grad / PyTorch |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    for r in p.grad["results"]:
        other = p.t.get(r["workload"])
        ratio = f"{r['median_us'] / other['median_us']:.2f}×" if other else "—"
        print(f"| {r['workload']} | {time_text(r['median_us'])} | {time_text(other['median_us'] if other else None)} "
              f"| {ratio} | {bytes_text(r['allocated_bytes_per_call'])} | {time_text(r.get('gc_pause_us_per_call'))} "
              f"| {count_text(r.get('minor_faults_per_call'))} / {count_text(other.get('minor_faults_per_call') if other else None)} "
              f"| {share_text(r.get('other_cpu_share'))} / {share_text(other.get('other_cpu_share') if other else None)} |")
    print()


def main():
    arguments = sys.argv[1:]
    if len(arguments) == 1 and os.path.isdir(arguments[0]):
        passes, numpy_doc = discover(arguments[0])
        if not passes:
            sys.exit(f"{arguments[0]}: no grad-T.json files; run benchmarks/run.sh first")
    elif len(arguments) in (2, 3):
        grad = load(arguments[0])
        passes = [Pass(grad["environment"]["threads"], grad, load(arguments[1]))]
        numpy_doc = load(arguments[2]) if len(arguments) == 3 else None
    else:
        sys.exit(__doc__)
    numpy_by_name = {r["workload"]: r for r in numpy_doc["results"]} if numpy_doc else {}

    print("# Grad against PyTorch")
    print()
    environment(passes, numpy_doc)
    speedups(passes)
    targets(passes, numpy_by_name)
    gemm(passes)
    elementwise(passes, numpy_doc, numpy_by_name)
    gradient_cost(passes)
    op_overhead(passes)
    epochs(passes)
    memory_check(passes)
    for p in passes:
        full_table(p)


if __name__ == "__main__":
    main()
