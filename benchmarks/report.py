#!/usr/bin/env python3
"""Prints the markdown report of one benchmark run: the environment of both sides, then one row per workload.

Usage: report.py GRAD_JSON TORCH_JSON    (the files Grad.Benchmarks and torch_bench.py wrote; standard library only)
"""
import json
import sys


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
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / (1024 * 1024):.1f} MiB"


def count_text(n):
    return "?" if n is None else f"{n:.0f}"


def share_text(share):
    return "?" if share is None else f"{share:.0%}"


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        grad = json.load(f)
    with open(sys.argv[2]) as f:
        torch = json.load(f)
    g, t = grad["environment"], torch["environment"]
    blas = t.get("blas", {})

    print(f"- date: {g['date']} (UTC); CPU: {g['cpu']}, {g['cores']} cores")
    print(f"- Grad: {g['runtime']}, {g['threads']} threads (Environment.ProcessorCount), GC {g['gc']}, "
          f"Vector<float> {g['vector_float_lanes']} lanes, Vector512 accelerated: {g['vector512_accelerated']}")
    print(f"- PyTorch: {t['runtime']}; torch.get_num_threads() = {t['threads']}, interop threads {t['interop_threads']}; "
          f"ATen CPU capability {t['capability']}")
    print(f"- BLAS under torch: {blas.get('openblas_config', ', '.join(blas.get('libraries', [])) or 'none mapped')}"
          f"{'; OpenBLAS core ' + blas['openblas_core'] + ', ' + str(blas['openblas_threads']) + ' threads' if 'openblas_core' in blas else ''}")
    print(f"- OPENBLAS_CORETYPE={t['openblas_coretype']}, OPENBLAS_L2_SIZE={t['openblas_l2_size']}, OMP_NUM_THREADS={t['omp_num_threads']}")
    print(f"- torch config: {'; '.join(s.lstrip('- ') for s in t['config_summary'])}")
    print(f"- HVP in PyTorch: {t['hvp_method']}")
    print(f"- load average (1, 5, 15 min): Grad run {g['load_average_before']} → {g['load_average_after']}; "
          f"PyTorch run {t['load_average_before']} → {t['load_average_after']}")
    print(f"- others' CPU: the share of the machine other processes used while a workload's samples ran (from "
          f"/proc/stat); above {g['plan']['max_other_cpu_share']:.0%} a workload was measured again, up to "
          f"{g['plan']['max_attempts']} times, keeping the least disturbed attempt")
    if g.get("quick") or t.get("quick"):
        print("- **quick run**: timings are a smoke test, not a measurement")
    print()
    print("| workload | Grad (median) | PyTorch (median) | Grad / PyTorch | Grad allocated per call | Grad GC pause per call | page faults per call, Grad / PyTorch | others' CPU, Grad / PyTorch |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|")
    torch_by_name = {r["workload"]: r for r in torch["results"]}
    for r in grad["results"]:
        other = torch_by_name.get(r["workload"])
        ratio = f"{r['median_us'] / other['median_us']:.2f}×" if other else "—"
        print(f"| {r['workload']} | {time_text(r['median_us'])} | {time_text(other['median_us'] if other else None)} "
              f"| {ratio} | {bytes_text(r['allocated_bytes_per_call'])} | {time_text(r.get('gc_pause_us_per_call'))} "
              f"| {count_text(r.get('minor_faults_per_call'))} / {count_text(other.get('minor_faults_per_call') if other else None)} "
              f"| {share_text(r.get('other_cpu_share'))} / {share_text(other.get('other_cpu_share') if other else None)} |")


if __name__ == "__main__":
    main()
