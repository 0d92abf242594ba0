#!/usr/bin/env bash
# Installs a vyre build into a temporary prefix and proves an embedder needs only the installed
# files: examples/embed configures with find_package(vyre) where no CUDA toolkit is visible,
# builds and runs; a C++ program builds with `pkg-config --cflags --libs vyre` and runs; the
# prefix holds no build-machine path and no third-party helper under a generic name; the
# installed CLI does not link NVRTC or libcuda. Then the same for a BUILD_SHARED_LIBS=ON build
# (configured here, next to BUILD_DIR's settings), whose libvyre.so must carry its SONAME.
#   scripts/check_embed.sh [BUILD_DIR]   (default: build; VYRE_EMBED_SHARED=0 skips the shared pass)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="$(cd "${1:-${root}/build}" && pwd)"
jobs="${JOBS:-2}"
work="$(mktemp -d "${TMPDIR:-/tmp}/vyre-embed.XXXXXX")"
trap 'rm -rf "${work}"' EXIT

fail() {
  echo "check_embed: FAIL: $*" >&2
  exit 1
}

# PATH without any folder that holds nvcc, so nothing finds the CUDA toolkit through it.
no_cuda_path=""
IFS=: read -r -a path_dirs <<< "${PATH}"
for dir in "${path_dirs[@]}"; do
  [[ -x "${dir}/nvcc" ]] && continue
  no_cuda_path="${no_cuda_path:+${no_cuda_path}:}${dir}"
done
cuda_prefixes="/usr/local/cuda;$(printf '%s;' /usr/local/cuda-*)"

cache_value() {  # cache_value BUILD_DIR NAME: a CMakeCache.txt entry's value ("" when unset)
  sed -n "s/^$2:[A-Z]*=//p" "$1/CMakeCache.txt" | head -n1
}

# check_prefix PREFIX BUILD_DIR LABEL: the installed files themselves.
check_prefix() {
  local prefix="$1" tree="$2" label="$3"
  echo "== [${label}] installed files"
  local generic
  generic="$(find "${prefix}" \( -name 'libblake3*' -o -name 'blake3*.h' -o -name 'libxxhash*' \
    -o -name 'xxhash*.h' -o -name 'xxh3.h' \) -print)"
  [[ -z "${generic}" ]] || fail "third-party files installed under generic names: ${generic}"
  local leaks
  leaks="$(grep -rlE "${root}|${tree}|/usr/local/cuda|CUDAToolkit|nvrtc" \
    "${prefix}/lib/cmake" "${prefix}/lib/pkgconfig" || true)"
  [[ -z "${leaks}" ]] || fail "build-machine paths or CUDA in the package files: ${leaks}"
  echo "== [${label}] ldd ${prefix}/bin/vyre"
  local deps
  deps="$(ldd "${prefix}/bin/vyre")"
  echo "${deps}"
  if grep -qiE 'nvrtc|libcuda' <<< "${deps}"; then fail "the installed CLI links NVRTC or libcuda"; fi
}

# check_embedder PREFIX LABEL: find_package without CUDA, then pkg-config.
check_embedder() {
  local prefix="$1" label="$2"
  echo "== [${label}] configuring examples/embed with no CUDA toolkit visible"
  PATH="${no_cuda_path}" cmake -S "${root}/examples/embed" -B "${work}/${label}-embed" \
    -DCMAKE_PREFIX_PATH="${prefix}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_DISABLE_FIND_PACKAGE_CUDAToolkit=ON -DCMAKE_IGNORE_PREFIX_PATH="${cuda_prefixes}" \
    > "${work}/${label}-configure.log" || { cat "${work}/${label}-configure.log"; fail "configure"; }
  echo "== [${label}] building and running examples/embed"
  cmake --build "${work}/${label}-embed" -j"${jobs}" > "${work}/${label}-build.log" \
    || { cat "${work}/${label}-build.log"; fail "build"; }
  "${work}/${label}-embed/embed_saxpy"
  "${work}/${label}-embed/embed_dot"

  echo "== [${label}] pkg-config --cflags --libs vyre"
  local flags
  flags="$(PKG_CONFIG_PATH="${prefix}/lib/pkgconfig" pkg-config --cflags --libs vyre)" \
    || fail "pkg-config does not know vyre"
  echo "${flags}"
  # shellcheck disable=SC2086  # the flags are a word list
  c++ -std=c++20 -o "${work}/${label}-pc-embed" "${root}/examples/embed/main.cpp" ${flags} \
    || fail "a program does not build with pkg-config's flags"
  LD_LIBRARY_PATH="${prefix}/lib${LD_LIBRARY_PATH:+:${LD_LIBRARY_PATH}}" "${work}/${label}-pc-embed"
}

echo "== building ${build}"
cmake --build "${build}" -j"${jobs}" --target vyre_cli
[[ "$(cache_value "${build}" BUILD_SHARED_LIBS)" != "ON" ]] \
  || fail "${build} is a shared build; pass the static one (the shared pass is configured here)"
echo "== installing into ${work}/static"
cmake --install "${build}" --prefix "${work}/static" > "${work}/static-install.log"
check_prefix "${work}/static" "${build}" static
check_embedder "${work}/static" static

if [[ "${VYRE_EMBED_SHARED:-1}" != "0" ]]; then
  shared_build="${work}/shared-build"
  echo "== configuring a BUILD_SHARED_LIBS=ON build in ${shared_build}"
  launchers=()
  for var in CMAKE_C_COMPILER_LAUNCHER CMAKE_CXX_COMPILER_LAUNCHER; do
    value="$(cache_value "${build}" "${var}")"
    [[ -z "${value}" ]] || launchers+=("-D${var}=${value}")
  done
  cmake -S "${root}" -B "${shared_build}" -DBUILD_SHARED_LIBS=ON -DVYRE_BUILD_TESTS=OFF \
    -DVYRE_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE="$(cache_value "${build}" CMAKE_BUILD_TYPE)" \
    "${launchers[@]}" > "${work}/shared-configure.log" \
    || { cat "${work}/shared-configure.log"; fail "shared configure"; }
  cmake --build "${shared_build}" -j"${jobs}" --target vyre_shared vyre_cli
  cmake --install "${shared_build}" --prefix "${work}/shared" > "${work}/shared-install.log"
  check_prefix "${work}/shared" "${shared_build}" shared
  library="$(find "${work}/shared/lib" -name 'libvyre.so.*.*.*' -print -quit)"
  [[ -n "${library}" ]] || fail "no versioned libvyre.so in the shared install"
  soname="$(readelf -d "${library}" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')"
  echo "== [shared] ${library##*/}: SONAME ${soname}"
  [[ -e "${work}/shared/lib/${soname}" ]] || fail "the SONAME ${soname} is not installed"
  if [[ -n "$(find "${work}/shared/lib" -name '*.a' -print -quit)" ]]; then
    fail "the shared install holds static archives"
  fi
  echo "== [shared] ldd ${library##*/}"
  ldd "${library}"
  if ldd "${library}" | grep -qiE 'nvrtc|libcuda'; then fail "libvyre.so links NVRTC or libcuda"; fi
  check_embedder "${work}/shared" shared
  ldd "${work}/shared-embed/embed_saxpy" | grep -q "${soname}" \
    || fail "embed_saxpy does not use ${soname}"
fi
echo "check_embed: ok"
