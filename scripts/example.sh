#!/usr/bin/env bash
# README command 1: set up, build, and score the bundled example catalog.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-debian.sh
scripts/build.sh -DHBAYES_BUILD_TESTS=OFF -DHBAYES_BUILD_BENCH=OFF
build/src/hbayes score --model beta-binomial --alpha 5 --beta 95 \
  --input examples/stores.csv --output posterior.csv
head -n 6 posterior.csv
