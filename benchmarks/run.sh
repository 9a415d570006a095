#!/usr/bin/env bash
# Times Grad, PyTorch and numpy on the same workloads in one run on this machine and prints a markdown report.
# Run by hand; never from tests or CI.
#
#   benchmarks/run.sh [--quick] [--filter TEXT] [--wait-quiet] [--no-sweep]
#
#   --quick       a smoke run (about two minutes, not ten); its numbers are not worth reporting
#   --filter TEXT only the workloads whose name contains TEXT
#   --wait-quiet  after building, wait (up to 30 min) for the 1-minute load average to drop below 1.0
#   --no-sweep    only the all-cores pass (by default both sides run at 1 thread and at all cores)
#
# Each pass runs Grad then PyTorch at one thread count T (Parallelism.MaxThreads, torch.set_num_threads) and writes
# grad-T.json and torch-T.json; the all-cores pass also runs Grad's memory check; numpy (one thread) runs once.
# The 1-thread pass takes BENCH_BUDGET_1T seconds of samples per workload (default 1.5) instead of 3.
# Results go to benchmarks/out/ (the JSON files and report.md); override with BENCH_OUT=DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=() filter=() wait_quiet=0 sweep=1
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=(--quick) ;;
        --filter) filter=(--filter "$2"); shift ;;
        --wait-quiet) wait_quiet=1 ;;
        --no-sweep) sweep=0 ;;
        *) echo "unknown argument '$1'; use [--quick] [--filter TEXT] [--wait-quiet] [--no-sweep]" >&2; exit 2 ;;
    esac
    shift
done

out=${BENCH_OUT:-benchmarks/out}
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Debian's torch is built for Debian's Python; a pyenv or venv python3 earlier on PATH would not see it.
PY=/usr/bin/python3
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

apt_install() {
    # Install, and refresh the package lists first only if a package is not found.
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$@" ||
        { $sudo apt-get update && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$@"; }
}

if ! "$PY" -c "import torch, numpy" 2>/dev/null; then
    echo "== installing python3-torch and python3-numpy (Debian's torch 1.13)" >&2
    apt_install python3-torch python3-numpy
fi
# python3-torch's BLAS dependency is met by Debian's reference BLAS unless an optimised one is installed, and torch's
# float matmul then runs tens of times slower than with OpenBLAS: that would compare Grad with an unoptimised baseline.
# The OpenMP build shares torch's OpenMP threads, so torch.set_num_threads governs it too.
if ! ls /usr/lib/x86_64-linux-gnu/openblas-*/libblas.so.3 >/dev/null 2>&1; then
    echo "== installing libopenblas0-openmp (an optimised BLAS for torch)" >&2
    apt_install libopenblas0-openmp
fi

echo "== building Grad.Benchmarks (Release)" >&2
dotnet build benchmarks/Grad.Benchmarks -c Release -v quiet -nologo >&2
harness=benchmarks/Grad.Benchmarks/bin/Release/net10.0/Grad.Benchmarks.dll

if [ "$wait_quiet" -eq 1 ]; then
    for _ in $(seq 180); do
        awk '{ exit !($1 < 1.0) }' /proc/loadavg && break
        sleep 10
    done
fi
echo "== load before the run: $(uptime)" >&2

cores=$(nproc)
budget_1t=${BENCH_BUDGET_1T:-1.5}
passes=("$cores")
[ "$sweep" -eq 1 ] && [ "$cores" -gt 1 ] && passes=("$cores" 1)
# A pass of an earlier run must not be reported with this one.
rm -f "$out"/grad-*.json "$out"/torch-*.json "$out"/numpy.json "$out"/report.md

for threads in "${passes[@]}"; do
    budget=() memory=()
    if [ "$threads" -ne "$cores" ]; then
        memory=(--skip-memory)
        [ ${#quick[@]} -eq 0 ] && budget=(--budget "$budget_1t")
    fi
    echo "== $threads thread(s): Grad" >&2
    dotnet "$harness" --threads "$threads" "${quick[@]}" "${filter[@]}" "${budget[@]}" "${memory[@]}" --out "$out/grad-$threads.json"
    echo "== $threads thread(s): PyTorch" >&2
    "$PY" benchmarks/torch_bench.py --threads "$threads" "${quick[@]}" "${filter[@]}" "${budget[@]}" --allow-none --out "$out/torch-$threads.json"
done
echo "== numpy (one thread)" >&2
"$PY" benchmarks/numpy_bench.py "${quick[@]}" "${filter[@]}" --allow-none --out "$out/numpy.json"
echo "== load after the run: $(uptime)" >&2

"$PY" benchmarks/report.py "$out" | tee "$out/report.md"
