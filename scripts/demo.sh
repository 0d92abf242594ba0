#!/usr/bin/env bash
# The main job: builds vyre, lists the backends, then runs examples/saxpy.vy through
# `vyre run` on the best available backend three times — a cold cache (compile), a fresh process
# over the same disk cache (disk hit), and a second run in one process (memory hit) — and shows
# the cache's own view of it.
#   scripts/demo.sh        (as root on a fresh Debian 12: installs what it needs)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build-demo -DCMAKE_BUILD_TYPE=Release -DVYRE_BUILD_TESTS=OFF -DVYRE_BUILD_BENCH=OFF \
  >/dev/null
cmake --build build-demo -j"${JOBS:-2}" --target vyre_cli
vyre=build-demo/vyre

# A private cache for the demo, so "cold" really is cold. PoCL keeps a cache of its own too.
export VYRE_CACHE_DIR=$(mktemp -d /tmp/vyre-demo-cache.XXXXXX)
export POCL_CACHE_DIR=$(mktemp -d /tmp/vyre-demo-pocl.XXXXXX)
trap 'rm -rf "$VYRE_CACHE_DIR" "$POCL_CACHE_DIR"' EXIT

echo "== backends"
$vyre backends
args=(examples/saxpy.vy --param a=2.5 --in x=range:1000000 --in y=fill:1)
echo
echo "== run 1: cold cache (compiles)"
$vyre run "${args[@]}"
echo
echo "== run 2: fresh process, same cache folder (disk hit)"
$vyre run "${args[@]}"
echo
echo "== run 3: the same program twice in one process (the second is a memory hit; a summary follows)"
$vyre run "${args[@]}" --repeat 2
echo
echo "== the cache"
$vyre cache stats
$vyre cache list
echo
echo "== next: put this vyre on your PATH and follow README.md's \"Using the vyre command\""
echo "export PATH=\"$PWD/build-demo:\$PATH\""
