#!/usr/bin/env bash
# Installs vyre's build and test dependencies from Debian packages (run as root).
# Skips apt entirely when everything is already installed.
set -euo pipefail
packages=(
  build-essential cmake g++ pkg-config ccache
  libfmt-dev nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev libpng-dev
  librust-blake3-dev libxxhash-dev
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo
  clang-14 libclang-rt-14-dev
  libhiredis-dev libsodium-dev redis-server
)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "== installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
