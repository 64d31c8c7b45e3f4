#!/usr/bin/env bash
# Installs Debian's R, VGAM and metafor (and scipy) if missing, builds hbayes, and runs
# bench/peer_r.py: hbayes fit against VGAM (beta-binomial ML-II, 1e5 stores) and metafor
# (normal-normal REML, k = 2,000) in the same run, on the same data.
# Usage: bench/run_peer_r.sh [--stores N] [--studies K] [--no-tight]   (BUILD_DIR: default build)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v Rscript >/dev/null 2>&1 ||
   ! Rscript -e 'library(VGAM); library(metafor)' >/dev/null 2>&1 ||
   ! /usr/bin/python3 -c "import scipy" 2>/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq r-base-core r-cran-vgam r-cran-metafor \
    python3-scipy python3-numpy
fi
scripts/setup-debian.sh
build_dir=${BUILD_DIR:-build}
BUILD_DIR=$build_dir scripts/build.sh -DHBAYES_BUILD_BENCH=ON
/usr/bin/python3 bench/peer_r.py --build "$build_dir" "$@"
