#!/usr/bin/env bash
# Installs what hbayes needs to build and test on Debian 12, from Debian's packages.
# Run as root (or with sudo); as another user it only reports what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(build-essential cmake ninja-build ccache pkg-config zlib1g-dev libgtest-dev
          libbenchmark-dev libboost-math-dev libcli11-dev libeigen3-dev nlohmann-json3-dev
          python3 python3-venv r-cran-rstan)
# r-cran-rstan, and ArviZ and cmdstanpy (below), are the CmdStan readers that the tests load
# `hbayes sample --output-dir` with.
# Thrust and CUB come with the CUDA toolkit; without it, Debian's copies serve the CPU backend.
if ! command -v nvcc >/dev/null 2>&1 && [ ! -x /usr/local/cuda/bin/nvcc ]; then
  packages+=(libthrust-dev libcub-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "hbayes setup: missing Debian packages: ${missing[*]}" >&2
    echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "hbayes setup: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ArviZ and cmdstanpy are not packaged by Debian 12: they come from PyPI into a virtual
# environment in the checkout (ignored by git), which the reader tests use.
venv=.venv-readers
if ! "$venv/bin/python3" -c 'import arviz, cmdstanpy' >/dev/null 2>&1; then
  echo "hbayes setup: installing arviz and cmdstanpy into $venv (PyPI)" >&2
  python3 -m venv "$venv"
  if ! "$venv/bin/python3" -m pip install -q arviz cmdstanpy; then
    echo "hbayes setup: could not install arviz and cmdstanpy from PyPI into $venv;" \
         "the CmdStan reader tests need them" >&2
    exit 1
  fi
fi
