#!/usr/bin/env bash
# GPU checks and figures on a machine with a CUDA device, for a build with the CUDA backend:
#   1. every test binary (the CUDA cases of the parity tests and the GPU-only tests included);
#   2. the kernel benchmarks on both backends: scoring (bench_score), the empirical-Bayes fits
#      (bench_fit) and the sampler's transitions and whole runs (bench_sample);
#   3. `hbayes score` end to end with --backend cuda against --backend cpu (bench/gpu_end_to_end.py,
#      which needs numpy and pandas).
# Usage: bench/run_gpu.sh [BUILD_DIR] (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
echo "host: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"

echo "== tests"
status=0
for t in "$build"/tests/hbayes_*_tests; do
  "$t" --gtest_brief=1 || status=1
done

echo "== kernel benchmarks"
"$build"/bench/bench_sample --benchmark_filter='^(sample|transition)/' || status=1
"$build"/bench/bench_fit || status=1
"$build"/bench/bench_score --benchmark_min_time=1 --benchmark_counters_tabular=true || status=1

echo "== end to end"
PYTHONPATH=bench python3 bench/gpu_end_to_end.py --build "$build" || status=1
exit "$status"
