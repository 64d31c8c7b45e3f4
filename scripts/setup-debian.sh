#!/usr/bin/env bash
# Installs what hbayes needs to build and test on Debian 12, from Debian's packages.
# Run as root (or with sudo); as another user it only reports what is missing.
set -euo pipefail

packages=(build-essential cmake ninja-build ccache pkg-config zlib1g-dev libgtest-dev
          libbenchmark-dev libboost-math-dev libcli11-dev libeigen3-dev nlohmann-json3-dev)
# Thrust and CUB come with the CUDA toolkit; without it, Debian's copies serve the CPU backend.
if ! command -v nvcc >/dev/null 2>&1 && [ ! -x /usr/local/cuda/bin/nvcc ]; then
  packages+=(libthrust-dev libcub-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "hbayes setup: missing Debian packages: ${missing[*]}" >&2
  echo "install them with: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "hbayes setup: installing ${missing[*]}" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
