#!/usr/bin/env bash
# Builds and tests vyre on the GPU machine (Ubuntu 24.04, CUDA 13 with NVRTC and libcuda, no
# network), then runs the CUDA and OpenCL benchmarks and every example on the cuda backend.
#
#   scripts/device.sh            # from the repository root; results under $OUT when it is set
#
# BLAKE3's C sources and xxhash.h are not packaged there: copy them into .deps/ first
#   .deps/blake3/  <- /usr/share/cargo/registry/blake3-*/c/*
#   .deps/xxhash/  <- /usr/include/xxhash.h
# Every step runs even if an earlier test fails; the exit status is non-zero if anything failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${VYRE_DEVICE_BUILD:-$ROOT/build-device}"
JOBS="${VYRE_DEVICE_JOBS:-16}"
RESULTS="${OUT:-}"
FAILED=()

# VYRE_DEVICE_STEPS picks steps (default all): build test bench resident examples opencl-nvidia e2e-ab
# python fuzz. `resident` runs the device-memory benchmarks next to their raw-CUDA and CuPy anchors.
# Split across calls when one call's time limit is short; the build folder is reused.
STEPS=" ${VYRE_DEVICE_STEPS:-build test bench resident examples opencl-nvidia e2e-ab python fuzz} "
want() { [[ "$STEPS" == *" $1 "* ]]; }

section() { printf '\n==== %s ====\n' "$*"; }
fail() {
  echo "FAILED: $*"
  FAILED+=("$*")
}

section "machine"
uname -a || true
nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total --format=csv || true
command -v nvcc >/dev/null && nvcc --version | tail -n 2 || true
cmake --version | head -n 1
"${CXX:-g++}" --version | head -n 1

section "dependencies (.deps)"
if [[ ! -f .deps/blake3/blake3.h ]]; then
  echo "missing .deps/blake3/blake3.h (copy /usr/share/cargo/registry/blake3-*/c/* there)"
  exit 2
fi
if [[ ! -f .deps/xxhash/xxhash.h ]]; then
  echo "missing .deps/xxhash/xxhash.h (copy /usr/include/xxhash.h there)"
  exit 2
fi
echo "blake3: $ROOT/.deps/blake3, xxhash: $ROOT/.deps/xxhash"

section "configure"
# Extra CMake arguments, e.g. VYRE_DEVICE_CMAKE_ARGS="-DVYRE_WITH_OPENCL=OFF".
read -r -a EXTRA_CMAKE_ARGS <<<"${VYRE_DEVICE_CMAKE_ARGS:-}"
# Debian packages the GPU machine lacks (hiredis, libsodium, libpng), unpacked with dpkg -x into
# .deps/sysroot: CMake finds their headers and libraries there.
if [[ -d .deps/sysroot/usr ]]; then
  EXTRA_CMAKE_ARGS+=(-DCMAKE_PREFIX_PATH="$ROOT/.deps/sysroot/usr")
  export LD_LIBRARY_PATH="$ROOT/.deps/sysroot/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
if [[ -d /usr/local/cuda ]] && ! command -v nvcc >/dev/null; then
  EXTRA_CMAKE_ARGS+=(-DCUDAToolkit_ROOT=/usr/local/cuda)
fi
# Sources that include xxhash.h directly find the copied header too.
export CPATH="$ROOT/.deps/xxhash${CPATH:+:$CPATH}"
cmake -S . -B "$BUILD" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Release \
  -DVYRE_BLAKE3_DIR="$ROOT/.deps/blake3" -DVYRE_XXHASH_INCLUDE="$ROOT/.deps/xxhash" \
  "${EXTRA_CMAKE_ARGS[@]}"

if want build; then
section "build (-j$JOBS)"
# -k: a broken target elsewhere must not stop the CUDA targets from building.
if ! cmake --build "$BUILD" -j"$JOBS" -- -k; then
  fail "build (some targets did not build; continuing with those that did)"
fi

fi

if want test; then
section "tests (ctest, all suites)"
# The 5,000-program CUDA run below covers random programs; keep the PoCL one short here.
export VYRE_DIFFERENTIAL_COUNT="${VYRE_DIFFERENTIAL_COUNT:-100}"
if ! ctest --test-dir "$BUILD" --output-on-failure -j"$JOBS" \
    ${RESULTS:+--output-junit "$RESULTS/ctest.xml"}; then
  fail "ctest"
fi

section "cuda test suite, run directly (skip reasons, device fingerprint)"
if [[ -x "$BUILD/tests/vyre_cuda_tests" ]]; then
  CUDA_LOG="${RESULTS:-$BUILD}/cuda_tests.txt"
  status=0
  "$BUILD/tests/vyre_cuda_tests" >"$CUDA_LOG" 2>&1 || status=$?
  grep -E "Skipped|no CUDA device|cuda fingerprint|FAILED|PASSED" "$CUDA_LOG" || true
  [[ $status -eq 0 ]] || fail "vyre_cuda_tests (log: $CUDA_LOG)"
else
  fail "vyre_cuda_tests was not built"
fi

fi

run_bench() {  # NAME [extra benchmark arguments...]
  local name="$1" binary="$BUILD/bench/vyre_${1}_bench"
  shift
  section "benchmark: $name"
  if [[ ! -x "$binary" ]]; then
    fail "benchmark $name not built ($binary)"
    return
  fi
  local args=(--benchmark_counters_tabular=true "$@")
  if [[ -n "$RESULTS" ]]; then
    args+=(--benchmark_out="$RESULTS/${name}_bench.json" --benchmark_out_format=json)
  fi
  if ! "$binary" "${args[@]}"; then fail "benchmark $name"; fi
}
if want bench; then
# vyre against raw (launch + sync, saxpy against copy) on a shared host: repetitions in random
# order, compared by their medians, so drift over the run does not favour one side.
run_bench cuda --benchmark_repetitions="${VYRE_DEVICE_BENCH_REPS:-7}" \
  --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
run_bench opencl
section "end-to-end: fresh-process cold compile, disk hit, memory hit (JSON)"
if [[ -x "$BUILD/bench/vyre_e2e_bench" ]]; then
  if ! "$BUILD/bench/vyre_e2e_bench" --samples "${VYRE_DEVICE_E2E_SAMPLES:-21}" \
      | tee "${RESULTS:-$BUILD}/e2e_bench.json"; then
    fail "vyre_e2e_bench"
  fi
else
  fail "vyre_e2e_bench not built"
fi
fi

if want resident; then
# Device buffers, prepared launches, graphs and staged transfers against the same generated
# kernels launched raw, and the heat stencil against CuPy; then one table of figures and bars.
RESIDENT_JSON="${RESULTS:-$BUILD}/cuda_resident_bench.json"
CUPY_JSON="${RESULTS:-$BUILD}/cupy_heat.json"
run_bench cuda_resident --benchmark_repetitions="${VYRE_DEVICE_BENCH_REPS:-7}" \
  --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true \
  --benchmark_out="$RESIDENT_JSON" --benchmark_out_format=json
section "CuPy anchors: heat stencil on resident arrays, launch + sync (bench/cupy_heat.py)"
rm -f "$CUPY_JSON"
status=0
python3 bench/cupy_heat.py --out "$CUPY_JSON" || status=$?
# 2 = CuPy or a GPU is missing here: reported, not a failure of vyre.
if [[ $status -ne 0 && $status -ne 2 ]]; then fail "bench/cupy_heat.py"; fi
section "resident figures: vyre vs raw CUDA vs CuPy (issue 16's bars)"
if [[ -f "$RESIDENT_JSON" ]]; then
  python3 bench/resident_figures.py "$RESIDENT_JSON" "$CUPY_JSON" || fail "resident_figures.py"
fi
fi

section "examples"
# Arguments per example; an example not listed runs with none (and fails if it needs inputs).
declare -A EXAMPLE_ARGS=(
  [dot_product]="--size n=1048576 --size g=4096 --in x=fill:0.5 --in y=range:1048576"
  [hash]="--param seed=42 --in keys=range:1048576"
  [heat]="--size w=1024 --size h=1024 --param alpha=0.2 --in src=fill:0 --iterations 100 --swap src,dst"
  [histogram]="--in data=range:1048576"
  [mandelbrot]="--size w=1024 --size h=1024 --param x0=-2.0 --param y0=-1.5 --param scale=0.0029"
  [matmul]="--size m=512 --size n=512 --size k=512 --in a=fill:0.5 --in b=fill:2"
  [prefix_scan]="--in input=range:1048576"
  [saxpy]="--param a=2.5 --in x=range:1048576 --in y=fill:1"
  [stencil]="--size w=1024 --size h=1024 --param alpha=0.25 --in src=fill:1"
  [transpose]="--size cols=1024 --size rows=768 --in src=fill:3"
  [vector_add]="--in a=range:1048576 --in b=fill:2"
)
run_examples() {  # BACKEND [env assignments...]
  local backend="$1"
  shift
  for example in examples/*.vy; do
    name="$(basename "$example" .vy)"
    read -r -a extra <<<"${EXAMPLE_ARGS[$name]:-}"
    echo "--- $name: $* vyre run $example --backend $backend ${extra[*]}"
    if ! env "$@" "$BUILD/vyre" run "$example" --backend "$backend" "${extra[@]}"; then
      fail "vyre run --backend $backend $name"
    fi
  done
}
if want examples; then
  section "vyre run --backend cuda on every example"
  run_examples cuda
fi

if want opencl-nvidia; then
  section "OpenCL on the NVIDIA platform: device list, tests, conformance, examples"
  "$BUILD/vyre" backends || true
  if ! VYRE_OPENCL_DEVICE=NVIDIA "$BUILD/tests/vyre_opencl_tests" --gtest_brief=1; then
    fail "vyre_opencl_tests on the NVIDIA OpenCL device"
  fi
  if ! VYRE_OPENCL_DEVICE=NVIDIA "$BUILD/tests/vyre_conformance_tests" --gtest_brief=1 \
      --gtest_filter='*opencl*:*Opencl*:*OpenCl*'; then
    fail "conformance on the NVIDIA OpenCL device"
  fi
  run_examples opencl VYRE_OPENCL_DEVICE=NVIDIA
fi

# The fresh-process disk hit against a baseline source tree (issue 15's "within 5%"), only when
# VYRE_DEVICE_BASE_SRC names one (e.g. .deps/base from `git archive e4bef6a`).
if want e2e-ab && [[ -n "${VYRE_DEVICE_BASE_SRC:-}" ]]; then
  section "end-to-end A/B: fresh-process disk hit, $VYRE_DEVICE_BASE_SRC against this tree"
  VYRE_AB_CMAKE_ARGS="${EXTRA_CMAKE_ARGS[*]}" scripts/e2e_ab.sh "$VYRE_DEVICE_BASE_SRC" "$BUILD" \
    "${VYRE_DEVICE_AB_ROUNDS:-6}" "${VYRE_DEVICE_E2E_SAMPLES:-21}" cuda || fail "e2e A/B"
fi

if want python; then
  # The extension built into this build folder (no pip there: no network), the package assembled
  # next to it, then pytest (CuPy and PyTorch DLPack on cuda), the heat example and the bench
  # against CuPy. Carried in .deps: pybind11/ (pip's package) and pylib/ (pytest's wheels,
  # unpacked).
  section "Python package on the GPU: pytest, examples/python/heat.py, bench/python_vs_cupy.py"
  if ! python3 -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))'; then
    fail "python: no Python.h for $(python3 --version) here"
  elif cmake -S . -B "$BUILD" -DVYRE_BUILD_PYTHON=ON -Dpybind11_DIR="$ROOT/.deps/pybind11/share/cmake/pybind11" >/dev/null &&
      cmake --build "$BUILD" -j"$JOBS" --target _vyre vyre_cli; then
    PYPKG="$BUILD/python-package"
    rm -rf "$PYPKG" && mkdir -p "$PYPKG" && cp -r python/vyre "$PYPKG/"
    cp "$BUILD"/python/_vyre*.so "$PYPKG/vyre/"
    export PYTHONPATH="$PYPKG:$ROOT/.deps/pylib${PYTHONPATH:+:$PYTHONPATH}"
    (cd python/tests && python3 -m pytest -q -rs -p no:cacheprovider) || fail "pytest python/tests"
    python3 examples/python/heat.py --device cuda --size 1024 --steps 500 \
      --png "${RESULTS:-$BUILD}/heat.png" || fail "examples/python/heat.py on cuda"
    status=0
    python3 bench/python_vs_cupy.py --vyre "$BUILD/vyre" \
      --out "${RESULTS:-$BUILD}/python_vs_cupy.json" || status=$?
    if [[ $status -ne 0 && $status -ne 2 ]]; then fail "bench/python_vs_cupy.py"; fi
  else
    fail "python: the extension did not build"
  fi
fi

if want fuzz; then
  section "differential: ${VYRE_DEVICE_FUZZ_COUNT:-5000} random programs, reference vs cuda"
  if ! timeout "${VYRE_DEVICE_FUZZ_SECONDS:-300}" "$BUILD/vyre" fuzz --backends reference,cuda \
      --seed 1 --count "${VYRE_DEVICE_FUZZ_COUNT:-5000}" --out "${RESULTS:-$BUILD}/fuzz"; then
    fail "vyre fuzz reference,cuda"
  fi
fi

section "summary"
if [[ ${#FAILED[@]} -ne 0 ]]; then
  printf 'failed: %s\n' "${FAILED[@]}"
  exit 1
fi
echo "all steps passed"
