#!/usr/bin/env bash
# Builds and installs the Python package (`pip install .`, scikit-build-core) reusing a CMake
# build folder, then runs the pytest suite in python/tests.
# Usage: scripts/python_test.sh                 (build folder build-python)
#        BUILD_DIR=build scripts/python_test.sh (reuse the folder scripts/test.sh built: only the
#                                                extension is compiled)
# Extra arguments go to pytest (scripts/python_test.sh -k dlpack).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build-python}
python=${PYTHON:-python3}
export CMAKE_BUILD_PARALLEL_LEVEL=${JOBS:-2}

# Build dependencies from PyPI, only when missing (the install below runs without isolation so
# that it uses these and reuses the build folder).
missing=()
for module in scikit_build_core:scikit-build-core pybind11:pybind11 numpy:numpy pytest:pytest; do
  "$python" -c "import ${module%%:*}" 2>/dev/null || missing+=("${module#*:}")
done
if ((${#missing[@]})); then
  echo "== pip install ${missing[*]}"
  "$python" -m pip install --quiet "${missing[@]}"
fi

args=(-C "build-dir=$build_dir" -C cmake.define.VYRE_BUILD_PYTHON=ON)
if [[ -f "$build_dir/CMakeCache.txt" ]]; then
  # Keep the folder's generator and settings (scikit-build-core would pick Ninja when it is
  # installed, which cannot build a Makefiles folder).
  export CMAKE_GENERATOR=$(sed -n 's/^CMAKE_GENERATOR:INTERNAL=//p' "$build_dir/CMakeCache.txt")
else
  # A fresh folder: only what the extension needs.
  args+=(-C cmake.define.VYRE_BUILD_TESTS=OFF -C cmake.define.VYRE_BUILD_BENCH=OFF)
  if command -v ccache >/dev/null; then
    args+=(-C cmake.define.CMAKE_CXX_COMPILER_LAUNCHER=ccache
           -C cmake.define.CMAKE_C_COMPILER_LAUNCHER=ccache)
  fi
fi
echo "== pip install . (build folder $build_dir)"
"$python" -m pip install --no-build-isolation --quiet "${args[@]}" .

# Tests never touch the user's caches.
export VYRE_CACHE_DIR=${VYRE_CACHE_DIR:-$(mktemp -d /tmp/vyre-py-cache.XXXXXX)}
export POCL_CACHE_DIR=${POCL_CACHE_DIR:-$(mktemp -d /tmp/vyre-py-pocl.XXXXXX)}
echo "== pytest python/tests"
# From the tests folder, so `import vyre` finds the installed package, not python/vyre.
cd python/tests
"$python" -m pytest -q -rs "$@"
