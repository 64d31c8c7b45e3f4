#!/usr/bin/env bash
# Installs Debian's scipy if missing, builds hbayes, and runs bench/peer_scipy.py.
# Usage: bench/run_peer_scipy.sh [--stores N] [--big-stores N]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c "import scipy" 2>/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-scipy python3-numpy
fi
scripts/setup-debian.sh
BUILD_DIR=build scripts/build.sh -DHBAYES_BUILD_BENCH=ON
/usr/bin/python3 bench/peer_scipy.py --build build "$@"
