#!/usr/bin/env python3
"""numpy as a peer for the large elementwise workloads of Grad.Benchmarks/Workloads.cs, timed by torch_bench.py's procedure.

Usage: numpy_bench.py [--out FILE] [--filter TEXT] [--quick]

numpy runs these on one thread (as numpy does); the output has torch_bench.py's JSON format (framework "numpy"),
so report.py can compare it with the Grad side. Each result also records the memory traffic per call and GB/s.
"""
import argparse
import json
import sys

import numpy

import torch_bench

SIXTEEN_M = 16 * 1024 * 1024
FLOAT32_BYTES = 4


def uniform(seed, n, low, high):
    return numpy.random.default_rng(seed).uniform(low, high, n).astype(numpy.float32)


def unary(f):
    def setup():
        x = uniform(10, SIXTEEN_M, -2.0, 2.0)
        return lambda: f(x)
    return setup


def binary(f):
    def setup():
        a, b = uniform(11, SIXTEEN_M, -1.0, 1.0), uniform(12, SIXTEEN_M, -1.0, 1.0)
        return lambda: f(a, b)
    return setup


# (name, setup, bytes read and written per call: operands in, result out)
WORKLOADS = [
    ("add_f32_16M", binary(numpy.add), 3 * SIXTEEN_M * FLOAT32_BYTES),
    ("mul_f32_16M", binary(numpy.multiply), 3 * SIXTEEN_M * FLOAT32_BYTES),
    ("exp_f32_16M", unary(numpy.exp), 2 * SIXTEEN_M * FLOAT32_BYTES),
    ("tanh_f32_16M", unary(numpy.tanh), 2 * SIXTEEN_M * FLOAT32_BYTES),
    ("sum_f32_16M", unary(numpy.sum), SIXTEEN_M * FLOAT32_BYTES),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", help="write the JSON here instead of stdout")
    parser.add_argument("--filter", help="only workloads whose name contains this")
    parser.add_argument("--quick", action="store_true", help="a smoke run; its numbers are not worth reporting")
    parser.add_argument("--allow-none", action="store_true", help="write an empty result when --filter matches nothing (run.sh)")
    args = parser.parse_args()
    plan = torch_bench.PLANS["quick" if args.quick else "full"]
    selected = [w for w in WORKLOADS if args.filter is None or args.filter in w[0]]
    if not selected and not args.allow_none:
        sys.exit(f"no workload name contains '{args.filter}'")

    load_before = torch_bench.load_average()
    results = []
    for name, setup, traffic in selected:
        r = torch_bench.measure(name, setup(), plan)
        r["bytes_per_call"] = traffic
        r["gb_per_s"] = round(traffic / (r["median_us"] * 1000), 2)
        results.append(r)
        print(f"numpy {name:<28} median {r['median_us']:12.1f} µs  (IQR {r['q1_us']:.1f}–{r['q3_us']:.1f})  "
              f"{r['gb_per_s']:.1f} GB/s  {r['minor_faults_per_call']:.0f} faults/call  "
              f"others' CPU {torch_bench.share_text(r['other_cpu_share'])}", file=sys.stderr)
    document = dict(
        framework="numpy",
        environment=dict(cpu=torch_bench.cpu_model(), numpy_version=numpy.__version__, threads=1,
                         load_average_before=load_before, load_average_after=torch_bench.load_average(),
                         plan=plan, quick=args.quick),
        results=results,
    )
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    else:
        print(text)


if __name__ == "__main__":
    main()
