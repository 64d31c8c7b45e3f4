#!/usr/bin/env bash
# README command 2: set up, build, and run every test.
#  1. the release build (CUDA backend compiled when nvcc is present; warnings are errors);
#  2. the CPU tests again under AddressSanitizer + UndefinedBehaviorSanitizer (CUDA left out).
# GPU-only tests skip themselves without a device and carry the CTest label "gpu".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
jobs=$(nproc)

echo "== release build (tests, benchmarks, CUDA backend when available)"
BUILD_DIR=build scripts/build.sh -DHBAYES_WERROR=ON -DHBAYES_BUILD_TESTS=ON -DHBAYES_BUILD_BENCH=ON
ctest --test-dir build --output-on-failure -j "$jobs"

echo "== sanitizer build (ASan + UBSan, CPU backend)"
BUILD_DIR=build-sanitize scripts/build.sh -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHBAYES_WERROR=ON \
  -DHBAYES_SANITIZE=ON -DHBAYES_BUILD_BENCH=OFF
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-sanitize --output-on-failure -j "$jobs"
