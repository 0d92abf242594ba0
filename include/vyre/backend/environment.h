// Every environment variable vyre reads, declared in one place, each marked as changing
// generated code (then its value is part of the pipeline cache key) or not. Code reads the
// environment only through env_value(); `vyre env` lists this table.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vyre {

enum class EnvVar {
  CacheDir,              // VYRE_CACHE_DIR: disk cache root
  XdgCacheHome,          // XDG_CACHE_HOME: default cache root parent
  Home,                  // HOME: fallback cache root parent
  CacheMaxBytes,         // VYRE_CACHE_MAX_BYTES: disk tier size bound
  PipelineCacheEntries,  // VYRE_PIPELINE_CACHE_ENTRIES: memory tier entry bound
  PipelineCacheBytes,    // VYRE_PIPELINE_CACHE_BYTES: memory tier byte bound
  Jit,                   // VYRE_JIT: allow | warn | forbid
  OpenClDevice,          // VYRE_OPENCL_DEVICE: platform/device selection (enters via fingerprint)
  CudaArch,              // VYRE_CUDA_ARCH: NVRTC target when no device (changes generated code)
  CudaDevice,            // VYRE_CUDA_DEVICE: device ordinal (enters via fingerprint)
  ReferenceRaces,        // VYRE_REFERENCE_RACES: 0 turns off the reference race detector
};

struct EnvVarInfo {
  EnvVar var;
  std::string_view name;
  // True when the value changes generated code: it is then hashed into the cache key.
  bool changes_generated_code;
  std::string_view meaning;
};

std::span<const EnvVarInfo> environment_variables();
const EnvVarInfo& env_info(EnvVar var);
// The variable's value, or nullopt when unset or empty.
std::optional<std::string> env_value(EnvVar var);

}  // namespace vyre
