# Third-party dependencies: all from Debian packages (see README.md for the apt-get line).
find_package(fmt REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(Threads REQUIRED)

# BLAKE3: Debian ships the official C sources in librust-blake3-dev; we compile them into the
# ir layer (an object library folded into vyre_ir, so no libblake3 of ours is installed next to
# the system's). A machine without the package can point VYRE_BLAKE3_DIR at a copy.
if(NOT VYRE_BLAKE3_DIR)
  file(GLOB _blake3_candidates
       ${PROJECT_SOURCE_DIR}/.deps/blake3
       /usr/share/cargo/registry/blake3-*/c)
  list(SORT _blake3_candidates COMPARE NATURAL ORDER DESCENDING)
  list(GET _blake3_candidates 0 _blake3_dir)
  set(VYRE_BLAKE3_DIR "${_blake3_dir}" CACHE PATH "Folder holding BLAKE3's C sources (blake3.h)")
endif()
if(NOT EXISTS "${VYRE_BLAKE3_DIR}/blake3.h")
  message(FATAL_ERROR "BLAKE3 C sources not found (looked in '${VYRE_BLAKE3_DIR}').\n"
                      "help: apt-get install librust-blake3-dev, or pass -DVYRE_BLAKE3_DIR=<folder with blake3.h>")
endif()
set(_b3 ${VYRE_BLAKE3_DIR})
add_library(vyre_blake3 OBJECT ${_b3}/blake3.c ${_b3}/blake3_dispatch.c ${_b3}/blake3_portable.c)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  target_sources(vyre_blake3 PRIVATE ${_b3}/blake3_sse2.c ${_b3}/blake3_sse41.c
                                     ${_b3}/blake3_avx2.c ${_b3}/blake3_avx512.c)
  set_source_files_properties(${_b3}/blake3_sse2.c PROPERTIES COMPILE_OPTIONS "-msse2")
  set_source_files_properties(${_b3}/blake3_sse41.c PROPERTIES COMPILE_OPTIONS "-msse4.1")
  set_source_files_properties(${_b3}/blake3_avx2.c PROPERTIES COMPILE_OPTIONS "-mavx2")
  set_source_files_properties(${_b3}/blake3_avx512.c PROPERTIES COMPILE_OPTIONS "-mavx512f;-mavx512vl")
else()
  target_compile_definitions(vyre_blake3 PRIVATE BLAKE3_NO_SSE2 BLAKE3_NO_SSE41 BLAKE3_NO_AVX2 BLAKE3_NO_AVX512)
endif()
target_include_directories(vyre_blake3 INTERFACE $<BUILD_INTERFACE:${_b3}>)
# Hidden: a shared libvyre exports no blake3_* symbols that could clash with a system BLAKE3.
set_target_properties(vyre_blake3 PROPERTIES C_STANDARD 99 C_VISIBILITY_PRESET hidden)

# xxHash: header-only use (XXH_INLINE_ALL), from libxxhash-dev or a copied header. Private to the
# layers that hash (linked as $<BUILD_INTERFACE:xxhash_headers>), so nothing of it is installed.
find_path(VYRE_XXHASH_INCLUDE xxhash.h HINTS ${PROJECT_SOURCE_DIR}/.deps/xxhash)
if(NOT VYRE_XXHASH_INCLUDE)
  message(FATAL_ERROR "xxhash.h not found.\nhelp: apt-get install libxxhash-dev")
endif()
add_library(xxhash_headers INTERFACE)
target_include_directories(xxhash_headers INTERFACE $<BUILD_INTERFACE:${VYRE_XXHASH_INCLUDE}>)
target_compile_definitions(xxhash_headers INTERFACE XXH_INLINE_ALL)

# The shared remote cache tier: hiredis (Redis client) and libsodium (Ed25519 entry signatures),
# from libhiredis-dev and libsodium-dev (a GPU machine without them can unpack those packages
# under CMAKE_PREFIX_PATH). Linked by absolute path in the build tree, by name when installed.
find_path(VYRE_HIREDIS_INCLUDE hiredis/hiredis.h)
find_library(VYRE_HIREDIS_LIBRARY hiredis)
find_path(VYRE_SODIUM_INCLUDE sodium.h)
find_library(VYRE_SODIUM_LIBRARY sodium)
if(NOT VYRE_HIREDIS_INCLUDE OR NOT VYRE_HIREDIS_LIBRARY OR NOT VYRE_SODIUM_INCLUDE
   OR NOT VYRE_SODIUM_LIBRARY)
  message(FATAL_ERROR "hiredis or libsodium not found (the shared Redis cache tier needs both).\n"
                      "help: apt-get install libhiredis-dev libsodium-dev")
endif()
add_library(vyre_remote_deps INTERFACE)
target_include_directories(vyre_remote_deps INTERFACE ${VYRE_HIREDIS_INCLUDE} ${VYRE_SODIUM_INCLUDE})
target_link_libraries(vyre_remote_deps INTERFACE ${VYRE_HIREDIS_LIBRARY} ${VYRE_SODIUM_LIBRARY})

if(VYRE_WITH_OPENCL)
  find_package(OpenCL)
endif()
if(VYRE_WITH_CUDA)
  find_package(CUDAToolkit QUIET)
endif()

if(VYRE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(VYRE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
