#!/usr/bin/env bash
# Installs a vyre build into a temporary prefix, then configures, builds and runs
# examples/embed against that installation: proves find_package(vyre) + vyre::vyre work for an
# embedder who only has the installed files.
#   scripts/check_embed.sh [BUILD_DIR]   (default: build)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-${root}/build}"
jobs="${JOBS:-1}"
work="$(mktemp -d "${TMPDIR:-/tmp}/vyre-embed.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

echo "== building ${build}"
cmake --build "${build}" -j"${jobs}" --target vyre_cli
echo "== installing into ${work}/prefix"
cmake --install "${build}" --prefix "${work}/prefix" > "${work}/install.log"
echo "== configuring examples/embed"
cmake -S "${root}/examples/embed" -B "${work}/embed" -DCMAKE_PREFIX_PATH="${work}/prefix" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo > "${work}/configure.log"
echo "== building examples/embed"
cmake --build "${work}/embed" -j"${jobs}"
echo "== running"
"${work}/embed/embed_saxpy"
"${work}/embed/embed_dot"
echo "check_embed: ok"
